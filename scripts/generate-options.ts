/**
 * The options of `npm run generate`, as one table (like analyze-options.ts): the usage line, the
 * parser and every check come from it. The model flags are the shared ones of model-flags.ts.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ONNX_DTYPES, type OnnxDtype } from '../src/lib/core/local-model';
import { UsageError } from './analyze-options';
import {
  modelFlagOptions,
  modelFlagsHelp,
  modelFlagsUsage,
  readModelFlags,
  type FlagSide,
  type ModelSource,
} from './model-flags';

/** How one option's value is read. */
type OptionSpec =
  | { kind: 'text'; placeholder: string; required?: boolean; help: string }
  | { kind: 'choice'; choices: readonly string[]; help: string }
  | { kind: 'integer' | 'number'; min: number; max: number; help: string }
  | { kind: 'flag'; help: string };

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
  dtype: {
    kind: 'choice',
    choices: ONNX_DTYPES,
    help: 'weight precision of --X-folder models, i.e. which onnx/model_<suffix>.onnx loads (default: the folder’s own, else fp32, else the first found)',
  },
  help: { kind: 'flag', help: 'print this help' },
} as const satisfies Record<string, OptionSpec>;

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

const entries = Object.entries(GENERATE_OPTIONS) as [string, OptionSpec][];

/** The one-line synopsis. */
export function generateUsage(): string {
  const own = entries
    .filter(([name]) => name !== 'help')
    .map(([name, spec]) => {
      const value =
        spec.kind === 'text'
          ? spec.placeholder
          : spec.kind === 'choice'
            ? spec.choices.join('|')
            : spec.kind === 'flag'
              ? ''
              : spec.kind === 'number'
                ? 'X'
                : 'N';
      const text = `--${name} ${value}`;
      return spec.kind === 'text' && spec.required ? text : `[${text}]`;
    });
  return `usage: npm run generate -- (${modelFlagsUsage('a')}) (${modelFlagsUsage('b')}) ${own.join(' ')}`;
}

/** The synopsis, the model flags and one line per option, for `--help`. */
export function generateHelp(): string {
  const width = Math.max(...entries.map(([name]) => name.length)) + 2;
  return [
    generateUsage(),
    '',
    'Models (the same flags as every command that takes models):',
    ...modelFlagsHelp(),
    '',
    'Options:',
    ...entries.map(([name, spec]) => `  --${name.padEnd(width)}${spec.help}`),
  ].join('\n');
}

function numberValue(
  name: string,
  spec: { kind: 'integer' | 'number'; min: number; max: number },
  value: string,
): number {
  // Strict patterns, because Number('') is 0 and Number('1e3') is 1000.
  const pattern = spec.kind === 'integer' ? /^\d+$/ : /^(\d+\.?\d*|\.\d+)$/;
  const n = pattern.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(n) || n < spec.min || n > spec.max) {
    const what = spec.kind === 'integer' ? 'a whole number' : 'a number';
    throw new UsageError(
      `--${name} must be ${what} from ${spec.min} to ${spec.max} (got "${value}")`,
    );
  }
  return n;
}

const KNOWN_FLAGS = [...Object.keys(modelFlagOptions()), ...entries.map(([name]) => name)].map(
  (name) => `--${name}`,
);

const PARSE_OPTIONS: NonNullable<ParseArgsConfig['options']> = {
  ...modelFlagOptions(),
  ...Object.fromEntries(
    entries.map(([name, spec]) => [name, { type: spec.kind === 'flag' ? 'boolean' : 'string' }]),
  ),
};

/**
 * Reads `argv` (the arguments after the script name). Returns null when help was asked for.
 * @throws UsageError on an unknown flag, a missing or disallowed value, or wrong model flags.
 */
export function parseGenerateArgs(argv: readonly string[]): GenerateCommand | null {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: false,
      strict: true,
      options: PARSE_OPTIONS,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: string }).code;
    const flag = /'(-[^' ]+)/.exec(message)?.[1] ?? message.split('\n')[0]!;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      throw new UsageError(`unknown option ${flag}; the options are ${KNOWN_FLAGS.join(', ')}`);
    }
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      throw new UsageError(
        `${message.split('\n')[0]}: every value follows its flag; ${generateUsage()}`,
      );
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && /does not take/.test(message)) {
      throw new UsageError(`${flag} takes no value`);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      throw new UsageError(
        `${flag} needs a value (one starting with "-" is written ${flag}=VALUE)`,
      );
    }
    throw new UsageError(`${message.split('\n')[0]}; ${generateUsage()}`);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) return null;
  const checked: Record<string, string | number> = {};
  for (const [name, spec] of entries) {
    const value = values[name];
    if (typeof value !== 'string') continue;
    if (value === '') throw new UsageError(`--${name} needs a value`);
    if (spec.kind === 'choice' && !spec.choices.includes(value)) {
      throw new UsageError(`--${name} must be one of ${spec.choices.join(', ')} (got "${value}")`);
    }
    checked[name] =
      spec.kind === 'integer' || spec.kind === 'number' ? numberValue(name, spec, value) : value;
  }
  const models = readModelFlags(values);
  for (const name of ['prompts', 'out-dir']) {
    if (checked[name] === undefined)
      throw new UsageError(`--${name} is required; ${generateUsage()}`);
  }
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
