/**
 * `npm run generate` end to end, in child processes as a user runs it: the bundled tiny-base
 * against a copy of tiny-finetune in a folder (real transformers.js), resumed and re-run, then
 * `npm run analyze` on its output; an OpenAI-compatible stand-in server for the URL flags, a
 * run killed mid-way, and a last line cut off by a crash. Also the option parser.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TINY_LM_MARKER_WORDS } from '../../src/lib/core/models';
import { BUILTIN_PROMPT_SET } from '../../src/lib/core/prompts';
import { GENERATE_DEFAULTS, generateHelp, parseGenerateArgs } from '../../scripts/generate-options';
import { delay, sendJson, startTestServer, type TestServer } from './http-server';

const ROOT = join(import.meta.dirname, '../..');
const temp = mkdtempSync(join(tmpdir(), 'generate-cli-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts a script of scripts/ as `npm run` does; `done` settles when it exits. */
function start(script: string, args: string[], env: Record<string, string> = {}) {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'scripts', script), ...args],
    { cwd: ROOT, env: { ...process.env, ...env } },
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Run>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done };
}

const generate = (args: string[], env?: Record<string, string>) =>
  start('generate.ts', args, env).done;

interface Line {
  prompt_id: string;
  prompt: string;
  answer: string;
  model: string;
  sample: number;
  finish_reason: string;
  completion_tokens: number;
  latency_ms: number;
  category?: string;
}

const readLines = (path: string): Line[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Line);

/** Prompts spread over the built-in set's categories, one a line. */
function promptFile(name: string, n: number): { path: string; texts: string[] } {
  const texts = BUILTIN_PROMPT_SET.prompts
    .filter((_, i) => i % 4 === 0)
    .slice(0, n)
    .map((p) => p.text);
  const path = join(temp, name);
  writeFileSync(path, `${texts.join('\n')}\n`);
  return { path, texts };
}

