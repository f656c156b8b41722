/**
 * `npm run analyze -- A_FILE B_FILE --out REPORT.json [--embedder bundled|<model id>] [--k N]
 *   [--seed N] [--md REPORT.md] [--clustering kmeans|ward|hdbscan] [--projection umap|pca]`
 *
 * The same core as the app, in Node: import both answer files, embed with the real
 * transformers.js, analyse, and write REPORT.json (the contract is in the README).
 * Any failure exits non-zero with a one-line reason.
 */
import { createReadStream } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  analysisParams,
  embedWithCache,
  embeddingText,
  runAnalysis,
  toReportJson,
  type AnalysisParams,
} from '../src/lib/core/analysis';
import {
  detectFormat,
  importAlpacaEvalPair,
  importTablePair,
  readHead,
  type ImportedAnswers,
  type SourceFile,
} from '../src/lib/core/run';
import {
  configureTransformers,
  TransformersEmbedder,
} from '../src/lib/backends/embed/transformers';
import { distinctFileNames } from '../src/lib/core/run/import/file-names';
import { reportMarkdown } from '../src/lib/core/report/markdown';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** A file on disk as a streamed SourceFile, called `name` in messages and model names. */
async function sourceFromPath(path: string, name: string): Promise<SourceFile> {
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) throw new Error(`${path}: no such file`);
  return {
    name,
    size: info.size,
    chunks: () => createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 }),
  };
}

/** Imports A's and B's answers: an alpaca_eval pair, or two answer tables. */
async function importPair(pathA: string, pathB: string): Promise<ImportedAnswers> {
  // alpaca_eval's layout gives both files one name (results/<model>/model_outputs.json).
  const [nameA, nameB] = distinctFileNames([resolve(pathA), resolve(pathB)]);
  const [a, b] = await Promise.all([sourceFromPath(pathA, nameA!), sourceFromPath(pathB, nameB!)]);
  const formats = [
    detectFormat(a.name, await readHead(a)),
    detectFormat(b.name, await readHead(b)),
  ];
  if (formats.every((f) => f === 'alpaca-eval')) return importAlpacaEvalPair(a, b);
  for (const [i, format] of formats.entries()) {
    if (format === 'run-file' || format === 'llm-comparator') {
      throw new Error(
        `${[a, b][i]!.name}: a ${format} holds both models; give one answer file per model`,
      );
    }
  }
  return importTablePair(a, b);
}

function integer(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new Error(`--${name} expects a whole number, got "${value}"`);
  return n;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      md: { type: 'string' },
      embedder: { type: 'string', default: 'bundled' },
      k: { type: 'string' },
      seed: { type: 'string' },
      clustering: { type: 'string' },
      projection: { type: 'string' },
      permutations: { type: 'string' },
    },
  });
  if (positionals.length !== 2 || !values.out) {
    throw new Error(
      'usage: npm run analyze -- A_FILE B_FILE --out REPORT.json [--embedder bundled|<model id>] [--k N] [--seed N] [--md REPORT.md]',
    );
  }
  const started = performance.now();
  const timings: Record<string, number> = {};
  const lap = (step: string, since: number) => (timings[step] = (performance.now() - since) / 1000);

  let t = performance.now();
  const imported = await importPair(positionals[0]!, positionals[1]!);
  lap('import', t);
  if (imported.prompts.length === 0) throw new Error('the two files have no prompts in common');
  if (imported.answers.length < 4) {
    throw new Error(
      `too few answers to analyse (${imported.answers.length}); at least 2 prompts answered by both models are needed`,
    );
  }

  const modelId = values.embedder === 'bundled' ? 'bundled-embedder' : values.embedder!;
  configureTransformers({
    localModelPath: join(root, 'public', 'models') + '/',
    allowRemoteModels: modelId !== 'bundled-embedder',
  });
  const params: AnalysisParams = analysisParams({
    embedderId: `transformers:${modelId}`,
    ...(values.k !== undefined ? { k: integer(values.k, 'k') } : {}),
    ...(values.seed !== undefined ? { seed: integer(values.seed, 'seed') } : {}),
    ...(values.permutations !== undefined
      ? { nPermutations: integer(values.permutations, 'permutations') }
      : {}),
    ...(values.clustering ? { clustering: values.clustering as AnalysisParams['clustering'] } : {}),
    ...(values.projection ? { projection: values.projection as AnalysisParams['projection'] } : {}),
  });

  t = performance.now();
  const embedder = new TransformersEmbedder({ modelId, device: 'cpu' });
  await embedder.load();
  const promptText = new Map(imported.prompts.map((p) => [p.id, p.text]));
  const texts = imported.answers.map((a) =>
    embeddingText(params.embedInput, promptText.get(a.promptId) ?? '', a.text),
  );
  const { vectors } = await embedWithCache(
    texts,
    embedder.id,
    (batch) => embedder.embed(batch),
    null,
  );
  await embedder.dispose();
  lap('embed', t);

  const result = await runAnalysis(
    { prompts: imported.prompts, answers: imported.answers, vectors },
    params,
  );
  timings.total = (performance.now() - started) / 1000;
  const models = { A: imported.models.A.label, B: imported.models.B.label };
  const report = toReportJson(result, imported.prompts, { timings, models });
  await writeFile(values.out, JSON.stringify(report, null, 2) + '\n');
  if (values.md) await writeFile(values.md, reportMarkdown(report));
  const o = report.overall;
  console.log(
    `${report.n.prompts} prompts, ${report.n.answersA} + ${report.n.answersB} answers; energy distance ${o.statistic.toFixed(4)}, p = ${o.pValue.toFixed(4)}; ${report.clusters.length} clusters; ${timings.total.toFixed(1)} s -> ${values.out}`,
  );
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`analyze: ${message.split('\n')[0]}`);
  process.exit(1);
});
