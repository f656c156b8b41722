// A minimal declaration: the app only talks to Plotly through the typed facade in types.ts,
// so the full @types/plotly.js is not needed.
declare module 'plotly.js-strict-dist-min' {
  const Plotly: unknown;
  export default Plotly;
}
