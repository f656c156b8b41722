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
import { alpacaGenerator } from '../core/run/import/detect-format';
import { registerHandlers, type HandlerContext } from './rpc';

/** A chosen file and the name it goes by in lists and messages. */
export interface NamedFile {
  file: File;
  /** Distinct among the files chosen together (two alpaca_eval files share a file name). */
  name: string;
}

/** A chosen file with its detected format (and, for tables, a first look at its columns). */
export interface DetectedFile extends NamedFile {
  /** Position among the files chosen together: a key that stays unique when names repeat. */
  id: number;
  /** The folder it was dropped or picked from ("results/gpt4"), '' for a file chosen alone. */
  folder: string;
  format: FileFormat;
  inspection?: TableInspection;
  /** For alpaca_eval files: the model its rows name in their `generator` field. */
  generator?: string;
}

/** What inspect is told about a chosen file. */
export interface FileToInspect extends NamedFile {
  id: number;
  folder: string;
}

const options = (ctx: HandlerContext) => ({ signal: ctx.signal, onProgress: ctx.progress });

const handlers = {
  async inspect(chosen: FileToInspect, ctx: HandlerContext): Promise<DetectedFile> {
    const source = sourceFromBlob(chosen.file, chosen.name);
    const head = await readHead(source);
    const format = detectFormat(chosen.name, head);
    const detected: DetectedFile = { ...chosen, format };
    if (format === 'alpaca-eval') {
      const generator = alpacaGenerator(head);
      if (generator !== undefined) detected.generator = generator;
    }
    if (format === 'jsonl' || format === 'json-array' || format === 'csv') {
      detected.inspection = await inspectTable(source, { ...options(ctx), format });
    }
    return detected;
  },
  importAlpacaPair: ({ a, b }: { a: NamedFile; b: NamedFile }, ctx: HandlerContext) =>
    importAlpacaEvalPair(
      sourceFromBlob(a.file, a.name),
      sourceFromBlob(b.file, b.name),
      options(ctx),
    ),
  importTable: (
    { file, mapping }: { file: NamedFile; mapping: FieldMapping },
    ctx: HandlerContext,
  ) => importAnswerTable(sourceFromBlob(file.file, file.name), mapping, options(ctx)),
  importLlmComparator: ({ file }: { file: NamedFile }, ctx: HandlerContext) =>
    importLlmComparator(sourceFromBlob(file.file, file.name), options(ctx)),
  readRunFile: async ({ file, name }: { file: File; name?: string }) =>
    parseRunFile(await file.text(), name ?? file.name),
};

/** The import worker's methods, for the typed client. */
export type ImportHandlers = typeof handlers;

registerHandlers(handlers);
