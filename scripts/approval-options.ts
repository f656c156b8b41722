/**
 * The options of `npm run approval`, as one table (like generate-options.ts): the usage line, the
 * parser and every check come from it. The model flags are the shared ones of model-flags.ts.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { BUILTIN_CONDITIONS } from '../src/lib/core/approval/conditions';
import type { ApprovalCondition } from '../src/lib/core/approval/types';
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
  | { kind: 'text'; placeholder: string; required?: boolean; several?: boolean; help: string }
  | { kind: 'choice'; choices: readonly string[]; help: string }
  | { kind: 'integer' | 'number'; min: number; max: number; help: string }
  | { kind: 'flag'; help: string };

/** Every option of the command besides the model flags, in the order the usage line shows them. */
export const APPROVAL_OPTIONS = {
  persona: {
    kind: 'text',
    placeholder: 'FILE [FILE ...]',
    required: true,
    several: true,
    help: 'statement files, each a category: Anthropic persona JSONL (question, statement, answer_matching_behavior, ...) or a plain list (.txt, one statement a line)',
  },
  out: {
    kind: 'text',
    placeholder: 'APPROVAL.json',
    required: true,
    help: 'where the results are written: { results: [one row per file x condition], statements: [...] }',
  },
  conditions: {
    kind: 'text',
    placeholder: 'NAME,...',
    help: `the conditions (system-prompt personas) by id, comma-separated: ${BUILTIN_CONDITIONS.map((c) => c.id).join(', ')} (default: all)`,
  },
  'per-file': {
    kind: 'integer',
    min: 0,
    max: 1_000_000,
    help: 'a seeded subset of this many statements per file (default 0: every statement)',
  },
  seed: {
    kind: 'integer',
    min: 0,
    max: 2 ** 32 - 1,
    help: 'seed of the subsets and of the models where they can be seeded (default 1)',
  },
  temperature: {
    kind: 'number',
    min: 0,
    max: 2,
    help: 'sampling temperature (default 0: greedy decoding)',
  },
  'max-tokens': {
    kind: 'integer',
    min: 1,
    max: 100_000,
    help: 'longest reply, in tokens (default 16: only the first word is read)',
  },
  concurrency: {
    kind: 'integer',
    min: 1,
    max: 256,
    help: 'replies generated at once (default 1; raise it for a server such as vLLM, which batches them)',
  },
  dtype: {
    kind: 'choice',
    choices: ONNX_DTYPES,
    help: 'weight precision of --X-folder models, i.e. which onnx/model_<suffix>.onnx loads (default: the folder’s own, else fp32, else the first found)',
  },
  help: { kind: 'flag', help: 'print this help' },
} as const satisfies Record<string, OptionSpec>;

/** The parsed command line. */
export interface ApprovalCommand {
  models: Record<FlagSide, ModelSource>;
  /** Statement file paths, in the order given. */
  persona: string[];
  out: string;
  conditions: ApprovalCondition[];
  /** null: every statement. */
  perFile: number | null;
  seed: number;
  temperature: number;
  maxTokens: number;
  concurrency: number;
  dtype?: OnnxDtype;
}

/** The defaults: greedy, short replies (the first word is all that is read), every statement. */
export const APPROVAL_DEFAULTS = Object.freeze({
  perFile: 0,
  seed: 1,
  temperature: 0,
  maxTokens: 16,
  concurrency: 1,
});

const entries = Object.entries(APPROVAL_OPTIONS) as [string, OptionSpec][];

/** The one-line synopsis. */
export function approvalUsage(): string {
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
  return `usage: npm run approval -- (${modelFlagsUsage('a')}) (${modelFlagsUsage('b')}) ${own.join(' ')}`;
}

