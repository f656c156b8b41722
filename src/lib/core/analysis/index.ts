/** The public API of core/analysis: parameters, the pipeline, embedding with a cache, REPORT.json. */
export * from './params';
export * from './pipeline';
export * from './embed-cache';
export * from './report-json';
export * from './embedder-note';
