/**
 * The one home of what every WASM SIMD kernel family shares: compiling its embedded bytes
 * (once, lazily) and the process-wide switch that forces the plain-JS twins instead. The vector
 * kernels (wasm.ts) and the clustering kernels (cluster/distance-arena.ts) both go through it,
 * so one call moves the whole analysis onto plain JS.
 */

/** Which implementation runs a kernel: the WASM SIMD module or its plain-JS twin. */
export type KernelBackend = 'wasm' | 'js';

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/**
 * A getter for the module compiled from `base64` (compiled on first call, then shared, so V8
 * tiers it up once), which returns null where WASM SIMD is unavailable.
 */
export function lazyWasmModule(base64: string): () => WebAssembly.Module | null {
  let compiled: WebAssembly.Module | null | undefined;
  return () => {
    if (compiled !== undefined) return compiled;
    try {
      // Synchronous compilation is allowed for modules under 4 KB even on a browser main thread.
      compiled = new WebAssembly.Module(decodeBase64(base64) as BufferSource);
    } catch {
      compiled = null;
    }
    return compiled;
  };
}

let disabled = false;

/**
 * Forces (true) or stops forcing (false) the plain-JS twins of every kernel, process-wide, even
 * where WASM works: tests and benchmarks compare the two. Returns the previous setting.
 */
export function setWasmDisabled(value: boolean): boolean {
  const previous = disabled;
  disabled = value;
  return previous;
}

/** The module a kernel should instantiate now: null when plain JS is forced or WASM is unavailable. */
export function enabledWasmModule(
  module: () => WebAssembly.Module | null,
): WebAssembly.Module | null {
  return disabled ? null : module();
}
