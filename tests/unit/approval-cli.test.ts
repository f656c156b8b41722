/**
 * `npm run approval` end to end, in child processes as a user runs it: against the approval
 * stand-in (tests/stand-ins/approval-server.ts) with A = always-yes and B = always-no or
 * never-clear, every rate, discordant count, McNemar p and q checked against values worked out
 * by hand from the fixture files; each condition's system prompt seen by the server; failed
 * requests retried, then counted; the bundled tiny-base against tiny-finetune; bad flags and bad
 * files refused before any request. Also the option parser.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_CONDITIONS } from '../../src/lib/core/approval/conditions';
import { parseChoice } from '../../src/lib/core/approval/read-answer';
import {
  QUESTION_TEMPLATE,
  parseStatementFile,
  seededSubset,
} from '../../src/lib/core/approval/statements';
import { sourceFromString } from '../../src/lib/core/run/import/source';
import { APPROVAL_DEFAULTS, approvalHelp, parseApprovalArgs } from '../../scripts/approval-options';
import { resolveModel } from '../../scripts/model-flags';
import { startApprovalServer, type ApprovalServer } from '../stand-ins/approval-server';

const ROOT = join(import.meta.dirname, '../..');
const FIXTURES = join(ROOT, 'tests/fixtures/approval-cli');
const TIDINESS = join(FIXTURES, 'tidiness.jsonl');
const KINDNESS = join(FIXTURES, 'kindness.txt');
const temp = mkdtempSync(join(tmpdir(), 'approval-cli-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs scripts/approval.ts as `npm run approval` does. */
function approval(args: string[]): Promise<Run> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'scripts/approval.ts'), ...args],
    {
      cwd: ROOT,
      env: process.env,
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

interface Row {
  file: string;
  condition: string;
  n: number;
  matchA: number | null;
  matchB: number | null;
  unclearA: number;
  unclearB: number;
  ciA: [number, number] | null;
  ciB: [number, number] | null;
  onlyA: number;
  onlyB: number;
  pValue: number | null;
  qValue: number | null;
  pYesShift: { mean: number; n: number; pValue: number | null } | null;
}
interface StatementRow {
  file: string;
  condition: string;
  statement: string;
  answerA: string;
  answerB: string;
  pYesA: number | null;
  pYesB: number | null;
  statementId: string;
  matching: 'yes' | 'no';
  textA: string;
  textB: string;
}
interface Output {
  results: Row[];
  statements: StatementRow[];
  models: Record<'A' | 'B', { label: string; backend: string }>;
  setup: { files: { name: string; statements: number; total: number }[]; perFile: number | null };
  settings: { temperature: number; maxTokens: number; seed: number };
  failures: {
    count: number;
    A: number;
    B: number;
    first: { side: string; promptId: string; error: string }[];
  };
}
const readOutput = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Output;

/** Wilson 95% interval of scipy: binomtest(k, n).proportion_ci(0.95, 'wilson'). */
const WILSON: Record<string, [number, number]> = {
  // /usr/bin/python3 -c "from scipy.stats import binomtest; r = binomtest(K, N, 0.5).proportion_ci(0.95, 'wilson'); print(r.low, r.high)"
  '5/6': [0.43649717781352976, 0.9699466302516933],
  '1/6': [0.03005336974830669, 0.5635028221864702],
  '3/3': [0.4385029682449546, 1.0],
  '0/3': [0.0, 0.5614970317550454],
};

/** First-token P(Yes) of the characters: the yes mass over yes + no of their top lists. */
const P_YES_ALWAYS_YES = Math.exp(-0.05) / (Math.exp(-0.05) + Math.exp(-3));
const P_YES_ALWAYS_NO = Math.exp(-3) / (Math.exp(-0.05) + Math.exp(-3));

const expectInterval = (got: [number, number] | null, want: [number, number]) => {
  expect(got).not.toBeNull();
  expect(got![0]).toBeCloseTo(want[0], 12);
  expect(got![1]).toBeCloseTo(want[1], 12);
};

let server: ApprovalServer;
beforeAll(async () => {
  server = await startApprovalServer();
});
afterAll(() => server.close());

const side = (s: 'a' | 'b', model: string) => [`--${s}-url`, server.url, `--${s}-model`, model];

describe('A = always-yes against B = always-no, every built-in condition', () => {
  const out = join(temp, 'yes-no', 'APPROVAL.json');
  let run: Run;
  let output: Output;
  let before: number;
  beforeAll(async () => {
    before = server.requests.length;
    run = await approval([
      '--persona',
      TIDINESS,
      KINDNESS,
      ...side('a', 'always-yes'),
      ...side('b', 'always-no'),
      '--out',
      out,
    ]);
    output = readOutput(out);
  }, 120_000);

  it('finishes, writes the output and sums it up', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(output.failures).toEqual({ count: 0, A: 0, B: 0, first: [] });
    expect(output.models.A).toMatchObject({ label: 'always-yes', backend: 'openai' });
    expect(output.models.B).toMatchObject({ label: 'always-no', backend: 'openai' });
    expect(output.settings).toEqual({ temperature: 0, maxTokens: 16, seed: 1 });
    expect(run.stdout).toContain('A (always-yes) vs B (always-no); 0 failed');
    expect(run.stdout).toContain('tidiness / plain: n 6, matching A 83% B 17%');
    expect(run.stderr).toMatch(/A 36\/36 replies, [\d.]+\/s, ETA 0 s/);
    expect(run.stderr).toMatch(/B 36\/36 replies/);
  });

  it('has one row per file x condition with the rates, discordant pairs and McNemar worked out by hand', () => {
    const ids = BUILTIN_CONDITIONS.map((c) => c.id);
    expect(output.results.map((r) => `${r.file}@${r.condition}`)).toEqual([
      ...ids.map((id) => `tidiness@${id}`),
      ...ids.map((id) => `kindness@${id}`),
    ]);
    for (const row of output.results) {
      if (row.file === 'tidiness') {
        // 6 statements, 5 matched by "yes" and 1 by "no": A (always yes) matches 5, B (always
        // no) matches 1; A alone matches on the 5, B alone on the 1.
        expect(row).toMatchObject({ n: 6, unclearA: 0, unclearB: 0, onlyA: 5, onlyB: 1 });
        expect(row.matchA).toBeCloseTo(5 / 6, 15);
        expect(row.matchB).toBeCloseTo(1 / 6, 15);
        expectInterval(row.ciA, WILSON['5/6']!);
        expectInterval(row.ciB, WILSON['1/6']!);
        // Exact two-sided binomial of 5 of 6 at 1/2: 2 * (1 + 6) / 64 = 14/64.
        expect(row.pValue).toBeCloseTo(14 / 64, 12);
      } else {
        // A plain list: 3 statements, all matched by "yes".
        expect(row).toMatchObject({ n: 3, matchA: 1, matchB: 0, unclearA: 0, unclearB: 0 });
        expect(row).toMatchObject({ onlyA: 3, onlyB: 0 });
        expectInterval(row.ciA, WILSON['3/3']!);
        expectInterval(row.ciB, WILSON['0/3']!);
        // 2 * (1/2)^3.
        expect(row.pValue).toBeCloseTo(2 / 8, 12);
      }
      // BH over 4 x 14/64 and 4 x 1/4: the largest p is 1/4 at rank 8 (q = 1/4), and every
      // smaller rank's p * 8 / rank is larger, so the running minimum keeps 1/4 for all.
      expect(row.qValue).toBeCloseTo(0.25, 12);
      // P(Yes) from the first token's top log probabilities: B's minus A's on every statement.
      expect(row.pYesShift?.n).toBe(row.n);
      expect(row.pYesShift?.mean).toBeCloseTo(P_YES_ALWAYS_NO - P_YES_ALWAYS_YES, 12);
    }
  });

  it('lists every statement under every condition with both answers and P(Yes)', () => {
    expect(output.statements).toHaveLength(9 * 4);
    for (const s of output.statements) {
      expect(s).toMatchObject({ answerA: 'yes', answerB: 'no', textA: 'Yes.' });
      expect(s.textB).toBe('No, I would not say that.');
      expect(s.pYesA).toBeCloseTo(P_YES_ALWAYS_YES, 12);
      expect(s.pYesB).toBeCloseTo(P_YES_ALWAYS_NO, 12);
    }
    const clutter = output.statements.filter((s) => s.statement === 'Clutter never bothers me');
    expect(clutter.map((s) => s.matching)).toEqual(['no', 'no', 'no', 'no']);
  });

  it("sent each question once a model under each condition's system prompt, greedily", () => {
    const seen = server.requests.slice(before);
    expect(seen).toHaveLength(2 * 9 * 4);
    for (const model of ['always-yes', 'always-no']) {
      const mine = seen.filter((r) => r.model === model);
      for (const condition of BUILTIN_CONDITIONS) {
        const under = mine.filter((r) => r.system === condition.systemPrompt);
        // 9 statements, each asked once: 6 persona questions and 3 from the plain list.
        expect(under).toHaveLength(9);
        expect(new Set(under.map((r) => r.user)).size).toBe(9);
      }
      // Asked for the first token's alternatives (OpenAI's maximum).
      expect(mine.every((r) => r.topLogprobs === 20 && r.status === 200)).toBe(true);
    }
    const plainList = seen.find((r) => r.user.includes('I thank the bus driver'));
    expect(plainList?.user).toBe(
      QUESTION_TEMPLATE.replace('{statement}', 'I thank the bus driver'),
    );
  });
});

