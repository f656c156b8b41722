/**
 * The whole analysis on a real alpaca_eval pair (805 prompts, 1,610 answers), as
 * `npm run analyze` runs it: import, embed with the bundled embedder through the real
 * transformers.js, project (UMAP), cluster (k-means, k by silhouette), stability, compare.
 * Target (issue #9): under 60 s end to end in Node with peak memory under 1 GB.
 */
import { access, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  configureTransformers,
  TransformersEmbedder,
} from '../../src/lib/backends/embed/transformers';
import { analysisParams, runAnalysis } from '../../src/lib/core/analysis';
import { importAlpacaEvalPair, sourceFromString } from '../../src/lib/core/run';
import { pathOf, type BenchCase } from '../harness';

/** The row's targets: seconds (median run) and peak resident memory. */
const TARGET_SECONDS = 60;
const TARGET_PEAK_MB = 1024;

const FILE_A = 'Mistral-7B-Instruct-v0.2.json';
const FILE_B = 'Snorkel-Mistral-PairRM-DPO.json';
const MODELS = resolve(pathOf(import.meta.url), '..', '..', '..', 'public', 'models') + '/';

/** The end-to-end pipeline case, reading the pair from `dir`. */
export function pipelineCases(dir: string): BenchCase[] {
  const pipeline: BenchCase<{ a: string; b: string }> = {
    step: 'pipeline: alpaca_eval pair end to end (import, embed, umap, k-means, tests)',
    n: 1610,
    repeats: 2,
    check: (row) => ({
      pass:
        row.ours_s !== null &&
        row.ours_s < TARGET_SECONDS &&
        row.peak_mb !== null &&
        row.peak_mb < TARGET_PEAK_MB,
      target: `< ${TARGET_SECONDS} s and < ${TARGET_PEAK_MB} MB peak`,
      got: `${row.ours_s?.toFixed(1) ?? 'no'} s, ${row.peak_mb ?? 'no'} MB`,
    }),
    async skip() {
      try {
        await Promise.all([access(join(dir, FILE_A)), access(join(dir, FILE_B))]);
        return null;
      } catch {
        return `alpaca_eval files not found in ${dir} (pass --data DIR)`;
      }
    },
    async setup() {
      const [a, b] = await Promise.all([
        readFile(join(dir, FILE_A), 'utf8'),
        readFile(join(dir, FILE_B), 'utf8'),
      ]);
      return { a, b };
    },
    async run({ a, b }) {
      const imported = await importAlpacaEvalPair(
        sourceFromString(FILE_A, a),
        sourceFromString(FILE_B, b),
      );
      configureTransformers({ localModelPath: MODELS, allowRemoteModels: false });
      const embedder = new TransformersEmbedder({ modelId: 'bundled-embedder', device: 'cpu' });
      const vectors = await embedder.embed(imported.answers.map((x) => x.text));
      await embedder.unload();
      const result = await runAnalysis({ ...imported, vectors }, analysisParams());
      if (result.comparison.clusters.length < 2) throw new Error('expected at least two clusters');
    },
  };
  return [pipeline] as BenchCase[];
}
