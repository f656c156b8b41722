/**
 * `npm run analyze -- A_FILE B_FILE --out REPORT.json [options]` (`--help` lists them; the
 * table is in analyze-options.ts).
 *
 * The same core as the app, in Node: import both answer files, embed with the real
 * transformers.js, analyse, and write REPORT.json (the contract is in the README), optionally
 * a Markdown report and a per-answer CSV. What the import left out is printed and saved.
 * Any failure exits non-zero with a one-line reason.
 */
import { createReadStream } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  analysisParams,
  embedWithCache,
  embeddingText,
  runAnalysis,
  reportImport,
  toReportJson,
  type AnalysisParams,
} from '../src/lib/core/analysis';
import { answerFeaturesCsv } from '../src/lib/core/analysis/answer-features-csv';
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
import {
  reportSupervisorFields,
  type ReportSupervisorFields,
} from '../src/lib/core/explain/report-fields';
import { row } from '../src/lib/core/vectors/matrix';
import { runSupervisorCli } from './analyze-supervisor';
import { chooseEmbedder, explainHubLoadError, useHubEndpoint } from './analyze-embedder';
import { importSummaryLines } from './analyze-import-summary';
import { helpText, parseAnalyzeArgs } from './analyze-options';

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

async function main(): Promise<void> {
  const command = parseAnalyzeArgs(process.argv.slice(2));
  if (command === null) {
    console.log(helpText());
    return;
  }
  const started = performance.now();
  const timings: Record<string, number> = {};
  const lap = (step: string, since: number) => (timings[step] = (performance.now() - since) / 1000);

  // Settings are checked before any file is read, so a bad one costs nothing.
  const embedderChoice = await chooseEmbedder(command.embedder, join(root, 'public', 'models'));
  const params: AnalysisParams = analysisParams({
    embedderId: `transformers:${embedderChoice.modelId}`,
    ...(command.k !== undefined ? { k: command.k } : {}),
    ...(command.seed !== undefined ? { seed: command.seed } : {}),
    ...(command.permutations !== undefined ? { nPermutations: command.permutations } : {}),
    ...(command.clustering ? { clustering: command.clustering } : {}),
    ...(command.projection ? { projection: command.projection } : {}),
  });

  let t = performance.now();
  const imported = await importPair(command.fileA, command.fileB);
  lap('import', t);
  if (imported.prompts.length === 0) throw new Error('the two files have no prompts in common');
  if (imported.answers.length < 4) {
    throw new Error(
      `too few answers to analyse (${imported.answers.length}); at least 2 prompts answered by both models are needed`,
    );
  }
  for (const line of importSummaryLines(reportImport(imported.report))) {
    console.error(`analyze: import: ${line}`);
  }

  configureTransformers(embedderChoice.source);
  const hub = useHubEndpoint();
  t = performance.now();
  const embedder = new TransformersEmbedder({ modelId: embedderChoice.modelId, device: 'cpu' });
  await embedder.load().catch((error: unknown) => {
    throw embedderChoice.kind === 'hub'
      ? explainHubLoadError(error, embedderChoice.modelId, hub)
      : error;
  });
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
  lap('embed', t);

  const result = await runAnalysis(
    { prompts: imported.prompts, answers: imported.answers, vectors },
    params,
  );
  let supervisor: ReportSupervisorFields | undefined;
  if (command['supervisor-url']) {
    t = performance.now();
    const outcome = await runSupervisorCli(command, {
      prompts: imported.prompts,
      answers: imported.answers,
      analysis: result,
      embed: async (batch) => {
        const m = await embedder.embed(batch);
        return Array.from({ length: m.rows }, (_, i) => row(m, i));
      },
      seed: params.seed,
    });
    supervisor = reportSupervisorFields(outcome.explanation, outcome.hypotheses, {
      requests: outcome.requestsSpent,
      stopped: outcome.stopped,
    });
    lap('supervisor', t);
  }
  await embedder.unload();
  timings.total = (performance.now() - started) / 1000;
  const models = { A: imported.models.A.label, B: imported.models.B.label };
  const report = toReportJson(result, imported.prompts, {
    timings,
    models,
    importReport: imported.report,
    ...(supervisor ? { supervisor } : {}),
  });
  await writeFile(command.out, JSON.stringify(report, null, 2) + '\n');
  if (command.md) await writeFile(command.md, reportMarkdown(report));
  if (command.csv) {
    await writeFile(
      command.csv,
      answerFeaturesCsv(imported.prompts, imported.answers, result.labels),
    );
  }
  const o = report.overall;
  if (report.hypotheses) {
    const confirmed = report.hypotheses.filter((h) => h.confirmed).length;
    console.log(
      `supervisor: ${report.hypotheses.length} hypotheses, ${confirmed} confirmed on held-out prompts; ${report.properties?.length ?? 0} property clusters; ${report.labels?.length ?? 0} cluster labels`,
    );
  }
  console.log(
    `${report.n.prompts} prompts, ${report.n.answersA} + ${report.n.answersB} answers; energy distance ${o.statistic.toFixed(4)}, p = ${o.pValue.toFixed(4)}; ${report.clusters.length} clusters; ${timings.total.toFixed(1)} s -> ${command.out}`,
  );
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`analyze: ${message.split('\n')[0]}`);
  process.exit(1);
});
