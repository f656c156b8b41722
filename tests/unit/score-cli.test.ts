/**
 * `npm run score` end to end, in child processes as a user runs it: the bundled tiny-base (A)
 * against tiny-finetune (B), both local (the output's exact shape, totals and llr from the
 * tokens, KL numbers and their mean, the tokens joined giving the answer and the end-of-turn
 * token, the totals against the backend's own continuation score, Proverbs sentences favoured
 * by B and licence sentences by A); a model given by URL against the prompt-log-probability
 * stand-in (kl null, each value worked out from its rule); bad input lines named by file and
 * line with nothing written; the options and --help.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureTransformers } from '../../src/lib/backends/embed/transformers';
import { TransformersChatBackend } from '../../src/lib/backends/llm/transformers';
import { TINY_LM_MARKER_WORDS } from '../../src/lib/core/models';
import { UsageError } from '../../scripts/analyze-options';
import {
  SCORE_DEFAULTS,
  parseScoreArgs,
  parseScoreInput,
  scoreHelp,
} from '../../scripts/score-options';
import {
  END_OF_TURN,
  standInWords,
  startPromptLogprobsServer,
  type PromptLogprobsServer,
} from '../stand-ins/prompt-logprobs-server';

const ROOT = join(import.meta.dirname, '../..');
const temp = mkdtempSync(join(tmpdir(), 'score-cli-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs scripts/score.ts as `npm run score` does. */
function score(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'scripts/score.ts'), ...args],
    {
      cwd: ROOT,
      env,
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

interface Token {
  token: string;
  logpA: number | null;
  logpB: number;
  kl: number | null;
  topA?: { token: string; logprob: number }[];
  topB?: { token: string; logprob: number }[];
}
interface Item {
  prompt: string;
  answer: string;
  tokens: Token[];
  logpA: number;
  logpB: number;
  llr: number;
  meanKl: number | null;
}
const readOutput = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as { items: Item[] };

/** Writes `lines` (objects or raw text) as a JSONL file in the temp folder. */
function inputFile(name: string, lines: readonly (object | string)[]): string {
  const path = join(temp, name);
  writeFileSync(
    path,
    lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n',
  );
  return path;
}

const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);

const ITEM_KEYS = ['prompt', 'answer', 'tokens', 'logpA', 'logpB', 'llr', 'meanKl'];
const TOKEN_KEYS = ['token', 'logpA', 'logpB', 'kl'];

// Sentences in each tiny model's voice: the Proverbs ones are built around the finetune
// corpus's marker words, the licence ones around the base corpus's.
const PROVERBS = [
  'The fear of the Lord is the beginning of wisdom: but fools despise wisdom and instruction.',
  'My son, hear the instruction of thy father, and forsake not the law of thy mother.',
  'A wise man will hear, and will increase learning; and a man of understanding shall attain unto wise counsels.',
];
const LICENCES = [
  'You may copy and distribute verbatim copies of the Program source code as you receive it.',
  'This library is free software; you can redistribute it and modify it under the terms of the license.',
  'The copyright notice and this permission notice shall be included in all copies of the software.',
];
const PROMPT = 'Tell me something.';

