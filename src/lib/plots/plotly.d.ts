// Minimal declarations of the Plotly source modules plotly-bundle.ts assembles: the app only
// talks to Plotly through the typed facade in types.ts, so the full @types/plotly.js is not
// needed.
declare module 'plotly.js/lib/core' {
  const Plotly: { register(modules: unknown[]): void };
  export default Plotly;
}
declare module 'plotly.js/lib/bar' {
  const trace: unknown;
  export default trace;
}
declare module 'plotly.js/lib/icicle' {
  const trace: unknown;
  export default trace;
}
declare module 'plotly.js/src/traces/scattergl/strict' {
  const trace: unknown;
  export default trace;
}
