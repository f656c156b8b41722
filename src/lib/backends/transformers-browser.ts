/**
 * transformers.js set-up for the browser: onnxruntime-web's WASM files come from our own
 * build output (not a CDN, which would fail offline and under our CSP), and files of model
 * folders picked on this computer are never copied into the browser's Cache Storage.
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
  if (typeof caches !== 'undefined' && !env.useCustomCache) {
    env.customCache = skippingPickedFolders(() => caches.open(env.cacheKey), self.location.href);
    env.useCustomCache = true;
  }
}

/** The part of the Cache API transformers.js uses (its `CacheInterface`). */
export interface ModelCache {
  match(request: string): Promise<Response | undefined>;
  put(request: string, response: Response): Promise<void>;
}

/**
 * Whether `key` (a URL or root-relative path, as transformers.js keys its cache) is a file of a
 * picked folder: on this page's origin under `local-models/` (state/local-folder-serving.ts).
 */
export function isPickedFolderUrl(key: string, base: string): boolean {
  let url: URL;
  try {
    url = new URL(key, base);
  } catch {
    return false;
  }
  return url.origin === new URL(base).origin && url.pathname.includes('/local-models/');
}

/**
 * transformers.js's browser cache (the Cache API store `open` gives) minus picked folders: their
 * files are on this computer already, so copying them into Cache Storage would only double the
 * disk they take and keep them after the user expects them gone. Bundled and hub models are
 * cached as before. A store that cannot be opened (site data blocked) means no cache, as in
 * transformers.js itself.
 */
export function skippingPickedFolders(open: () => Promise<Cache>, base: string): ModelCache {
  let store: Promise<Cache | undefined> | undefined;
  const get = () => (store ??= open().catch(() => undefined));
  return {
    async match(request) {
      if (isPickedFolderUrl(request, base)) return undefined;
      return (await get())?.match(request);
    },
    async put(request, response) {
      if (isPickedFolderUrl(request, base)) return;
      await (await get())?.put(request, response);
    },
  };
}
