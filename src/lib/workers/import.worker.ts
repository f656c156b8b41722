/** Parses and validates imported files off the main thread, so a 50 MB file never freezes the page. */
import {
  detectFormat,
  importAlpacaEvalPair,
  importAnswerTable,
  importLlmComparator,
  inspectTable,
  parseRunFile,
  readHead,
  type FieldMapping,
  type FileFormat,
  type TableInspection,
} from '../core/run';
import { sourceFromBlob } from '../core/run/import/blob-source';
import { registerHandlers, type HandlerContext } from './rpc';

/** A chosen file with its detected format (and, for tables, a first look at its columns). */
export interface DetectedFile {
  file: File;
  format: FileFormat;
  formatLabel: string;
  inspection?: TableInspection;
}

const FORMAT_LABELS: Record<FileFormat, string> = {
  'run-file': 'Behaviour Diff run file',
  'alpaca-eval': 'alpaca_eval model outputs',
  'llm-comparator': 'LLM Comparator JSON',
  jsonl: 'JSONL table',
  'json-array': 'JSON table',
  csv: 'CSV table',
};

const options = (ctx: HandlerContext) => ({ signal: ctx.signal, onProgress: ctx.progress });

const handlers = {
  async inspect({ file }: { file: File }, ctx: HandlerContext): Promise<DetectedFile> {
    const source = sourceFromBlob(file);
    const format = detectFormat(file.name, await readHead(source));
    const detected: DetectedFile = { file, format, formatLabel: FORMAT_LABELS[format] };
    if (format === 'jsonl' || format === 'json-array' || format === 'csv') {
      detected.inspection = await inspectTable(source, { ...options(ctx), format });
    }
    return detected;
  },
  importAlpacaPair: ({ a, b }: { a: File; b: File }, ctx: HandlerContext) =>
    importAlpacaEvalPair(sourceFromBlob(a), sourceFromBlob(b), options(ctx)),
  importTable: ({ file, mapping }: { file: File; mapping: FieldMapping }, ctx: HandlerContext) =>
    importAnswerTable(sourceFromBlob(file), mapping, options(ctx)),
  importLlmComparator: ({ file }: { file: File }, ctx: HandlerContext) =>
    importLlmComparator(sourceFromBlob(file), options(ctx)),
  readRunFile: async ({ file }: { file: File }) => parseRunFile(await file.text(), file.name),
};

/** The import worker's methods, for the typed client. */
export type ImportHandlers = typeof handlers;

registerHandlers(handlers);
