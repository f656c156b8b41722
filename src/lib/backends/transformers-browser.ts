/**
 * transformers.js set-up for the browser: onnxruntime-web's WASM files come from our own
 * build output (not a CDN, which would fail offline and under our CSP).
 */
import { env } from '@huggingface/transformers';
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import ortMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import { configureTransformers } from './embed/transformers';

/** Configures transformers.js in a browser worker; `modelsPath` is root-relative, e.g. `/models/`. */
export function configureBrowserTransformers(modelsPath: string, allowRemoteModels: boolean): void {
  const wasm = env.backends.onnx.wasm;
  if (wasm) {
    wasm.wasmPaths = {
      wasm: new URL(ortWasmUrl, self.location.href).href,
      mjs: new URL(ortMjsUrl, self.location.href).href,
    };
    // Threads need cross-origin isolation (SharedArrayBuffer); otherwise run single-threaded.
    wasm.numThreads = globalThis.crossOriginIsolated
      ? Math.min(4, navigator.hardwareConcurrency || 1)
      : 1;
  }
  // A full URL here silently fails: transformers.js wants a root-relative path.
  configureTransformers({ localModelPath: modelsPath, allowRemoteModels });
}
