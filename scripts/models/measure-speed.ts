/**
 * How fast models of a given size load and generate from a folder on this machine (the README's
 * "What sizes run well"): in Chromium (WebAssembly, the app's own generate worker, the folder
 * picked through the app's folder input and served by its service worker) and in Node (the
 * transformers.js backend `npm run generate --a-folder` uses). Greedy, 3 answers of 64 tokens.
 *
 *   /usr/bin/python3 scripts/models/random_gpt2.py /tmp/s40 --n-embd 512 --n-layer 12 --n-head 8
 *   node --import tsx scripts/models/measure-speed.ts /tmp/s40 [more folders]
 *
 * (It builds the site first when dist/ is older than the sources, as `npm run bench` does.)
 *
 * Each folder is copied to a temporary folder first (with whole-second file dates, so the page
 * and this script compute the same URL token), and the copy is removed afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { configureTransformers } from '../../src/lib/backends/embed/transformers';
import { TransformersChatBackend } from '../../src/lib/backends/llm/transformers';
import type { ChatBackend } from '../../src/lib/backends/llm/types';
import type { GenerateModelRequest } from '../../src/lib/backends/llm/worker-protocol';
import {
  copyFolder,
  generateWorkerUrl,
  pickFolder,
  startWorker,
  tokenOf,
} from '../../bench/cases/local-folder';
import { launchMeasured } from '../../bench/browser/renderer-memory';
import { ROOT, freshSite, serveSite } from '../../bench/browser/site';

const PROMPTS = [0, 1, 2].map((i) => `Tell me about item ${i}.`);
const MAX_TOKENS = 64;

/** Load time and generation rate of `backend` over PROMPTS. */
async function timeBackend(backend: ChatBackend): Promise<{ loadS: number; tokensPerS: number }> {
  const t0 = performance.now();
  await backend.load();
  const loadS = (performance.now() - t0) / 1000;
  let tokens = 0;
  const t1 = performance.now();
  for (const content of PROMPTS) {
    for await (const chunk of backend.generate([{ role: 'user', content }], {
      temperature: 0,
      topP: 1,
      maxTokens: MAX_TOKENS,
    })) {
      if (chunk.type === 'done') tokens += chunk.usage.completionTokens;
    }
  }
  return { loadS, tokensPerS: tokens / ((performance.now() - t1) / 1000) };
}

/** The same in Chromium: the app's generate worker, the model served from the picked folder. */
async function timeInChromium(folder: string): Promise<{ loadS: number; tokensPerS: number }> {
  const site = await serveSite(await freshSite());
  const chromium = await launchMeasured();
  try {
    await pickFolder(chromium.page, site, folder);
    await startWorker(chromium.page, generateWorkerUrl(site));
    const model: GenerateModelRequest = {
      modelId: `/local-models/${await tokenOf(folder)}`,
      modelsPath: '/models/',
      allowRemoteModels: false,
      device: 'wasm',
    };
    const t0 = performance.now();
    await chromium.page.evaluate(
      (arg) => (globalThis as unknown as { benchLoad(a: unknown): Promise<void> }).benchLoad(arg),
      model,
    );
    const loadS = (performance.now() - t0) / 1000;
    // The bench worker answers `load` only; generate through the same message protocol.
    const tokens = await chromium.page.evaluate(
      async ({ model, prompts, maxTokens }) => {
        const worker = (globalThis as unknown as { benchWorker: Worker }).benchWorker;
        let total = 0;
        for (const [i, content] of prompts.entries()) {
          total += await new Promise<number>((done, fail) => {
            const id = 1000 + i;
            const listen = (event: MessageEvent) => {
              const m = event.data as {
                id: number;
                kind: string;
                value?: { usage: { completionTokens: number } };
                error?: { message: string };
              };
              if (m.id !== id || m.kind === 'progress') return;
              worker.removeEventListener('message', listen);
              if (m.kind === 'ok') done(m.value!.usage.completionTokens);
              else fail(new Error(m.error?.message ?? 'generate failed'));
            };
            worker.addEventListener('message', listen);
            worker.postMessage({
              id,
              method: 'generate',
              arg: {
                ...model,
                messages: [{ role: 'user', content }],
                options: { temperature: 0, topP: 1, maxTokens },
              },
            });
          });
        }
        return total;
      },
      { model, prompts: PROMPTS, maxTokens: MAX_TOKENS },
    );
    const seconds = (performance.now() - t0) / 1000 - loadS;
    return { loadS, tokensPerS: tokens / seconds };
  } finally {
    await chromium.close();
    await site.close();
  }
}

for (const given of process.argv.slice(2)) {
  const root = mkdtempSync(join(tmpdir(), 'bd-speed-'));
  const folder = join(root, basename(resolve(given)));
  try {
    copyFolder(resolve(given), folder);
    configureTransformers({
      localModelPath: join(ROOT, 'public/models/'),
      allowRemoteModels: false,
    });
    const node = await timeBackend(new TransformersChatBackend({ modelId: folder, device: 'cpu' }));
    const browser = await timeInChromium(folder);
    const fmt = (x: { loadS: number; tokensPerS: number }) =>
      `load ${x.loadS.toFixed(1)} s, ${x.tokensPerS.toFixed(1)} tokens/s`;
    console.log(`${given}: Chromium (WASM) ${fmt(browser)}; Node (CPU) ${fmt(node)}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