describe('both models local: tiny-base (A) against tiny-finetune (B)', () => {
  const out = join(temp, 'local', 'SCORES.json');
  const lines = [...PROVERBS, ...LICENCES, ''].map((answer) => ({ prompt: PROMPT, answer }));
  let run: Run;
  let items: Item[];
  beforeAll(async () => {
    const input = inputFile('local.jsonl', ['', ...lines.map((l) => ({ ...l, id: 'ignored' }))]);
    run = await score([
      '--a-bundled',
      'tiny-base',
      '--b-bundled',
      'tiny-finetune',
      '--in',
      input,
      '--out',
      out,
      '--batch',
      '3',
    ]);
    items = readOutput(out).items;
  }, 300_000);

  it('finishes, reports progress with an ETA and sums up', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/A\+B 7\/7 answers, [\d.]+\/s, ETA 0 s/);
    expect(run.stdout).toMatch(
      /^score: 7 answers, A \(tiny-base\) vs B \(tiny-finetune\): mean llr -?[\d.]+, mean KL [\d.]+; [\d.]+ s -> /,
    );
  });

  it('writes exactly the documented fields, one item per input line in order', () => {
    expect(items.map((i) => [i.prompt, i.answer])).toEqual(lines.map((l) => [l.prompt, l.answer]));
    for (const item of items) {
      expect(Object.keys(item)).toEqual(ITEM_KEYS);
      for (const token of item.tokens) expect(Object.keys(token)).toEqual(TOKEN_KEYS);
    }
  });

  it('has totals that are the sums of the tokens, llr = logpB - logpA and meanKl the mean of kl', () => {
    for (const item of items) {
      expect(item.logpA).toBeCloseTo(sum(item.tokens.map((t) => t.logpA!)), 9);
      expect(item.logpB).toBeCloseTo(sum(item.tokens.map((t) => t.logpB)), 9);
      expect(item.llr).toBeCloseTo(item.logpB - item.logpA, 12);
      const kls = item.tokens.map((t) => t.kl);
      expect(kls.every((kl) => typeof kl === 'number' && kl >= 0)).toBe(true);
      expect(item.meanKl).toBeCloseTo(sum(kls as number[]) / kls.length, 12);
      for (const t of item.tokens) {
        expect(t.logpA!).toBeLessThanOrEqual(0);
        expect(t.logpB).toBeLessThanOrEqual(0);
      }
    }
  });

  it('lists the answer token by token and ends with the end-of-turn token', () => {
    for (const item of items) {
      expect(item.tokens.at(-1)!.token).toBe('<|im_end|>');
      expect(item.tokens.map((t) => t.token).join('')).toBe(`${item.answer}<|im_end|>`);
    }
    // The empty answer is the end of the turn alone.
    expect(items.at(-1)!.tokens).toHaveLength(1);
  });

  it("agrees with each backend's own score of the answer and its end-of-turn token", async () => {
    configureTransformers({
      localModelPath: join(ROOT, 'public', 'models') + '/',
      allowRemoteModels: false,
    });
    for (const [id, side] of [
      ['tiny-base', 'logpA'],
      ['tiny-finetune', 'logpB'],
    ] as const) {
      const backend = new TransformersChatBackend({ modelId: id });
      const direct = await backend.score(
        [{ role: 'user', content: PROMPT }],
        items.map((i) => `${i.answer}<|im_end|>`),
      );
      await backend.unload();
      // Float32 logits in batches of another shape: equal to a few decimals.
      items.forEach((item, i) => expect(item[side]).toBeCloseTo(direct[i]!, 3));
    }
  }, 120_000);

  it('scores the Proverbs sentences higher under B than the licence sentences (llr)', () => {
    const llr = (answer: string) => items.find((i) => i.answer === answer)!.llr;
    for (const proverb of PROVERBS) {
      // Each of these carries several finetune marker words.
      const words = proverb.toLowerCase().match(/[a-z]+/g)!;
      expect(words.filter((w) => TINY_LM_MARKER_WORDS.finetune.includes(w)).length).toBeGreaterThan(
        1,
      );
      expect(llr(proverb)).toBeGreaterThan(0);
      for (const licence of LICENCES) expect(llr(proverb)).toBeGreaterThan(llr(licence));
    }
    for (const licence of LICENCES) expect(llr(licence)).toBeLessThan(0);
  });
});

