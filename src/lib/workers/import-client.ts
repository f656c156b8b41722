/** The page's side of the import worker (import.worker.ts): it starts on the first call. */
import { WorkerClient } from './rpc';
import type { ImportHandlers } from './import.worker';

/** Parses and validates imported files off the main thread. */
export const importWorker = new WorkerClient<ImportHandlers>(
  () =>
    new Worker(new URL('./import.worker.ts', import.meta.url), { type: 'module', name: 'import' }),
);
