/**
 * The options of `npm run score`, as one table (like generate-options.ts and
 * approval-options.ts): the usage line, the parser and every check come from it, and the help
 * adds the input and output formats. The model flags are the shared ones of model-flags.ts.
 */
import type { OnnxDtype } from '../src/lib/core/local-model';
import { UsageError } from './analyze-options';
import {
  commandHelp,
  commandUsage,
  parseCommandLine,
  requireOptions,
  type OptionTable,
} from './command-options';
import { DTYPE_OPTION, readModelFlags, type FlagSide, type ModelSource } from './model-flags';

/** Every option of the command besides the model flags, in the order the usage line shows them. */
export const SCORE_OPTIONS = {
  in: {
    kind: 'text',
    placeholder: 'FILE.jsonl',
    required: true,
    help: 'the answers to score: one JSON object a line, { "prompt": "...", "answer": "..." } (see Input)',
  },
  out: {
    kind: 'text',
    placeholder: 'SCORES.json',
    required: true,
    help: 'where the scores are written (see Output); nothing is written unless every line scored',
  },
  'top-k': {
    kind: 'integer',
    min: 0,
    max: 100,
    help: "also keep each model's N most likely next tokens at every token, as topA and topB (default 0: none; both models local)",
  },
  batch: {
    kind: 'integer',
    min: 1,
    max: 256,
    help: 'answers per forward pass of a local model (default 4)',
  },
  dtype: DTYPE_OPTION,
  help: { kind: 'flag', help: 'print this help' },
} as const satisfies OptionTable;

/** The parsed command line. */
export interface ScoreCommand {
  models: Record<FlagSide, ModelSource>;
  in: string;
  out: string;
  topK: number;
  batchSize: number;
  dtype?: OnnxDtype;
}

/** The defaults: no top tokens, four answers a forward pass. */
export const SCORE_DEFAULTS = Object.freeze({ topK: 0, batchSize: 4 });

/** The one-line synopsis. */
export function scoreUsage(): string {
  return commandUsage('score', SCORE_OPTIONS);
}

/** The synopsis, the model flags, one line per option and the two formats, for `--help`. */
export function scoreHelp(): string {
  return commandHelp('score', SCORE_OPTIONS, [
    '',
    'Scores each answer as the reply to its prompt under model A and under model B, token by',
    'token: the log probability of every token of the answer, the end-of-turn token last, given the',
    'prompt (as a user message, chat-templated as for generation) and the tokens before it.',
    '',
    'Input (--in), one JSON object a line; blank lines are skipped, other fields ignored:',
    '  {"prompt": "What is wisdom?", "answer": "The fear of the Lord."}',
    '',
    'Output (--out), one item per input line, in order (natural logs):',
    '  { "items": [ { "prompt", "answer",',
    '      "tokens": [ { "token", "logpA", "logpB", "kl" }, ... ],',
    '      "logpA", "logpB", "llr", "meanKl" } ] }',
    "  tokens[].token         the token's text (special tokens by name, e.g. <|im_end|>)",
    '  tokens[].logpA, logpB  log p(token | prompt, tokens before) under A and under B; logpA is',
    "                         null where A splits the text into other tokens than B (B's are listed)",
    '  tokens[].kl            KL(B || A) in nats of the two next-token distributions before the',
    '                         token, large where the models expect different things; null unless',
    '                         both models are local with one vocabulary',
    "  tokens[].topA, topB    with --top-k N: each model's N most likely next tokens there",
    '                         ({ "token", "logprob" }, most likely first)',
    "  logpA, logpB           the answer's total log probability under A and under B",
    '  llr                    logpB - logpA: positive when B finds the answer more likely',
    "  meanKl                 the mean of the tokens' kl (null when they are null)",
    '  skipped                only on a line too long for a local model: why; its tokens are',
    '                         [] and its numbers null (the other lines are still scored)',
    '',
    'A model given by --X-url must be a vLLM server (its prompt_logprobs extension of chat',
    'completions); there every token the chat template writes after the answer counts as the',
    'end of the turn (e.g. <|im_end|> and a newline), and kl is null.',
  ]);
}

/**
 * Reads `argv` (the arguments after the script name). Returns null when help was asked for.
 * @throws UsageError on an unknown flag, a missing or disallowed value, a value without its
 *   flag, wrong model flags, or --top-k with a model given by URL.
 */
export function parseScoreArgs(argv: readonly string[]): ScoreCommand | null {
  const parsed = parseCommandLine('score', SCORE_OPTIONS, argv);
  if (!parsed) return null;
  const { values, checked } = parsed;
  const models = readModelFlags(values);
  requireOptions('score', SCORE_OPTIONS, parsed);
  const topK = (checked['top-k'] as number | undefined) ?? SCORE_DEFAULTS.topK;
  const remote = (['a', 'b'] as const).filter((s) => models[s].kind === 'url');
  if (topK > 0 && remote.length > 0) {
    throw new UsageError(
      `--top-k needs both models local: a server gives no next-token lists for a prompt (--${remote[0]}-url)`,
    );
  }
  return {
    models,
    in: checked.in as string,
    out: checked.out as string,
    topK,
    batchSize: (checked.batch as number | undefined) ?? SCORE_DEFAULTS.batchSize,
    ...(checked.dtype ? { dtype: checked.dtype as OnnxDtype } : {}),
  };
}

/** One line of the input file. */
export interface ScoreInputLine {
  prompt: string;
  answer: string;
}

/**
 * The input lines of `text` (the file `name`): one `{ "prompt", "answer" }` object a line, blank
 * lines skipped, other fields ignored.
 * @throws UsageError naming the file, the line and what was expected, at the first bad line; or
 *   when the file has no line to score.
 */
export function parseScoreInput(text: string, name: string): ScoreInputLine[] {
  const lines: ScoreInputLine[] = [];
  const rows = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (const [index, row] of rows.entries()) {
    if (row.trim() === '') continue;
    const where = `--in ${name} line ${index + 1}`;
    const expected = 'expected one JSON object a line: {"prompt": "...", "answer": "..."}';
    let value: unknown;
    try {
      value = JSON.parse(row);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new UsageError(`${where} is not JSON (${reason}); ${expected}`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
      throw new UsageError(`${where} is ${got}; ${expected}`);
    }
    const record = value as Record<string, unknown>;
    for (const field of ['prompt', 'answer'] as const) {
      const got = record[field];
      if (got === undefined) throw new UsageError(`${where} has no "${field}"; ${expected}`);
      if (typeof got !== 'string') {
        const kind = got === null ? 'null' : Array.isArray(got) ? 'an array' : typeof got;
        throw new UsageError(`${where}: "${field}" must be a string (got ${kind}); ${expected}`);
      }
    }
    lines.push({ prompt: record.prompt as string, answer: record.answer as string });
  }
  if (lines.length === 0) throw new UsageError(`--in ${name}: no lines to score`);
  return lines;
}
