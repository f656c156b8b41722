/** The page's side of the analysis worker (analysis.worker.ts): it starts on the first call. */
import { WorkerClient } from './rpc';
import type { AnalysisHandlers } from './analysis.worker';

/** Projection, clustering and statistics off the main thread. */
export const analysisWorker = new WorkerClient<AnalysisHandlers>(
  () =>
    new Worker(new URL('./analysis.worker.ts', import.meta.url), {
      type: 'module',
      name: 'analysis',
    }),
);
