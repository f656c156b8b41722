/** The public API of core/run: the run schema, run files, imports and exports. */
export * from './types';
export { InputError, describeValue, type InputErrorDetails } from './errors';
export { DEFAULT_GENERATION_PARAMS } from './defaults';
export { parseJson } from './parse-json';
export { bytesToBase64, base64ToBytes, float32ToBase64, base64ToFloat32 } from './float32-base64';
export {
  RUN_FILE_FORMAT,
  explanationSchema,
  runSchema,
  validateRun,
  validateRunFile,
} from './schema';
export { migrateRunFile, runFileVersion } from './migrate';
export type { RunFileV0 } from './migrations/v0-to-v1';
export { isSecretKey, scrubCredentials, scrubLogEntry } from './scrub-credentials';
export {
  serializeRunFile,
  parseRunFile,
  readRunFile,
  type ReadRunFile,
  type SerializeOptions,
} from './run-file';
export type { ComparatorExample, ComparatorFile } from './llm-comparator-format';

export type {
  FieldMapping,
  FileFormat,
  ImportedAnswers,
  ImportedModel,
  ImportOptions,
  ImportProgress,
  ImportReport,
  ReportedRow,
  TableFormat,
  TableInspection,
} from './import/types';
export {
  sourceFromString,
  readHead,
  readText,
  readLines,
  type SourceFile,
  type TextLine,
} from './import/source';
export { sourceFromBlob } from './import/blob-source';
export { detectFormat } from './import/detect-format';
export { guessMapping } from './import/column-guess';
export { importAnswerTable, type TableImportOptions } from './import/answer-table';
export { importTablePair } from './import/table-pair';
export { inspectTable, type InspectOptions } from './import/inspect-table';
export { importAlpacaEvalPair } from './import/alpaca-eval';
export { importLlmComparator } from './import/llm-comparator';
export { runFromImport, type RunFromImportOptions } from './import/run-from-import';

export { answersToCsv, ANSWER_CSV_COLUMNS } from './export/answers-csv';
export { runToLlmComparator } from './export/llm-comparator-json';
