/** Runs the analysis pipeline (projection, clustering, statistics) off the main thread. */
import { runAnalysis, type AnalysisParams, type AnalysisResult } from '../core/analysis';
import type { Answer, Prompt } from '../core/run/types';
import type { Matrix } from '../core/vectors/matrix';
import { registerHandlers, type HandlerContext } from './rpc';

/** What one analysis needs; `vectors` should be transferred, not copied. */
export interface AnalyseRequest {
  prompts: Prompt[];
  answers: Answer[];
  vectors: Matrix;
  params: AnalysisParams;
}

const handlers = {
  analyse: (request: AnalyseRequest, ctx: HandlerContext): Promise<AnalysisResult> =>
    runAnalysis(request, request.params, {
      signal: ctx.signal,
      onProgress: (step, done, total) => ctx.progress({ phase: step, done, total }),
    }),
};

/** The analysis worker's methods, for the typed client. */
export type AnalysisHandlers = typeof handlers;

registerHandlers(handlers);
