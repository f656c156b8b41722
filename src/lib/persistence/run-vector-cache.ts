/**
 * The vector cache an analysis of one run sees: the run's own (imported) vectors first, then
 * the shared cache of vectors computed on this machine, and new vectors go to the shared
 * cache. Every vector found or stored is linked to the run, so its export carries all the
 * vectors its analyses used.
 */
import type { VectorCache } from '../core/analysis/embed-cache';
import { nextTask } from '../core/next-task';
import type { RunRepository } from './runs';

/** Vector cache reads and writes per IndexedDB transaction (a few ms of main-thread work each). */
const SLICE = 250;

function slices<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += SLICE) out.push(items.slice(i, i + SLICE));
  return out;
}

/** Reads a map a slice at a time with a macrotask between, so no single task blocks the page. */
function sliced(
  read: (embedderId: string, slice: string[]) => Promise<Map<string, Float32Array>>,
): (embedderId: string, hashes: readonly string[]) => Promise<Map<string, Float32Array>> {
  return async (embedderId, hashes) => {
    const found = new Map<string, Float32Array>();
    for (const slice of slices(hashes)) {
      for (const [hash, vector] of await read(embedderId, slice)) found.set(hash, vector);
      await nextTask();
    }
    return found;
  };
}

/** The cache for analysing run `runId` (see the file comment). */
export function runVectorCache(repo: RunRepository, runId: string): VectorCache {
  return {
    getImported: sliced((embedderId, slice) => repo.getRunVectors(runId, embedderId, slice)),
    get: sliced((embedderId, slice) => repo.getVectors(embedderId, slice, { runId })),
    put: async (records) => {
      for (const slice of slices(records)) {
        await repo.putVectors(slice, { runId });
        await nextTask();
      }
    },
  };
}