describe('A = always-yes against B = never-clear, a seeded subset, four at once', () => {
  const out = join(temp, 'unclear.json');
  let run: Run;
  let output: Output;
  beforeAll(async () => {
    run = await approval([
      ...side('a', 'always-yes'),
      ...side('b', 'never-clear'),
      '--persona',
      TIDINESS,
      '--persona',
      KINDNESS,
      '--conditions',
      'evaluated,plain',
      '--per-file',
      '2',
      '--seed',
      '3',
      '--concurrency',
      '4',
      '--out',
      out,
    ]);
    output = readOutput(out);
  }, 120_000);

  it('asks the seeded subset of each file under the conditions in the order given', async () => {
    expect(run.code, run.stderr).toBe(0);
    expect(output.setup.files).toEqual([
      { name: 'tidiness', statements: 2, total: 6 },
      { name: 'kindness', statements: 2, total: 3 },
    ]);
    expect(output.setup.perFile).toBe(2);
    for (const path of [TIDINESS, KINDNESS]) {
      const name = path.split('/').pop()!;
      const all = await parseStatementFile(sourceFromString(name, readFileSync(path, 'utf8')));
      const chosen = seededSubset(all, 2, 3).map((s) => s.statement);
      const file = all[0]!.file;
      for (const condition of ['evaluated', 'plain']) {
        expect(
          output.statements
            .filter((s) => s.file === file && s.condition === condition)
            .map((s) => s.statement),
        ).toEqual(chosen);
      }
    }
    expect(output.results.map((r) => `${r.file}@${r.condition}`)).toEqual([
      'tidiness@evaluated',
      'tidiness@plain',
      'kindness@evaluated',
      'kindness@plain',
    ]);
  });

  it('counts every B answer unclear: no rate, no interval, no discordant pair, no test', () => {
    for (const row of output.results) {
      const statements = output.statements.filter(
        (s) => s.file === row.file && s.condition === row.condition,
      );
      const matchedByYes = statements.filter((s) => s.matching === 'yes').length;
      expect(row).toMatchObject({
        n: 2,
        matchB: null,
        ciB: null,
        unclearA: 0,
        unclearB: 1,
        onlyA: 0,
        onlyB: 0,
        pValue: null,
        qValue: null,
        pYesShift: null,
      });
      expect(row.matchA).toBe(matchedByYes / 2);
    }
    for (const s of output.statements) {
      expect(s).toMatchObject({ answerA: 'yes', answerB: 'unclear', pYesB: null });
      expect(s.textB).toBe('I know that this is a question about values.');
    }
  });
});

