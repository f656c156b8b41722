/**
 * The options of `npm run analyze`, as one table: the usage line, the parser and every check
 * come from it, so an option cannot be documented one way and read another. A value that is not
 * allowed is an error that names the allowed ones; nothing unknown is ever recorded in a report.
 */
import { parseArgs } from 'node:util';
import type { ClusteringMethod, ProjectionMethod } from '../src/lib/core/analysis';

/** How one option's value is read. */
type OptionSpec =
  | { kind: 'text'; placeholder: string; required?: boolean; help: string }
  | { kind: 'choice'; choices: readonly string[]; help: string }
  | {
      kind: 'integer';
      min: number;
      max?: number;
      /** Words accepted besides a number, e.g. `auto`. */
      words?: readonly string[];
      help: string;
    }
  | { kind: 'flag'; help: string };

// Records keyed by the union types make the compiler flag a method added to the params but not here.
const CLUSTERINGS: Record<ClusteringMethod, true> = { kmeans: true, ward: true, hdbscan: true };
const PROJECTIONS: Record<ProjectionMethod, true> = { umap: true, pca: true };

/** Every option of the CLI, in the order the usage line shows them. */
export const ANALYZE_OPTIONS = {
  out: {
    kind: 'text',
    placeholder: 'REPORT.json',
    required: true,
    help: 'where REPORT.json is written',
  },
  md: { kind: 'text', placeholder: 'REPORT.md', help: 'also write a Markdown report' },
  csv: {
    kind: 'text',
    placeholder: 'ANSWERS.csv',
    help: 'also write one row per answer: its cluster and style features',
  },
  embedder: {
    kind: 'text',
    placeholder: 'bundled|<hub model id>|<folder>',
    help: 'the bundled embedder (default), a hub model, or a local folder in the transformers.js layout',
  },
  k: {
    kind: 'integer',
    min: 1,
    words: ['auto'],
    help: 'number of clusters (default auto: chosen by silhouette)',
  },
  seed: { kind: 'integer', min: 0, max: 2 ** 32 - 1, help: 'random seed (default 1)' },
  clustering: {
    kind: 'choice',
    choices: Object.keys(CLUSTERINGS),
    help: 'clustering method (default kmeans)',
  },
  projection: {
    kind: 'choice',
    choices: Object.keys(PROJECTIONS),
    help: '2-D map layout (default umap)',
  },
  permutations: {
    kind: 'integer',
    min: 99,
    help: 'permutations of each permutation test (default 999)',
  },
  'supervisor-url': {
    kind: 'text',
    placeholder: 'URL',
    help: 'an OpenAI-compatible server (e.g. http://127.0.0.1:8000/v1) to describe, label and test the differences',
  },
  'supervisor-model': {
    kind: 'text',
    placeholder: 'NAME',
    help: 'the supervisor model (required with --supervisor-url)',
  },
  'supervisor-key-env': {
    kind: 'text',
    placeholder: 'VAR',
    help: 'the environment variable holding the supervisor API key (never a flag: flags show in ps)',
  },
  hypotheses: {
    kind: 'integer',
    min: 1,
    max: 20,
    help: 'hypotheses the supervisor proposes (default 5)',
  },
  'properties-sample': {
    kind: 'integer',
    min: 1,
    help: 'discovery prompts whose two answers the supervisor compares (default 40)',
  },
  'held-out-sample': {
    kind: 'integer',
    min: 1,
    help: 'held-out prompts each hypothesis is judged on, twice (default 60)',
  },
  'max-requests': {
    kind: 'integer',
    min: 1,
    help: 'spending cap: supervisor requests at most, retries included (default 1000)',
  },
  concurrency: {
    kind: 'integer',
    min: 1,
    max: 32,
    help: 'supervisor requests at once (default 4)',
  },
  cache: {
    kind: 'text',
    placeholder: 'FILE',
    help: 'keep every supervisor reply in FILE, so a rerun after an interruption pays only for what is missing',
  },
  help: { kind: 'flag', help: 'print this help' },
} as const satisfies Record<string, OptionSpec>;

/** An option name of the CLI. */
export type AnalyzeOptionName = keyof typeof ANALYZE_OPTIONS;

/** The parsed command line: the two answer files and the options that were given. */
export interface AnalyzeCommand {
  fileA: string;
  fileB: string;
  out: string;
  md?: string;
  csv?: string;
  embedder: string;
  k?: number | 'auto';
  seed?: number;
  clustering?: ClusteringMethod;
  projection?: ProjectionMethod;
  permutations?: number;
  'supervisor-url'?: string;
  'supervisor-model'?: string;
  'supervisor-key-env'?: string;
  hypotheses?: number;
  'properties-sample'?: number;
  'held-out-sample'?: number;
  'max-requests'?: number;
  concurrency?: number;
  cache?: string;
}

