/** The page's side of the generate worker (generate.worker.ts): it starts on the first call. */
import { WorkerClient } from './rpc';
import type { GenerateHandlers } from '../backends/llm/generate-handlers';

/** Generates text with transformers.js models off the main thread. */
export const generateWorker = new WorkerClient<GenerateHandlers>(
  () =>
    new Worker(new URL('./generate.worker.ts', import.meta.url), {
      type: 'module',
      name: 'generate',
    }),
);
