/**
 * Hosts WebLLM's engine off the main thread. WebLLM brings its own worker protocol
 * (WebWorkerMLCEngineHandler <-> CreateWebWorkerMLCEngine), so this worker does not use rpc.ts.
 */
import { WebWorkerMLCEngineHandler } from '@mlc-ai/web-llm';

const handler = new WebWorkerMLCEngineHandler();

self.onmessage = (message: MessageEvent) => handler.onmessage(message);
