/**
 * `npm run generate -- MODEL_A_FLAGS MODEL_B_FLAGS --prompts FILE --out-dir DIR [options]`
 * (`--help` lists them; the table is in generate-options.ts, the model flags in model-flags.ts).
 *
 * The batch path for runs that outgrow a browser: every prompt's answers from model A and model
 * B, written to DIR/A.jsonl and DIR/B.jsonl (one answer a line: prompt, answer, model, sample,
 * ...) in the shape `npm run analyze -- DIR/A.jsonl DIR/B.jsonl` reads. Each answer is appended
 * as it arrives, so an interruption loses at most the answers in flight, and a rerun of the same
 * command generates only what is missing. Progress goes to stderr, the summary to stdout.
 */
import { createReadStream } from 'node:fs';
import { appendFile, mkdir, readFile, stat, truncate } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateText } from '../src/lib/backends/llm/generate-text';
import type { ChatBackend, GenerateOptions } from '../src/lib/backends/llm/types';
import { parsePromptFile } from '../src/lib/core/prompts';
import type { SourceFile } from '../src/lib/core/run/import/source';
import type { Prompt } from '../src/lib/core/run/types';
import { generateHelp, parseGenerateArgs, type GenerateCommand } from './generate-options';
import { resolveBothModels, type ResolvedModel } from './model-flags';
import { ProgressLine } from './progress-line';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Failures in a row after which the run stops: the server or model is down, not one prompt. */
const MAX_FAILURES_IN_A_ROW = 5;

/** One line of A.jsonl / B.jsonl. */
export interface AnswerLine {
  prompt_id: string;
  prompt: string;
  answer: string;
  model: string;
  sample: number;
  finish_reason: string;
  completion_tokens: number;
  latency_ms: number;
  category?: string;
}

const log = (line: string) => process.stderr.write(`generate: ${line}\n`);

/** A file on disk as a streamed SourceFile (the prompt parsers read these). */
async function sourceFromPath(path: string): Promise<SourceFile> {
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) throw new Error(`--prompts ${path}: no such file`);
  return {
    name: path.split(/[\\/]/).pop()!,
    size: info.size,
    chunks: () => createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 }),
  };
}

async function readPrompts(path: string): Promise<Prompt[]> {
  const parsed = await parsePromptFile(await sourceFromPath(path));
  const { duplicates, emptyLines, warnings } = parsed.report;
  if (duplicates.length > 0) log(`${duplicates.length} repeated prompts skipped (first kept)`);
  if (emptyLines.length > 0) log(`${emptyLines.length} empty lines or rows skipped`);
  for (const warning of warnings) log(warning);
  log(`${parsed.prompts.length} prompts from ${path} (${parsed.format})`);
  return parsed.prompts;
}

const answerKey = (prompt: string, sample: number) => `${sample}\u0000${prompt}`;

/**
 * The answers already in `path` (by prompt text and sample). A last line cut off by an
 * interruption is removed so appending starts on a fresh line; a file of another model is an
 * error rather than something to mix into.
 */
async function readDone(path: string, label: string): Promise<Set<string>> {
  const done = new Set<string>();
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return done;
  }
  if (text !== '' && !text.endsWith('\n')) {
    const kept = text.slice(0, text.lastIndexOf('\n') + 1);
    await truncate(path, Buffer.byteLength(kept));
    log(`${path}: removed a last line cut off by an interruption; that answer is generated again`);
    text = kept;
  }
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    let row: Partial<AnswerLine>;
    try {
      row = JSON.parse(line) as Partial<AnswerLine>;
    } catch (error) {
      throw new Error(
        `${path} line ${i + 1} is not JSON (${(error as Error).message}): it was not written by generate; use another --out-dir`,
        { cause: error },
      );
    }
    if (row.model !== label) {
      throw new Error(
        `${path} holds answers of "${row.model}", not of "${label}": use another --out-dir, or delete the file to start over`,
      );
    }
    if (typeof row.prompt === 'string' && typeof row.sample === 'number') {
      done.add(answerKey(row.prompt, row.sample));
    }
  }
  return done;
}

interface SideOutcome {
  generated: number;
  already: number;
  failed: number;
}