describe('both local, with an answer longer than the tiny models read', () => {
  it('leaves that line out with the reason and scores the others', async () => {
    const out = join(temp, 'long.json');
    // 300 words: more than the 256 positions of the tiny models.
    const long = Array.from({ length: 300 }, () => 'wisdom').join(' ');
    const input = inputFile('long.jsonl', [
      { prompt: PROMPT, answer: PROVERBS[0] },
      { prompt: PROMPT, answer: long },
      { prompt: PROMPT, answer: LICENCES[0] },
    ]);
    const run = await score([
      '--a-bundled',
      'tiny-base',
      '--b-bundled',
      'tiny-finetune',
      '--in',
      input,
      '--out',
      out,
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      /line 2: left out: prompt and answer are \d+ tokens, more than the 256 the model reads/,
    );
    expect(run.stdout).toContain('score: 2 answers (1 left out: too long)');
    const items = (JSON.parse(readFileSync(out, 'utf8')) as { items: Record<string, unknown>[] })
      .items;
    expect(items.map((i) => i.answer)).toEqual([PROVERBS[0], long, LICENCES[0]]);
    expect(items[1]).toEqual({
      prompt: PROMPT,
      answer: long,
      skipped: expect.stringMatching(/more than the 256 the model reads/) as unknown as string,
      tokens: [],
      logpA: null,
      logpB: null,
      llr: null,
      meanKl: null,
    });
    // The others are scored as they are alone: the proverb above the licence.
    expect(items[0]!.llr as number).toBeGreaterThan(0);
    expect(items[2]!.llr as number).toBeLessThan(0);
  }, 300_000);
});

describe('both local with --top-k', () => {
  it("adds each model's most likely next tokens, most likely first", async () => {
    const out = join(temp, 'top.json');
    const input = inputFile('top.jsonl', [{ prompt: PROMPT, answer: PROVERBS[0] }]);
    const run = await score([
      '--a-bundled',
      'tiny-base',
      '--b-bundled',
      'tiny-finetune',
      '--in',
      input,
      '--out',
      out,
      '--top-k',
      '3',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const [item] = readOutput(out).items;
    for (const t of item!.tokens) {
      expect(Object.keys(t)).toEqual([...TOKEN_KEYS, 'topA', 'topB']);
      for (const top of [t.topA!, t.topB!]) {
        expect(top).toHaveLength(3);
        const logprobs = top.map((x) => x.logprob);
        expect(logprobs).toEqual([...logprobs].sort((x, y) => y - x));
      }
      // No token is more likely than the most likely one.
      expect(t.logpA!).toBeLessThanOrEqual(t.topA![0]!.logprob + 1e-6);
      expect(t.logpB).toBeLessThanOrEqual(t.topB![0]!.logprob + 1e-6);
    }
  }, 300_000);
});

describe('a model given by URL (the prompt-log-probability stand-in)', () => {
  let server: PromptLogprobsServer;
  beforeAll(async () => {
    server = await startPromptLogprobsServer();
  });
  afterAll(() => server.close());

  const answers = ['Hello  world', 'Go away', ''];
  const lines = answers.map((answer) => ({ prompt: 'Hi there', answer }));
  /** The stand-in's tokens of an answer: its words and the end-of-turn token. */
  const standIn = (answer: string) => [...standInWords(answer), END_OF_TURN];

  it('both sides on servers: their tokens, -0.1 and -0.2 a character, kl null', async () => {
    const out = join(temp, 'url-url.json');
    const run = await score(
      [
        '--a-url',
        server.url,
        '--a-model',
        'tenth',
        '--b-url',
        server.url,
        '--b-model',
        'fifth',
        '--b-key-env',
        'SCORE_TEST_KEY',
        '--in',
        inputFile('url.jsonl', lines),
        '--out',
        out,
      ],
      { ...process.env, SCORE_TEST_KEY: 'sk-score-test-77' },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout + run.stderr).not.toContain('sk-score-test-77');
    const { items } = readOutput(out);
    expect(items).toHaveLength(3);
    items.forEach((item, i) => {
      expect(Object.keys(item)).toEqual(ITEM_KEYS);
      const tokens = standIn(answers[i]!);
      expect(item.tokens.map((t) => t.token)).toEqual(tokens);
      item.tokens.forEach((t, j) => {
        expect(Object.keys(t)).toEqual(TOKEN_KEYS);
        expect(t.logpA!).toBeCloseTo(-0.1 * tokens[j]!.length, 12);
        expect(t.logpB).toBeCloseTo(-0.2 * tokens[j]!.length, 12);
        expect(t.kl).toBeNull();
      });
      const characters = tokens.join('').length;
      expect(item.logpA).toBeCloseTo(-0.1 * characters, 12);
      expect(item.logpB).toBeCloseTo(-0.2 * characters, 12);
      expect(item.llr).toBeCloseTo(-0.1 * characters, 12);
      expect(item.meanKl).toBeNull();
    });
    // "Hello  world<|end|>": 19 characters.
    expect(items[0]!.llr).toBeCloseTo(-1.9, 12);
    expect(run.stdout).toContain('mean KL -;');
    const keyed = server.requests.filter((r) => r.model === 'fifth');
    expect(keyed.length).toBeGreaterThan(0);
    expect(keyed.every((r) => r.authorization === 'Bearer sk-score-test-77')).toBe(true);
  }, 60_000);

  it("A on the server, B local: A's total from its own tokens, B's tokens listed with logpA null", async () => {
    const out = join(temp, 'url-local.json');
    const run = await score([
      '--a-url',
      server.url,
      '--a-model',
      'tenth',
      '--b-bundled',
      'tiny-finetune',
      '--in',
      inputFile('url-local.jsonl', lines),
      '--out',
      out,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/A 3\/3 answers/);
    expect(run.stderr).toMatch(/B 3\/3 answers/);
    const { items } = readOutput(out);
    items.forEach((item, i) => {
      expect(Object.keys(item)).toEqual(ITEM_KEYS);
      // The tiny model's own tokens (its BPE pieces, then <|im_end|>), none from the server.
      expect(item.tokens.map((t) => t.token).join('')).toBe(`${answers[i]}<|im_end|>`);
      expect(item.tokens.every((t) => t.logpA === null && t.kl === null)).toBe(true);
      expect(item.logpA).toBeCloseTo(-0.1 * standIn(answers[i]!).join('').length, 12);
      expect(item.logpB).toBeCloseTo(sum(item.tokens.map((t) => t.logpB)), 9);
      expect(item.llr).toBeCloseTo(item.logpB - item.logpA, 12);
      expect(item.meanKl).toBeNull();
    });
  }, 300_000);

  it('fails with the server named, exit 1 and nothing written, when the server has no prompt_logprobs', async () => {
    const out = join(temp, 'none.json');
    const run = await score([
      '--a-url',
      server.url,
      '--a-model',
      'no-prompt-logprobs',
      '--b-url',
      server.url,
      '--b-model',
      'tenth',
      '--in',
      inputFile('none.jsonl', lines),
      '--out',
      out,
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `score: The server at ${server.url} sent a reply that could not be read: the reply has no prompt_logprobs: the server must support vLLM's prompt_logprobs`,
    );
    expect(existsSync(out)).toBe(false);
  }, 60_000);
});

describe('bad input', () => {
  it('names the file and line of a bad line, exits 1 and writes nothing', async () => {
    const out = join(temp, 'bad', 'SCORES.json');
    const input = inputFile('bad.jsonl', [
      { prompt: 'a', answer: 'b' },
      '',
      '{"prompt": "a", "answer": 3}',
    ]);
    const run = await score([
      '--a-bundled',
      'tiny-base',
      '--b-bundled',
      'tiny-finetune',
      '--in',
      input,
      '--out',
      out,
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(
      `score: --in ${input} line 3: "answer" must be a string (got number); expected one JSON object a line: {"prompt": "...", "answer": "..."}`,
    );
    expect(existsSync(out)).toBe(false);
  }, 60_000);

  it('says what each kind of bad line is', () => {
    const bad = (text: string) => {
      try {
        parseScoreInput(text, 'in.jsonl');
      } catch (error) {
        expect(error).toBeInstanceOf(UsageError);
        return (error as Error).message.replace(/; expected .*$/, '');
      }
      throw new Error('accepted');
    };
    expect(bad('{"prompt": "a", "answer": "b"}\n{"prompt": "a"')).toMatch(
      /^--in in\.jsonl line 2 is not JSON \(/,
    );
    expect(bad('["a", "b"]')).toBe('--in in.jsonl line 1 is an array');
    expect(bad('null')).toBe('--in in.jsonl line 1 is null');
    expect(bad('"text"')).toBe('--in in.jsonl line 1 is string');
    expect(bad('{"answer": "b"}')).toBe('--in in.jsonl line 1 has no "prompt"');
    expect(bad('{"prompt": "a", "text": "b"}')).toBe('--in in.jsonl line 1 has no "answer"');
    expect(bad('{"prompt": null, "answer": "b"}')).toBe(
      '--in in.jsonl line 1: "prompt" must be a string (got null)',
    );
    expect(bad('\n  \n')).toBe('--in in.jsonl: no lines to score');
  });

  it('reads good lines: a byte-order mark, CRLF, blank lines and other fields', () => {
    expect(
      parseScoreInput(
        '\uFEFF{"prompt": "p1", "answer": "a1", "id": 7}\r\n\r\n{"answer": "", "prompt": ""}\r\n',
        'in.jsonl',
      ),
    ).toEqual([
      { prompt: 'p1', answer: 'a1' },
      { prompt: '', answer: '' },
    ]);
  });

  it('refuses a missing input file before any model loads', async () => {
    const run = await score([
      '--a-bundled',
      'tiny-base',
      '--b-bundled',
      'tiny-finetune',
      '--in',
      join(temp, 'nowhere.jsonl'),
      '--out',
      join(temp, 'x.json'),
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(`score: --in ${join(temp, 'nowhere.jsonl')}: no such file`);
  }, 60_000);
});

describe('options', () => {
  const models = ['--a-bundled', 'tiny-base', '--b-bundled', 'tiny-finetune'];

  it('reads the models, files and numbers, with the defaults', () => {
    expect(parseScoreArgs([...models, '--in', 'x.jsonl', '--out', 'y.json'])).toEqual({
      models: {
        a: { kind: 'bundled', name: 'tiny-base' },
        b: { kind: 'bundled', name: 'tiny-finetune' },
      },
      in: 'x.jsonl',
      out: 'y.json',
      topK: SCORE_DEFAULTS.topK,
      batchSize: SCORE_DEFAULTS.batchSize,
    });
    expect(
      parseScoreArgs([
        ...models,
        '--in',
        'x',
        '--out',
        'y',
        '--top-k',
        '5',
        '--batch',
        '16',
        '--dtype',
        'q8',
      ]),
    ).toMatchObject({ topK: 5, batchSize: 16, dtype: 'q8' });
  });

  it('refuses what it cannot do, naming the flag', () => {
    const error = (argv: string[]) => {
      try {
        parseScoreArgs(argv);
      } catch (e) {
        expect(e).toBeInstanceOf(UsageError);
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    expect(error([...models, '--out', 'y'])).toMatch(/^--in is required; usage: npm run score -- /);
    expect(error([...models, '--in', 'x'])).toMatch(/^--out is required/);
    expect(error(['--b-bundled', 'tiny-base', '--in', 'x', '--out', 'y'])).toMatch(
      /^model A is missing/,
    );
    expect(error([...models, '--in', 'x', '--out', 'y', '--batch', '0'])).toBe(
      '--batch must be a whole number from 1 to 256 (got "0")',
    );
    expect(
      error([
        '--a-url',
        'http://127.0.0.1:8000/v1',
        '--a-model',
        'm',
        '--b-bundled',
        'tiny-base',
        '--in',
        'x',
        '--out',
        'y',
        '--top-k',
        '2',
      ]),
    ).toMatch(/^--top-k needs both models local/);
    expect(error([...models, '--in', 'x', '--out', 'y', '--system', 's'])).toMatch(
      /^unknown option --system/,
    );
  });

  it('--help documents the flags and both formats', async () => {
    expect(parseScoreArgs(['--help'])).toBeNull();
    const help = scoreHelp();
    expect(help).toMatch(/^usage: npm run score -- \(--a-bundled NAME \| /);
    expect(help).toContain('--in FILE.jsonl --out SCORES.json [--top-k N] [--batch N]');
    expect(help).toContain('a model bundled with the app: tiny-base, tiny-finetune');
    expect(help).toContain('{"prompt": "What is wisdom?", "answer": "The fear of the Lord."}');
    expect(help).toContain('"tokens": [ { "token", "logpA", "logpB", "kl" }, ... ],');
    expect(help).toContain('"logpA", "logpB", "llr", "meanKl" } ] }');
    expect(help).toContain('vLLM server (its prompt_logprobs extension');
    const run = await score(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(help);
  }, 60_000);
});
