import { afterEach, describe, expect, it } from 'vitest';
import { DistanceArena } from '../../src/lib/core/cluster/distance-arena';
import { CLUSTER_WASM_BASE64 } from '../../src/lib/core/cluster/wasm-bytes';
import { WasmKernel } from '../../src/lib/core/vectors/wasm';
import { VECTORS_WASM_BASE64 } from '../../src/lib/core/vectors/wasm-bytes';
import {
  enabledWasmModule,
  lazyWasmModule,
  setWasmDisabled,
} from '../../src/lib/core/vectors/wasm-module';

afterEach(() => {
  setWasmDisabled(false);
});

describe('one switch for every WASM kernel', () => {
  it('moves the vector kernels and the clustering kernels onto plain JS together', () => {
    const kernel = WasmKernel.lease();
    expect(kernel).not.toBeNull();
    kernel!.release();
    expect(DistanceArena.create(1024).backend).toBe('wasm');

    expect(setWasmDisabled(true)).toBe(false);
    expect(WasmKernel.lease()).toBeNull();
    expect(DistanceArena.create(1024).backend).toBe('js');

    expect(setWasmDisabled(false)).toBe(true);
    const again = WasmKernel.lease();
    expect(again).not.toBeNull();
    again!.release();
    expect(DistanceArena.create(1024).backend).toBe('wasm');
  });
});

describe('lazyWasmModule', () => {
  it('compiles each family of kernels once and shares the module', () => {
    for (const bytes of [VECTORS_WASM_BASE64, CLUSTER_WASM_BASE64]) {
      const module = lazyWasmModule(bytes);
      const first = module();
      expect(first).toBeInstanceOf(WebAssembly.Module);
      expect(module()).toBe(first);
    }
  });

  it('gives null (plain JS) for bytes that are not a WASM module, and while disabled', () => {
    const broken = lazyWasmModule(btoa('not a wasm module'));
    expect(broken()).toBeNull();
    expect(enabledWasmModule(broken)).toBeNull();
    const working = lazyWasmModule(VECTORS_WASM_BASE64);
    expect(enabledWasmModule(working)).toBe(working());
    setWasmDisabled(true);
    expect(enabledWasmModule(working)).toBeNull();
  });
});