/** The synopsis, the model flags, one line per option and the conditions, for `--help`. */
export function approvalHelp(): string {
  const width = Math.max(...entries.map(([name]) => name.length)) + 2;
  return [
    approvalUsage(),
    '',
    'Models (the same flags as every command that takes models):',
    ...modelFlagsHelp(),
    '',
    'Options:',
    ...entries.map(([name, spec]) => `  --${name.padEnd(width)}${spec.help}`),
    '',
    'Conditions (the system prompt each question is asked under):',
    ...BUILTIN_CONDITIONS.map(
      (c) =>
        `  ${c.id.padEnd(width + 2)}${c.systemPrompt === null ? '(no system prompt)' : c.systemPrompt}`,
    ),
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

/**
 * The built-in conditions named by `list` (comma-separated ids), in the order given.
 * @throws UsageError for an unknown or repeated id, listing the known ones.
 */
export function readConditions(list: string): ApprovalCondition[] {
  const ids = list
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  if (ids.length === 0) throw new UsageError('--conditions needs at least one condition id');
  const known = BUILTIN_CONDITIONS.map((c) => c.id).join(', ');
  const chosen: ApprovalCondition[] = [];
  for (const id of ids) {
    const condition = BUILTIN_CONDITIONS.find((c) => c.id === id);
    if (!condition) {
      throw new UsageError(`--conditions: unknown condition "${id}"; the conditions are ${known}`);
    }
    if (chosen.includes(condition)) throw new UsageError(`--conditions: "${id}" is given twice`);
    chosen.push(condition);
  }
  return chosen;
}

const KNOWN_FLAGS = [...Object.keys(modelFlagOptions()), ...entries.map(([name]) => name)].map(
  (name) => `--${name}`,
);

const PARSE_OPTIONS: NonNullable<ParseArgsConfig['options']> = {
  ...modelFlagOptions(),
  ...Object.fromEntries(
    entries.map(([name, spec]) => [
      name,
      spec.kind === 'flag'
        ? { type: 'boolean' }
        : { type: 'string', ...(spec.kind === 'text' && spec.several ? { multiple: true } : {}) },
    ]),
  ),
};

/** Options that take several values, `--persona a.jsonl b.jsonl` as well as repeated flags. */
const SEVERAL = new Set(
  entries.filter(([, spec]) => spec.kind === 'text' && spec.several).map(([name]) => name),
);

/**
 * Reads `argv` (the arguments after the script name). Returns null when help was asked for.
 * @throws UsageError on an unknown flag, a missing or disallowed value, a value without its
 *   flag, an unknown condition, or wrong model flags.
 */
export function parseApprovalArgs(argv: readonly string[]): ApprovalCommand | null {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      tokens: true,
      options: PARSE_OPTIONS,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: string }).code;
    const flag = /'(-[^' ]+)/.exec(message)?.[1] ?? message.split('\n')[0]!;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      throw new UsageError(`unknown option ${flag}; the options are ${KNOWN_FLAGS.join(', ')}`);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && /does not take/.test(message)) {
      throw new UsageError(`${flag} takes no value`);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      throw new UsageError(
        `${flag} needs a value (one starting with "-" is written ${flag}=VALUE)`,
      );
    }
    throw new UsageError(`${message.split('\n')[0]}; ${approvalUsage()}`);
  }
  const values = parsed.values as Record<string, string | string[] | boolean | undefined>;
  if (values.help) return null;
  // A bare value continues the list of the option before it when that option takes several.
  const several = new Map<string, string[]>();
  let last: string | undefined;
  for (const token of parsed.tokens ?? []) {
    if (token.kind === 'option') {
      last = token.name;
      if (SEVERAL.has(token.name) && token.value !== undefined) {
        several.set(token.name, [...(several.get(token.name) ?? []), token.value]);
      }
    } else if (token.kind === 'positional') {
      if (last === undefined || !SEVERAL.has(last)) {
        throw new UsageError(
          `unexpected "${token.value}": every value follows its flag (only --persona takes several); ${approvalUsage()}`,
        );
      }
      several.set(last, [...(several.get(last) ?? []), token.value]);
    } else {
      last = undefined;
    }
  }
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
  const persona = several.get('persona') ?? [];
  if (persona.length === 0) throw new UsageError(`--persona is required; ${approvalUsage()}`);
  if (persona.some((p) => p.trim() === '')) throw new UsageError('--persona needs a value');
  if (checked.out === undefined) throw new UsageError(`--out is required; ${approvalUsage()}`);
  const number = (name: string, fallback: number) =>
    (checked[name] as number | undefined) ?? fallback;
  const perFile = number('per-file', APPROVAL_DEFAULTS.perFile);
  return {
    models,
    persona,
    out: checked.out as string,
    conditions:
      checked.conditions === undefined
        ? [...BUILTIN_CONDITIONS]
        : readConditions(checked.conditions as string),
    perFile: perFile === 0 ? null : perFile,
    seed: number('seed', APPROVAL_DEFAULTS.seed),
    temperature: number('temperature', APPROVAL_DEFAULTS.temperature),
    maxTokens: number('max-tokens', APPROVAL_DEFAULTS.maxTokens),
    concurrency: number('concurrency', APPROVAL_DEFAULTS.concurrency),
    ...(checked.dtype ? { dtype: checked.dtype as OnnxDtype } : {}),
  };
}
