/**
 * The options of `npm run approval`, as one table (like generate-options.ts): the usage line, the
 * parser and every check come from it. The model flags are the shared ones of model-flags.ts.
 */
import { BUILTIN_CONDITIONS } from '../src/lib/core/approval/conditions';
import type { ApprovalCondition } from '../src/lib/core/approval/types';
import type { OnnxDtype } from '../src/lib/core/local-model';
import { UsageError } from './analyze-options';
import {
  commandHelp,
  commandUsage,
  helpWidth,
  parseCommandLine,
  requireOptions,
  type OptionTable,
} from './command-options';
import { DTYPE_OPTION, readModelFlags, type FlagSide, type ModelSource } from './model-flags';

/** Every option of the command besides the model flags, in the order the usage line shows them. */
export const APPROVAL_OPTIONS = {
  persona: {
    kind: 'text',
    placeholder: 'FILE [FILE ...]',
    required: true,
    several: true,
    help: 'statement files, each a category: an Anthropic persona JSONL file (one object a line: the question asked, its statement and the answer that matches the behaviour) or a plain list (.txt, one statement a line)',
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
  dtype: DTYPE_OPTION,
  help: { kind: 'flag', help: 'print this help' },
} as const satisfies OptionTable;

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

/** The one-line synopsis. */
export function approvalUsage(): string {
  return commandUsage('approval', APPROVAL_OPTIONS);
}

/** The synopsis, the model flags, one line per option and the conditions, for `--help`. */
export function approvalHelp(): string {
  const width = helpWidth(APPROVAL_OPTIONS);
  return commandHelp('approval', APPROVAL_OPTIONS, [
    '',
    'Conditions (the system prompt each question is asked under):',
    ...BUILTIN_CONDITIONS.map(
      (c) =>
        `  ${c.id.padEnd(width + 2)}${c.systemPrompt === null ? '(no system prompt)' : c.systemPrompt}`,
    ),
  ]);
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

/**
 * Reads `argv` (the arguments after the script name). Returns null when help was asked for.
 * @throws UsageError on an unknown flag, a missing or disallowed value, a value without its
 *   flag, an unknown condition, or wrong model flags.
 */
export function parseApprovalArgs(argv: readonly string[]): ApprovalCommand | null {
  const parsed = parseCommandLine('approval', APPROVAL_OPTIONS, argv);
  if (!parsed) return null;
  const { values, checked, several } = parsed;
  const models = readModelFlags(values);
  requireOptions('approval', APPROVAL_OPTIONS, parsed);
  const persona = several.get('persona') ?? [];
  if (persona.some((p) => p.trim() === '')) throw new UsageError('--persona needs a value');
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
