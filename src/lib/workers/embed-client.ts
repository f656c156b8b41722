/** The page's side of the embed worker (embed.worker.ts): it starts on the first call. */
import { WorkerClient } from './rpc';
import type { EmbedHandlers } from '../backends/embed/embed-handlers';

/** Embeds texts with transformers.js off the main thread. */
export const embedWorker = new WorkerClient<EmbedHandlers>(
  () =>
    new Worker(new URL('./embed.worker.ts', import.meta.url), { type: 'module', name: 'embed' }),
);
