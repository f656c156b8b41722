/**
 * Long main-thread work is cut into slices with a macrotask between them, so a page handles
 * input (and renders) between any two slices. `setTimeout(0)` exists in browsers, workers
 * and Node alike.
 */

/** Resolves in a fresh macrotask. */
export const nextTask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
