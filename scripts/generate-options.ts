/**
 * The options of `npm run generate`, as one table (like analyze-options.ts): the usage line, the
 * parser and every check come from it. The model flags are the shared ones of model-flags.ts.
 */
import type { OnnxDtype } from '../src/lib/core/local-model';
import {
  commandHelp,
  commandUsage,
  parseCommandLine,
  requireOptions,
  type OptionTable,
} from './command-options';
import { DTYPE_OPTION, readModelFlags, type FlagSide, type ModelSource } from './model-flags';

/** Every option of the command besides the model flags, in the order the usage line shows them. */
export const GENERATE_OPTIONS = {
  prompts: {
    kind: 'text',
    placeholder: 'FILE',
    required: true,
    help: 'the prompts: one a line (.txt), CSV, JSONL, or a persona JSONL file (as the app reads them)',
  },
  'out-dir': {
    kind: 'text',
    placeholder: 'DIR',
    required: true,
    help: 'where A.jsonl and B.jsonl are written; answers already there are not generated again',
  },
  samples: {
    kind: 'integer',
    min: 1,
    max: 10_000,
    help: 'answers per prompt and model (default 3)',
  },
  temperature: {
    kind: 'number',
    min: 0,
    max: 2,
    help: 'sampling temperature, 0 for greedy decoding (default 0.7)',
  },
  'top-p': { kind: 'number', min: 0.01, max: 1, help: 'nucleus sampling mass (default 0.95)' },
  'max-tokens': {
    kind: 'integer',
    min: 1,
    max: 1_000_000,
    help: 'longest answer, in tokens (default 128)',
  },
  seed: {
    kind: 'integer',
    min: 0,
    max: 2 ** 32 - 1,
    help: 'base seed: sample i of every prompt uses seed + i, where the backend can seed (default 1)',
  },
  concurrency: {
    kind: 'integer',
    min: 1,
    max: 256,
    help: 'answers generated at once (default 1; raise it for a server such as vLLM, which batches them)',
  },
  dtype: DTYPE_OPTION,
  help: { kind: 'flag', help: 'print this help' },
} as const satisfies OptionTable;

/** The parsed command line. */
export interface GenerateCommand {
  models: Record<FlagSide, ModelSource>;
  prompts: string;
  outDir: string;
  samples: number;
  temperature: number;
  topP: number;
  maxTokens: number;
  seed: number;
  concurrency: number;
  dtype?: OnnxDtype;
}

/** The defaults, the same as the app's new-comparison form. */
export const GENERATE_DEFAULTS = Object.freeze({
  samples: 3,
  temperature: 0.7,
  topP: 0.95,
  maxTokens: 128,
  seed: 1,
  concurrency: 1,
});

/** The one-line synopsis. */
export function generateUsage(): string {
  return commandUsage('generate', GENERATE_OPTIONS);
}

/** The synopsis, the model flags and one line per option, for `--help`. */
export function generateHelp(): string {
  return commandHelp('generate', GENERATE_OPTIONS);
}

/**
 * Reads `argv` (the arguments after the script name). Returns null when help was asked for.
 * @throws UsageError on an unknown flag, a missing or disallowed value, or wrong model flags.
 */
export function parseGenerateArgs(argv: readonly string[]): GenerateCommand | null {
  const parsed = parseCommandLine('generate', GENERATE_OPTIONS, argv);
  if (!parsed) return null;
  const { values, checked } = parsed;
  const models = readModelFlags(values);
  requireOptions('generate', GENERATE_OPTIONS, parsed);
  const number = (name: string, fallback: number) =>
    (checked[name] as number | undefined) ?? fallback;
  return {
    models,
    prompts: checked.prompts as string,
    outDir: checked['out-dir'] as string,
    samples: number('samples', GENERATE_DEFAULTS.samples),
    temperature: number('temperature', GENERATE_DEFAULTS.temperature),
    topP: number('top-p', GENERATE_DEFAULTS.topP),
    maxTokens: number('max-tokens', GENERATE_DEFAULTS.maxTokens),
    seed: number('seed', GENERATE_DEFAULTS.seed),
    concurrency: number('concurrency', GENERATE_DEFAULTS.concurrency),
    ...(checked.dtype ? { dtype: checked.dtype as OnnxDtype } : {}),
  };
}
