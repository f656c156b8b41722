/**
 * The option tables of the commands that take models (`npm run generate`, `npm run approval`):
 * one usage line, one help layout and one parser with its checks for every such command, so an
 * option cannot be documented one way and read another, and each command lists only its table.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './analyze-options';
import { modelFlagOptions, modelFlagsHelp, modelFlagsUsage } from './model-flags';

/** How one option's value is read; `several` takes a list (`--persona a.jsonl b.jsonl`). */
export type OptionSpec =
  | { kind: 'text'; placeholder: string; required?: boolean; several?: boolean; help: string }
  | { kind: 'choice'; choices: readonly string[]; help: string }
  | { kind: 'integer' | 'number'; min: number; max: number; help: string }
  | { kind: 'flag'; help: string };

/** A command's own options (besides the model flags), in the order the usage line shows them. */
export type OptionTable = Record<string, OptionSpec>;

const entriesOf = (table: OptionTable) => Object.entries(table);

/** The one-line synopsis of `npm run <command>`: both models' flags, then the table's options. */
export function commandUsage(command: string, table: OptionTable): string {
  const own = entriesOf(table)
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
  return `usage: npm run ${command} -- (${modelFlagsUsage('a')}) (${modelFlagsUsage('b')}) ${own.join(' ')}`;
}

/** `--help`: the synopsis, the model flags, one line per option, then any `extra` lines. */
export function commandHelp(
  command: string,
  table: OptionTable,
  extra: readonly string[] = [],
): string {
  const entries = entriesOf(table);
  const width = Math.max(...entries.map(([name]) => name.length)) + 2;
  return [
    commandUsage(command, table),
    '',
    'Models (the same flags as every command that takes models):',
    ...modelFlagsHelp(),
    '',
    'Options:',
    ...entries.map(([name, spec]) => `  --${name.padEnd(width)}${spec.help}`),
    ...extra,
  ].join('\n');
}

/** The column width `commandHelp` pads option names to (for extra lines that line up). */
export function helpWidth(table: OptionTable): number {
  return Math.max(...Object.keys(table).map((name) => name.length)) + 2;
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

/** What `parseCommandLine` read: raw values (for the model flags), checked values, lists. */
export interface ParsedCommandLine {
  /** Every flag as parseArgs gave it, model flags included. */
  values: Record<string, string | string[] | boolean | undefined>;
  /** The table's single-valued options, checked: numbers in range, choices allowed. */
  checked: Record<string, string | number>;
  /** The values of options that take several, in the order given. */
  several: Map<string, string[]>;
}

/**
 * Reads `argv` (the arguments after the script name) against the model flags and `table`.
 * Returns null when `--help` was given.
 * @throws UsageError on an unknown flag, a missing or disallowed value, or a value without its flag.
 */
export function parseCommandLine(
  command: string,
  table: OptionTable,
  argv: readonly string[],
): ParsedCommandLine | null {
  const entries = entriesOf(table);
  const severalNames = new Set(
    entries.filter(([, spec]) => spec.kind === 'text' && spec.several).map(([name]) => name),
  );
  const options: NonNullable<ParseArgsConfig['options']> = {
    ...modelFlagOptions(),
    ...Object.fromEntries(
      entries.map(([name, spec]) => [
        name,
        spec.kind === 'flag'
          ? { type: 'boolean' }
          : { type: 'string', ...(severalNames.has(name) ? { multiple: true } : {}) },
      ]),
    ),
  };
  const knownFlags = [...Object.keys(modelFlagOptions()), ...Object.keys(table)].map(
    (name) => `--${name}`,
  );
  const usage = commandUsage(command, table);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      // Bare values are allowed only to continue an option that takes several.
      allowPositionals: severalNames.size > 0,
      strict: true,
      tokens: true,
      options,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: string }).code;
    const flag = /'(-[^' ]+)/.exec(message)?.[1] ?? message.split('\n')[0]!;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      throw new UsageError(`unknown option ${flag}; the options are ${knownFlags.join(', ')}`);
    }
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      throw new UsageError(`${message.split('\n')[0]}: every value follows its flag; ${usage}`);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && /does not take/.test(message)) {
      throw new UsageError(`${flag} takes no value`);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      throw new UsageError(
        `${flag} needs a value (one starting with "-" is written ${flag}=VALUE)`,
      );
    }
    throw new UsageError(`${message.split('\n')[0]}; ${usage}`);
  }
  const values = parsed.values as ParsedCommandLine['values'];
  if (values.help) return null;
  // A bare value continues the list of the option before it when that option takes several.
  const several = new Map<string, string[]>();
  let last: string | undefined;
  for (const token of parsed.tokens ?? []) {
    if (token.kind === 'option') {
      last = token.name;
      if (severalNames.has(token.name) && token.value !== undefined) {
        several.set(token.name, [...(several.get(token.name) ?? []), token.value]);
      }
    } else if (token.kind === 'positional') {
      if (last === undefined || !severalNames.has(last)) {
        const which = [...severalNames].map((n) => `--${n}`).join(', ');
        throw new UsageError(
          `unexpected "${token.value}": every value follows its flag (only ${which} takes several); ${usage}`,
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
  return { values, checked, several };
}

/**
 * Checks that every required option of `table` was given (after the model flags, so that a
 * command line with several mistakes names the models' first, as the commands always have).
 * @throws UsageError naming the first missing option and the usage line.
 */
export function requireOptions(
  command: string,
  table: OptionTable,
  parsed: ParsedCommandLine,
): void {
  for (const [name, spec] of entriesOf(table)) {
    if (spec.kind !== 'text' || !spec.required) continue;
    const given = spec.several
      ? (parsed.several.get(name)?.length ?? 0) > 0
      : parsed.checked[name] !== undefined;
    if (!given) throw new UsageError(`--${name} is required; ${commandUsage(command, table)}`);
  }
}