/** Generates the missing answers of one side, appending each as it arrives. */
async function generateSide(
  model: ResolvedModel,
  prompts: readonly Prompt[],
  command: GenerateCommand,
): Promise<SideOutcome> {
  const path = join(command.outDir, `${model.side}.jsonl`);
  const label = model.spec.label;
  const done = await readDone(path, label);
  const jobs: { prompt: Prompt; sample: number }[] = [];
  for (const prompt of prompts) {
    for (let sample = 0; sample < command.samples; sample++) {
      if (!done.has(answerKey(prompt.text, sample))) jobs.push({ prompt, sample });
    }
  }
  const already = prompts.length * command.samples - jobs.length;
  if (jobs.length === 0) {
    log(`${model.side} (${label}): all ${already} answers already in ${path}`);
    return { generated: 0, already, failed: 0 };
  }
  log(
    `${model.side} (${label}): ${jobs.length} answers to generate${already ? `, ${already} already in ${path}` : ''}`,
  );
  const backend: ChatBackend = model.createBackend();
  await backend.load();
  const progress = new ProgressLine(log, model.side, jobs.length, 'answers', already);
  let writes = Promise.resolve();
  let next = 0;
  let generated = 0;
  let failed = 0;
  let inARow = 0;
  let stop: Error | undefined;
  const worker = async () => {
    while (next < jobs.length && !stop) {
      const { prompt, sample } = jobs[next++]!;
      const options: GenerateOptions = {
        temperature: command.temperature,
        topP: command.topP,
        maxTokens: command.maxTokens,
        seed: command.seed + sample,
      };
      try {
        const result = await generateText(
          backend,
          [{ role: 'user', content: prompt.text }],
          options,
        );
        const line: AnswerLine = {
          prompt_id: prompt.id,
          prompt: prompt.text,
          answer: result.text,
          model: label,
          sample,
          finish_reason: result.finishReason,
          completion_tokens: result.usage.completionTokens,
          latency_ms: Math.round(result.latencyMs),
          ...(prompt.category ? { category: prompt.category } : {}),
        };
        // One write per line, in order, so lines never interleave.
        writes = writes.then(() => appendFile(path, `${JSON.stringify(line)}\n`));
        await writes;
        generated++;
        inARow = 0;
      } catch (error) {
        failed++;
        inARow++;
        const message = error instanceof Error ? error.message : String(error);
        log(
          `${model.side} sample ${sample} of prompt ${prompt.id} failed: ${message.split('\n')[0]}`,
        );
        if (inARow >= MAX_FAILURES_IN_A_ROW) {
          stop = new Error(
            `${model.side}: stopped after ${inARow} failures in a row (the last: ${message.split('\n')[0]}); rerun the same command to go on`,
          );
        }
      }
      progress.tick();
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(command.concurrency, jobs.length) }, worker));
  } finally {
    await backend.unload();
  }
  if (stop) throw stop;
  return { generated, already, failed };
}

async function main(): Promise<void> {
  const command = parseGenerateArgs(process.argv.slice(2));
  if (command === null) {
    console.log(generateHelp());
    return;
  }
  const started = performance.now();
  // Everything is checked before any model loads: a bad folder or flag costs nothing.
  const prompts = await readPrompts(command.prompts);
  const models = await resolveBothModels(command.models, {
    root,
    log,
    ...(command.dtype ? { dtype: command.dtype } : {}),
  });
  await mkdir(command.outDir, { recursive: true });
  // One model at a time: two local models need not fit in memory together.
  const outcomes: SideOutcome[] = [];
  for (const model of models) outcomes.push(await generateSide(model, prompts, command));
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const failed = outcomes.reduce((n, o) => n + o.failed, 0);
  const sides = models.map(
    (m, i) =>
      `${m.side} (${m.spec.label}) ${outcomes[i]!.generated} new + ${outcomes[i]!.already} already there`,
  );
  console.log(
    `generate: ${prompts.length} prompts x ${command.samples} samples; ${sides.join(', ')}; ${failed} failed; ${seconds} s -> ${join(command.outDir, 'A.jsonl')}, ${join(command.outDir, 'B.jsonl')}`,
  );
  if (failed > 0) {
    log(`${failed} answers are missing: rerun the same command to generate them`);
    process.exitCode = 1;
  }
}

// Ctrl-C: every finished answer is already on disk; say how to go on instead of dying silently.
process.once('SIGINT', () => {
  log('interrupted: the answers written so far are kept; rerun the same command to go on');
  process.exit(130);
});

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`generate: ${message.split('\n')[0]}`);
  process.exit(1);
});