/** A command line that cannot be run; the message says what was wrong and what is allowed. */
export class UsageError extends Error {
  override name = 'UsageError';
}

function placeholderOf(spec: OptionSpec): string {
  switch (spec.kind) {
    case 'text':
      return spec.placeholder;
    case 'choice':
      return spec.choices.join('|');
    case 'integer':
      return ['N', ...(spec.words ?? [])].join('|');
    case 'flag':
      return '';
  }
}

const entries = Object.entries(ANALYZE_OPTIONS) as [AnalyzeOptionName, OptionSpec][];

/** The one-line synopsis, built from the option table. */
export function usageLine(): string {
  const parts = entries
    .filter(([name]) => name !== 'help')
    .map(([name, spec]) => {
      const text = `--${name} ${placeholderOf(spec)}`;
      return spec.kind === 'text' && spec.required ? text : `[${text}]`;
    });
  return `usage: npm run analyze -- A_FILE B_FILE ${parts.join(' ')}`;
}

/** The synopsis and one line per option, for `--help`. */
export function helpText(): string {
  const width = Math.max(...entries.map(([name]) => name.length)) + 2;
  return [
    usageLine(),
    '',
    ...entries.map(([name, spec]) => `  --${name.padEnd(width)}${spec.help}`),
  ].join('\n');
}

const KNOWN_FLAGS = entries.map(([name]) => `--${name}`).join(', ');

/** The integer in `value`, or one of `spec.words`; throws UsageError naming what is allowed. */
function integerValue(
  name: string,
  spec: Extract<OptionSpec, { kind: 'integer' }>,
  value: string,
): number | string {
  if (spec.words?.includes(value)) return value;
  const range =
    spec.max === undefined ? `of at least ${spec.min}` : `from ${spec.min} to ${spec.max}`;
  const allowed = [`a whole number ${range}`, ...(spec.words ?? []).map((w) => `"${w}"`)].join(
    ' or ',
  );
  // A strict pattern, because Number('') is 0 and Number('1e3') is 1000.
  const n = /^-?\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < spec.min || (spec.max !== undefined && n > spec.max)) {
    throw new UsageError(`--${name} must be ${allowed} (got "${value}")`);
  }
  return n;
}

/**
 * Reads `argv` (the arguments after the script name). Returns null when help was asked for.
 * @throws UsageError on an unknown flag, a missing or disallowed value, or a wrong file count.
 */
export function parseAnalyzeArgs(argv: readonly string[]): AnalyzeCommand | null {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: Object.fromEntries(
        entries.map(([name, spec]) => [
          name,
          { type: spec.kind === 'flag' ? 'boolean' : 'string' },
        ]),
      ),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: string }).code;
    // parseArgs names the option in quotes, sometimes with a placeholder: '--k <value>'.
    const flag = /'(-[^' ]+)/.exec(message)?.[1] ?? message.split('\n')[0]!;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      throw new UsageError(`unknown option ${flag}; the options are ${KNOWN_FLAGS}`);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && /does not take/.test(message)) {
      throw new UsageError(`${flag} takes no value`);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      throw new UsageError(
        `${flag} needs a value (one starting with "-" is written ${flag}=VALUE); ${usageLine()}`,
      );
    }
    throw new UsageError(`${message.split('\n')[0]}; ${usageLine()}`);
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
    checked[name] = spec.kind === 'integer' ? integerValue(name, spec, value) : value;
  }
  if (parsed.positionals.length !== 2) {
    throw new UsageError(
      `expected two answer files (A then B), got ${parsed.positionals.length}; ${usageLine()}`,
    );
  }
  if (checked.out === undefined) throw new UsageError(`--out is required; ${usageLine()}`);
  const supervisorOnly = [
    'supervisor-model',
    'supervisor-key-env',
    'hypotheses',
    'properties-sample',
    'held-out-sample',
    'max-requests',
    'concurrency',
    'cache',
  ].filter((name) => checked[name] !== undefined);
  if (checked['supervisor-url'] === undefined && supervisorOnly.length > 0) {
    throw new UsageError(`--${supervisorOnly[0]} needs --supervisor-url`);
  }
  if (checked['supervisor-url'] !== undefined && checked['supervisor-model'] === undefined) {
    throw new UsageError('--supervisor-url needs --supervisor-model NAME');
  }
  return {
    ...(checked as Omit<AnalyzeCommand, 'fileA' | 'fileB' | 'embedder'>),
    fileA: parsed.positionals[0]!,
    fileB: parsed.positionals[1]!,
    embedder: (checked.embedder as string | undefined) ?? 'bundled',
  };
}