describe('bundled tiny-base against tiny-finetune from a folder', () => {
  const out = join(temp, 'tiny');
  const folder = join(temp, 'my-finetune');
  const SAMPLES = 2;
  let prompts: { path: string; texts: string[] };
  let args: string[];
  let first: Run;

  beforeAll(async () => {
    cpSync(join(ROOT, 'public/models/tiny-finetune'), folder, { recursive: true });
    prompts = promptFile('tiny-prompts.txt', 16);
    args = [
      '--a-bundled',
      'tiny-base',
      '--b-folder',
      folder,
      '--prompts',
      prompts.path,
      '--samples',
      String(SAMPLES),
      '--max-tokens',
      '40',
      '--temperature',
      '0.9',
      '--out-dir',
      out,
    ];
    first = await generate(args);
  }, 120_000);

  it('writes one line per prompt and sample to A.jsonl and B.jsonl, with progress on stderr', () => {
    expect(first.code, first.stderr).toBe(0);
    for (const [side, model] of [
      ['A', 'tiny-base'],
      ['B', 'my-finetune'],
    ] as const) {
      const lines = readLines(join(out, `${side}.jsonl`));
      expect(lines).toHaveLength(16 * SAMPLES);
      expect(new Set(lines.map((l) => `${l.prompt}|${l.sample}`)).size).toBe(16 * SAMPLES);
      expect(new Set(lines.map((l) => l.prompt))).toEqual(new Set(prompts.texts));
      for (const line of lines) {
        expect(line.model).toBe(model);
        expect([0, 1]).toContain(line.sample);
        expect(line.answer.length).toBeGreaterThan(0);
        expect(['stop', 'length']).toContain(line.finish_reason);
        expect(line.completion_tokens).toBeLessThanOrEqual(40);
      }
    }
    expect(first.stderr).toMatch(/generate: A \d+\/32 answers, [\d.]+\/s, ETA \d+ s/);
    expect(first.stderr).toMatch(/generate: B 32\/32 answers/);
    expect(first.stdout).toMatch(
      /^generate: 16 prompts x 2 samples; A \(tiny-base\) 32 new \+ 0 already there, B \(my-finetune\) 32 new \+ 0 already there; 0 failed; [\d.]+ s -> /,
    );
  });

  it('generates nothing again on a rerun, and loads no model for it', async () => {
    const before = [readFileSync(join(out, 'A.jsonl')), readFileSync(join(out, 'B.jsonl'))];
    const again = await generate(args);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(
      'A (tiny-base) 0 new + 32 already there, B (my-finetune) 0 new + 32 already there; 0 failed',
    );
    expect(again.stderr).toContain(
      `A (tiny-base): all 32 answers already in ${join(out, 'A.jsonl')}`,
    );
    expect(readFileSync(join(out, 'A.jsonl'))).toEqual(before[0]);
    expect(readFileSync(join(out, 'B.jsonl'))).toEqual(before[1]);
  }, 60_000);

  it('gives npm run analyze files it reads, and the analysis finds the finetune words in B', async () => {
    const report = join(temp, 'report.json');
    const analysis = await start('analyze.ts', [
      join(out, 'A.jsonl'),
      join(out, 'B.jsonl'),
      '--out',
      report,
      '--permutations',
      '199',
    ]).done;
    expect(analysis.code, analysis.stderr).toBe(0);
    const result = JSON.parse(readFileSync(report, 'utf8')) as {
      n: { prompts: number; answersA: number; answersB: number };
      models: { A: string; B: string };
      words: { moreInA: { term: string }[]; moreInB: { term: string }[] };
    };
    expect(result.n).toMatchObject({ prompts: 16, answersA: 32, answersB: 32 });
    const finetune = new Set(TINY_LM_MARKER_WORDS.finetune);
    const base = new Set(TINY_LM_MARKER_WORDS.base);
    const moreInB = result.words.moreInB.map((w) => w.term);
    const moreInA = result.words.moreInA.map((w) => w.term);
    expect(moreInB.filter((t) => finetune.has(t)).length).toBeGreaterThan(0);
    expect(moreInB.filter((t) => base.has(t))).toEqual([]);
    expect(moreInA.filter((t) => base.has(t)).length).toBeGreaterThan(0);
  }, 60_000);

  it('checks the folder before any model loads, naming what is wrong', async () => {
    const broken = join(temp, 'broken-finetune');
    cpSync(folder, broken, { recursive: true });
    rmSync(join(broken, 'tokenizer_config.json'));
    const run = await generate([
      ...args.slice(0, 2),
      '--b-folder',
      broken,
      ...args.slice(4, -1),
      join(temp, 'never'),
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(
        `generate: --b-folder ${broken}: the folder cannot be loaded: tokenizer_config\\.json is missing`,
      ),
    );
    expect(existsSync(join(temp, 'never'))).toBe(false);
  }, 30_000);
});

describe('models behind an OpenAI-compatible server', () => {
  let server: TestServer;
  let replyDelayMs = 0;
  let failFrom = Infinity;
  /** Answers '<model> on "<prompt>"' after replyDelayMs; from request failFrom on, an error. */
  const route: Parameters<TestServer['handle']>[0] = async (request, res, index) => {
    const body = JSON.parse(request.body) as { model: string; messages: { content: string }[] };
    // 400 rather than 500: the client retries 5xx with backoff, which would only slow the test.
    if (index >= failFrom) return sendJson(res, 400, { error: { message: 'model crashed' } });
    await delay(replyDelayMs);
    sendJson(res, 200, {
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: `${body.model} on "${body.messages.at(-1)!.content}"`,
          },
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 5, completion_tokens: 4 },
    });
  };
  beforeAll(async () => {
    server = await startTestServer(route);
  });
  afterAll(() => server.close());

  const urlArgs = (out: string, prompts: string, extra: string[] = []) => [
    '--a-url',
    `${server.url}/v1`,
    '--a-model',
    'before',
    '--a-key-env',
    'GEN_TEST_KEY',
    '--b-url',
    `${server.url}/v1`,
    '--b-model',
    'after',
    '--prompts',
    prompts,
    '--out-dir',
    out,
    ...extra,
  ];
  /** Clears the request log and sets how the server answers (handle() restarts its count). */
  const reset = (options: { delayMs?: number; failFrom?: number } = {}) => {
    server.requests.length = 0;
    replyDelayMs = options.delayMs ?? 0;
    failFrom = options.failFrom ?? Infinity;
    server.handle(route);
  };

  it('sends every prompt and sample with the settings and the key, several at once', async () => {
    reset();
    const out = join(temp, 'url');
    const { path, texts } = promptFile('url-prompts.txt', 5);
    const run = await generate(
      urlArgs(out, path, [
        '--samples',
        '3',
        '--seed',
        '10',
        '--max-tokens',
        '7',
        '--concurrency',
        '4',
      ]),
      { GEN_TEST_KEY: 'sk-test-key' },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(server.requests).toHaveLength(2 * 5 * 3);
    for (const request of server.requests) {
      const body = JSON.parse(request.body) as {
        model: string;
        max_tokens: number;
        temperature: number;
        seed: number;
      };
      expect(body).toMatchObject({ max_tokens: 7, temperature: GENERATE_DEFAULTS.temperature });
      expect([10, 11, 12]).toContain(body.seed);
      // Only A was given --a-key-env: each side's key goes to its own server only.
      expect(request.headers.authorization).toBe(
        body.model === 'before' ? 'Bearer sk-test-key' : undefined,
      );
    }
    const a = readLines(join(out, 'A.jsonl'));
    expect(a).toHaveLength(15);
    const first = a.find((l) => l.prompt === texts[0] && l.sample === 2)!;
    expect(first).toMatchObject({
      answer: `before on "${texts[0]}"`,
      model: 'before',
      finish_reason: 'stop',
      completion_tokens: 4,
    });
    expect(readLines(join(out, 'B.jsonl')).every((l) => l.answer.startsWith('after on '))).toBe(
      true,
    );
  }, 30_000);

  it('reads prompts from a CSV file as the app does, keeping their categories', async () => {
    reset();
    const out = join(temp, 'csv');
    const path = join(temp, 'prompts.csv');
    writeFileSync(
      path,
      'id,prompt,category\nq1,"Name a river, please.",geo\nq2,Why is the sky blue?,science\n',
    );
    const run = await generate(urlArgs(out, path, ['--samples', '1']), { GEN_TEST_KEY: 'k' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`generate: 2 prompts from ${path} (csv)`);
    expect(
      readLines(join(out, 'B.jsonl')).map(({ prompt_id, prompt, answer, category }) => ({
        prompt_id,
        prompt,
        answer,
        category,
      })),
    ).toEqual([
      {
        prompt_id: 'q1',
        prompt: 'Name a river, please.',
        answer: 'after on "Name a river, please."',
        category: 'geo',
      },
      {
        prompt_id: 'q2',
        prompt: 'Why is the sky blue?',
        answer: 'after on "Why is the sky blue?"',
        category: 'science',
      },
    ]);
  }, 30_000);

  it('resumes a killed run, generating only what is missing', async () => {
    reset({ delayMs: 120 });
    const out = join(temp, 'killed');
    const { path } = promptFile('killed-prompts.txt', 10);
    const args = urlArgs(out, path, ['--samples', '1']);
    const env = { GEN_TEST_KEY: 'k' };
    const { child, done } = start('generate.ts', args, env);
    const aFile = join(out, 'A.jsonl');
    while (!existsSync(aFile) || readLines(aFile).length < 3) await delay(20);
    child.kill('SIGKILL');
    await done;
    const kept = readLines(aFile).length;
    expect(kept).toBeGreaterThanOrEqual(3);
    expect(kept).toBeLessThan(10);
    expect(existsSync(join(out, 'B.jsonl'))).toBe(false);

    reset();
    const resumed = await generate(args, env);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(
      `A (before) ${10 - kept} new + ${kept} already there, B (after) 10 new + 0 already there`,
    );
    expect(server.requests).toHaveLength(10 - kept + 10);
    const lines = readLines(aFile);
    expect(lines).toHaveLength(10);
    expect(new Set(lines.map((l) => l.prompt)).size).toBe(10);
  }, 30_000);

  it('drops a last line cut off by a crash and generates that answer again', async () => {
    reset();
    const out = join(temp, 'cut');
    const { path } = promptFile('cut-prompts.txt', 3);
    const args = urlArgs(out, path, ['--samples', '1']);
    const env = { GEN_TEST_KEY: 'k' };
    expect((await generate(args, env)).code).toBe(0);
    const aFile = join(out, 'A.jsonl');
    const whole = readFileSync(aFile, 'utf8');
    const lastStart = whole.lastIndexOf('\n', whole.length - 2) + 1;
    // The crash left half of the last answer's line.
    writeFileSync(aFile, whole.slice(0, lastStart + 20));
    reset();
    const resumed = await generate(args, env);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`${aFile}: removed a last line cut off by an interruption`);
    expect(resumed.stdout).toContain('A (before) 1 new + 2 already there');
    expect(server.requests).toHaveLength(1);
    expect(readLines(aFile)).toHaveLength(3);
  }, 30_000);

  it('refuses to mix answers of another model into a file', async () => {
    reset();
    const out = join(temp, 'other-model');
    const { path } = promptFile('other-prompts.txt', 2);
    const env = { GEN_TEST_KEY: 'k' };
    expect((await generate(urlArgs(out, path, ['--samples', '1']), env)).code).toBe(0);
    const swapped = urlArgs(out, path, ['--samples', '1']).map((a) =>
      a === 'before' ? 'other' : a,
    );
    const run = await generate(swapped, env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `generate: ${join(out, 'A.jsonl')} holds answers of "before", not of "other": use another --out-dir, or delete the file to start over\n`,
    );
  }, 30_000);

  it('stops after five failures in a row, keeping what it wrote, and exits non-zero', async () => {
    reset({ failFrom: 2 });
    const out = join(temp, 'failing');
    const { path } = promptFile('failing-prompts.txt', 12);
    const run = await generate(urlArgs(out, path, ['--samples', '1']), { GEN_TEST_KEY: 'k' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/generate: A: stopped after 5 failures in a row \(the last: .*\)/);
    expect(readLines(join(out, 'A.jsonl'))).toHaveLength(2);
  }, 60_000);
});

describe('parseGenerateArgs', () => {
  const models = ['--a-bundled', 'tiny-base', '--b-bundled', 'tiny-finetune'];

  it("takes the app's defaults for what is not given", () => {
    expect(parseGenerateArgs([...models, '--prompts', 'p.txt', '--out-dir', 'o'])).toEqual({
      models: {
        a: { kind: 'bundled', name: 'tiny-base' },
        b: { kind: 'bundled', name: 'tiny-finetune' },
      },
      prompts: 'p.txt',
      outDir: 'o',
      samples: 3,
      temperature: 0.7,
      topP: 0.95,
      maxTokens: 128,
      seed: 1,
      concurrency: 1,
    });
    expect(parseGenerateArgs(['--help'])).toBeNull();
    const help = generateHelp();
    expect(help).toMatch(
      /^usage: npm run generate -- \(--a-bundled NAME \| --a-folder DIR \| --a-url URL --a-model NAME \[--a-key-env VAR\]\) \(--b-bundled/,
    );
    expect(help).toContain('a model bundled with the app: tiny-base, tiny-finetune');
  });

  it.each([
    [['--prompts', 'p', '--out-dir', 'o', '--a-bundled', 'tiny-base'], /^model B is missing/],
    [[...models, '--out-dir', 'o'], /^--prompts is required; usage: npm run generate -- /],
    [
      [...models, '--prompts', 'p', '--out-dir', 'o', '--temperature', '3'],
      '--temperature must be a number from 0 to 2 (got "3")',
    ],
    [
      [...models, '--prompts', 'p', '--out-dir', 'o', '--samples', '1.5'],
      '--samples must be a whole number from 1 to 10000 (got "1.5")',
    ],
    [
      [...models, '--prompts', 'p', '--out-dir', 'o', '--dtype', 'q3'],
      '--dtype must be one of fp32, fp16, q8, int8, uint8, q4, q4f16, bnb4 (got "q3")',
    ],
    [
      [...models, '--prompts', 'p', '--out-dir', 'o', '--outdir', 'x'],
      /^unknown option --outdir; the options are --a-bundled, /,
    ],
    [[...models, 'p.txt'], /every value follows its flag/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseGenerateArgs(argv)).toThrow(message);
  });
});
