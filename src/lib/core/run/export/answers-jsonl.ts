/**
 * All answers of a run as JSONL, one JSON object per answer: the exact text, unescaped, for
 * tools (the CSV export neutralises formula-like cells for spreadsheets and so changes them).
 * The app's own table importer reads it back: prompt → "prompt", answer → "text", model →
 * "side" (or "model"), sample → "sample", category → "category", prompt id → "promptId".
 */
import type { Run, Side } from '../types';
import { answersInOrder } from './answers-csv';

/** One line of the JSONL answers export. */
export interface AnswerRecord {
  promptId: string;
  category?: string;
  prompt: string;
  side: Side;
  /** The label of the model that answered on this side. */
  model: string;
  sample: number;
  text: string;
  finishReason: string;
  completionTokens?: number;
}

/** The run's answers as JSONL (one record per line, "\n" line ends), in the CSV export's order. */
export function answersToJsonl(run: Run): string {
  const byId = new Map(run.prompts.map((p) => [p.id, p]));
  const lines = answersInOrder(run).map((a) => {
    const prompt = byId.get(a.promptId);
    const record: AnswerRecord = {
      promptId: a.promptId,
      ...(prompt?.category === undefined ? {} : { category: prompt.category }),
      prompt: prompt?.text ?? '',
      side: a.side,
      model: run.models[a.side].label,
      sample: a.sample,
      text: a.text,
      finishReason: a.finishReason,
      ...(a.completionTokens === undefined ? {} : { completionTokens: a.completionTokens }),
    };
    return JSON.stringify(record);
  });
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}
