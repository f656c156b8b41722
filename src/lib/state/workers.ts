/** The app's worker clients. Workers start lazily on first use. */
import { WorkerClient } from '../workers/rpc';
import type { ImportHandlers } from '../workers/import.worker';
import type { EmbedHandlers } from '../workers/embed.worker';
import type { AnalysisHandlers } from '../workers/analysis.worker';
import type { GenerateHandlers } from '../workers/generate.worker';

export type { DetectedFile } from '../workers/import.worker';

/** Parses and validates imported files off the main thread. */
export const importWorker = new WorkerClient<ImportHandlers>(
  () =>
    new Worker(new URL('../workers/import.worker.ts', import.meta.url), {
      type: 'module',
      name: 'import',
    }),
);

/** Embeds texts with transformers.js off the main thread. */
export const embedWorker = new WorkerClient<EmbedHandlers>(
  () =>
    new Worker(new URL('../workers/embed.worker.ts', import.meta.url), {
      type: 'module',
      name: 'embed',
    }),
);

/** Root-relative path of the bundled models folder, right for any deployment sub-path. */
export function bundledModelsPath(): string {
  return new URL(`${import.meta.env.BASE_URL}models/`, document.baseURI).pathname;
}

/** Projection, clustering and statistics off the main thread. */
export const analysisWorker = new WorkerClient<AnalysisHandlers>(
  () =>
    new Worker(new URL('../workers/analysis.worker.ts', import.meta.url), {
      type: 'module',
      name: 'analysis',
    }),
);

/** Generates text with transformers.js models off the main thread. */
export const generateWorker = new WorkerClient<GenerateHandlers>(
  () =>
    new Worker(new URL('../workers/generate.worker.ts', import.meta.url), {
      type: 'module',
      name: 'generate',
    }),
);
