/** What this browser can do, probed once; backends and setup screens read it. */

/** The browser features Behaviour Diff cares about. */
export interface Capabilities {
  webgpu: boolean;
  /** The WebGPU adapter supports 16-bit floats in shaders (many WebLLM models need it). */
  shaderF16: boolean;
  /** The adapter is a software fallback (e.g. SwiftShader): works, but slowly. */
  fallbackAdapter: boolean;
  sharedArrayBuffer: boolean;
  crossOriginIsolated: boolean;
  indexedDb: boolean;
  workers: boolean;
  hardwareConcurrency: number;
}

let probe: Promise<Readonly<Capabilities>> | undefined;

/** Probes the browser once and returns a frozen Capabilities object. */
export function getCapabilities(): Promise<Readonly<Capabilities>> {
  probe ??= detect().then((caps) => Object.freeze(caps));
  return probe;
}

async function detect(): Promise<Capabilities> {
  // navigator.gpu is undefined in browsers without WebGPU, whatever the DOM typings say.
  const adapter: GPUAdapter | null =
    'gpu' in navigator ? await navigator.gpu.requestAdapter().catch(() => null) : null;
  return {
    webgpu: adapter !== null,
    shaderF16: adapter?.features.has('shader-f16') ?? false,
    fallbackAdapter:
      (adapter?.info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter ?? false,
    sharedArrayBuffer: typeof SharedArrayBuffer !== 'undefined',
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    indexedDb: typeof indexedDB !== 'undefined',
    workers: typeof Worker !== 'undefined',
    hardwareConcurrency: navigator.hardwareConcurrency || 1,
  };
}
