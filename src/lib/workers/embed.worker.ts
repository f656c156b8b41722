/** Embeds texts with transformers.js off the main thread. */
import { configureBrowserTransformers } from '../backends/transformers-browser';
import { createEmbedHandlers } from '../backends/embed/embed-handlers';
import { registerHandlers } from './rpc';

registerHandlers(createEmbedHandlers(configureBrowserTransformers));
