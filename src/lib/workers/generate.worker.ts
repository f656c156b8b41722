/** Generates text with transformers.js off the main thread; tokens stream back as progress. */
import { configureBrowserTransformers } from '../backends/transformers-browser';
import { createGenerateHandlers } from '../backends/llm/generate-handlers';
import { registerHandlers } from './rpc';

registerHandlers(createGenerateHandlers(configureBrowserTransformers));
