/**
 * Some of Plotly's dependencies (has-hover, typedarray-pool, regl-scatter2d) were written for
 * browserify and read a Node-style `global`. Imported before them by plotly-bundle.ts, and only
 * when the first chart loads; nothing else on the page reads `global`.
 */
const scope = globalThis as typeof globalThis & { global?: typeof globalThis };
scope.global ??= globalThis;

export {};