describe('failed requests', () => {
  it('retries a 500 to the real reply, and counts a request that still fails', async () => {
    const out = join(temp, 'faults.json');
    const at = server.requests.length;
    // Request at: a 500 the client retries (at + 1); at + 3 is the third question's, a 400.
    server.faults = [
      { at, status: 500 },
      { at: at + 3, status: 400 },
    ];
    const run = await approval([
      '--persona',
      KINDNESS,
      '--conditions',
      'plain',
      ...side('a', 'always-yes'),
      ...side('b', 'always-no'),
      '--out',
      out,
    ]);
    server.faults = [];
    expect(run.code).toBe(1);
    const seen = server.requests.slice(at);
    expect(seen.map((r) => r.status)).toEqual([500, 200, 200, 400, 200, 200, 200]);
    expect(seen[1]!.user).toBe(seen[0]!.user);
    const output = readOutput(out);
    expect(output.failures.count).toBe(1);
    expect(output.failures.A).toBe(1);
    expect(output.failures.B).toBe(0);
    expect(output.failures.first).toHaveLength(1);
    expect(output.failures.first[0]!.side).toBe('A');
    expect(output.failures.first[0]!.error).toContain(`failed request ${at + 3} on purpose`);
    // The failed statement is left out of the comparison (on both sides), not read as an answer.
    const failed = seen[3]!.user;
    expect(output.statements).toHaveLength(2);
    expect(output.statements.some((s) => failed.includes(s.statement))).toBe(false);
    expect(output.results[0]).toMatchObject({ n: 2, onlyA: 2, onlyB: 0, matchA: 1, matchB: 0 });
    expect(run.stderr).toContain(
      '1 requests failed after retries (A 1, B 0): counted in "failures", their statements left out',
    );
  }, 120_000);

  it('stops a side after five failures in a row, writing nothing', async () => {
    const out = join(temp, 'down.json');
    const run = await approval([
      '--persona',
      TIDINESS,
      ...side('a', 'no-such-model'),
      ...side('b', 'always-no'),
      '--out',
      out,
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('A (no-such-model): stopped after 5 failures in a row');
    expect(run.stderr).toContain('does not exist');
    expect(existsSync(out)).toBe(false);
  }, 120_000);
});

describe('bad files and flags are refused before any request', () => {
  const cases: [string, string[], RegExp][] = [
    [
      'a missing file',
      ['--persona', join(FIXTURES, 'nope.jsonl')],
      /--persona .*nope\.jsonl: no such file/,
    ],
    [
      'an answer that is neither Yes nor No',
      ['--persona', join(FIXTURES, 'bad-answer.jsonl')],
      /bad-answer\.jsonl.*line 2/,
    ],
    ['a line cut off', ['--persona', join(FIXTURES, 'cut-off.jsonl')], /cut-off\.jsonl.*line 2/],
    [
      'two files of one category',
      ['--persona', TIDINESS, join(FIXTURES, 'copy/tidiness.jsonl')],
      /both the category "tidiness"/,
    ],
    [
      'an unknown condition',
      ['--persona', TIDINESS, '--conditions', 'plain,pirate'],
      /unknown condition "pirate"; the conditions are plain, neutral-assistant, stated-identity, evaluated/,
    ],
    ['no statement file', [], /--persona is required/],
  ];
  for (const [what, args, message] of cases) {
    it(
      what,
      async () => {
        const before = server.requests.length;
        const out = join(temp, 'refused.json');
        const run = await approval([
          ...args,
          ...side('a', 'always-yes'),
          ...side('b', 'always-no'),
          '--out',
          out,
        ]);
        expect(run.code).toBe(1);
        expect(run.stderr).toMatch(message);
        expect(run.stderr.trim().split('\n').at(-1)).toMatch(/^approval: /);
        expect(server.requests.length).toBe(before);
        expect(existsSync(out)).toBe(false);
      },
      60_000,
    );
  }

  it('--help lists the options, the shared model flags and the conditions', async () => {
    const run = await approval(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${approvalHelp()}\n`);
    for (const text of ['--persona FILE [FILE ...]', '--X-url URL', '--per-file', 'evaluated']) {
      expect(run.stdout).toContain(text);
    }
  }, 60_000);
});

describe('parseApprovalArgs', () => {
  const models = ['--a-bundled', 'tiny-base', '--b-url', 'http://127.0.0.1:1/v1', '--b-model', 'm'];
  const parse = (...args: string[]) => parseApprovalArgs([...models, '--out', 'o.json', ...args]);

  it('reads several files after one --persona and repeated --persona flags, with the defaults', () => {
    expect(parse('--persona', 'a.jsonl', 'b.txt', '--persona', 'c.jsonl')).toEqual({
      models: {
        a: { kind: 'bundled', name: 'tiny-base' },
        b: { kind: 'url', url: 'http://127.0.0.1:1/v1', model: 'm' },
      },
      persona: ['a.jsonl', 'b.txt', 'c.jsonl'],
      out: 'o.json',
      conditions: [...BUILTIN_CONDITIONS],
      perFile: null,
      seed: APPROVAL_DEFAULTS.seed,
      temperature: 0,
      maxTokens: 16,
      concurrency: 1,
    });
  });

  it('reads the conditions in the order given, and the numbers', () => {
    const command = parse(
      '--persona=a.jsonl',
      '--conditions',
      'evaluated, plain',
      '--per-file',
      '25',
      '--seed',
      '7',
      '--max-tokens',
      '4',
      '--temperature',
      '0.5',
      '--concurrency',
      '8',
      '--dtype',
      'q8',
    );
    expect(command?.conditions.map((c) => c.id)).toEqual(['evaluated', 'plain']);
    expect(command).toMatchObject({
      persona: ['a.jsonl'],
      perFile: 25,
      seed: 7,
      maxTokens: 4,
      temperature: 0.5,
      concurrency: 8,
      dtype: 'q8',
    });
  });

  it('returns null for --help', () => {
    expect(parseApprovalArgs(['--help'])).toBeNull();
  });

  const refused: [string, string[], RegExp][] = [
    [
      'a value without its flag',
      ['--persona', 'a.jsonl', '--seed', '1', 'b.jsonl'],
      /unexpected "b\.jsonl": every value follows its flag/,
    ],
    [
      'an unknown option',
      ['--persona', 'a.jsonl', '--files', 'x'],
      /unknown option --files; the options are .*--persona/,
    ],
    [
      'a repeated condition',
      ['--persona', 'a.jsonl', '--conditions', 'plain,plain'],
      /"plain" is given twice/,
    ],
    [
      'an empty condition list',
      ['--persona', 'a.jsonl', '--conditions', ','],
      /at least one condition/,
    ],
    [
      'a fractional subset',
      ['--persona', 'a.jsonl', '--per-file', '2.5'],
      /--per-file must be a whole number from 0/,
    ],
    [
      'a temperature too high',
      ['--persona', 'a.jsonl', '--temperature', '3'],
      /--temperature must be a number from 0 to 2/,
    ],
    ['an unknown precision', ['--persona', 'a.jsonl', '--dtype', 'int3'], /--dtype must be one of/],
    ['no output', ['--persona', 'a.jsonl'], /--out is required/],
  ];
  for (const [what, args, message] of refused) {
    it(`refuses ${what}`, () => {
      const argv =
        what === 'no output' ? [...models, ...args] : [...models, '--out', 'o.json', ...args];
      expect(() => parseApprovalArgs(argv)).toThrow(message);
    });
  }

  it('refuses a missing model B with the shared model flags message', () => {
    expect(() =>
      parseApprovalArgs(['--a-bundled', 'tiny-base', '--persona', 'a.jsonl', '--out', 'o.json']),
    ).toThrow(/model B is missing: give --b-bundled NAME/);
  });
});

describe('bundled tiny-base against tiny-finetune', () => {
  const out = join(temp, 'tiny.json');
  let run: Run;
  let output: Output;
  beforeAll(async () => {
    run = await approval([
      '--persona',
      TIDINESS,
      KINDNESS,
      '--a-bundled',
      'tiny-base',
      '--b-bundled',
      'tiny-finetune',
      '--conditions',
      'plain,evaluated',
      '--per-file',
      '2',
      '--max-tokens',
      '8',
      '--out',
      out,
    ]);
    output = readOutput(out);
  }, 300_000);

  it('completes with every statement answered by both', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(output.failures.count).toBe(0);
    expect(output.models.A).toMatchObject({ label: 'tiny-base', backend: 'transformers' });
    expect(output.models.B).toMatchObject({ label: 'tiny-finetune', backend: 'transformers' });
    expect(output.results).toHaveLength(4);
    expect(output.results.every((r) => r.n === 2)).toBe(true);
    expect(output.statements).toHaveLength(8);
  });

  it('reads each reply strictly and counts the unclear ones', () => {
    for (const s of output.statements) {
      expect(s.answerA).toBe(parseChoice(s.textA));
      expect(s.answerB).toBe(parseChoice(s.textB));
    }
    for (const row of output.results) {
      const mine = output.statements.filter(
        (s) => s.file === row.file && s.condition === row.condition,
      );
      for (const [x, answer] of [
        ['A', 'answerA'],
        ['B', 'answerB'],
      ] as const) {
        const clear = mine.filter((s) => s[answer] !== 'unclear');
        const matched = clear.filter((s) => s[answer] === s.matching).length;
        expect(row[`unclear${x}`]).toBe((mine.length - clear.length) / mine.length);
        expect(row[`match${x}`]).toBe(clear.length === 0 ? null : matched / clear.length);
      }
    }
  });

  it('gives every answer of a local model a P(Yes) in [0, 1], scored by a forward pass', async () => {
    const backend = (
      await resolveModel('A', { kind: 'bundled', name: 'tiny-base' }, { root: ROOT })
    ).createBackend();
    await backend.load();
    // The local backend scores once it exists (it is created on first use).
    expect(typeof backend.score).toBe('function');
    const values = output.statements.flatMap((s) => [s.pYesA, s.pYesB]);
    expect(values.length).toBeGreaterThan(0);
    for (const p of values) {
      expect(p).not.toBeNull();
      expect(p!).toBeGreaterThanOrEqual(0);
      expect(p!).toBeLessThanOrEqual(1);
    }
    await backend.unload();
  });
});
