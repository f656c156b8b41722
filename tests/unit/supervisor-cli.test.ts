/**
 * The supervisor end to end through `npm run analyze --supervisor-url`: the real CLI, the real
 * OpenAI-compatible client and the bundled embedder against the stand-in supervisor
 * (tests/stand-ins/supervisor-server.ts, whose rule is documented there). The answer sets are
 * built so that exactly one of the stand-in's two hypotheses holds: B's answers are longer, and
 * neither side writes numbered lists. Every expected number below follows from that rule by hand.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { longerPairs } from '../stand-ins/longer-answers';
import { startStandInSupervisor, type StandInSupervisor } from '../stand-ins/supervisor-server';

const exec = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'bd-supervisor-cli-'));
const KEY = 'sk-proj-Zq8vR2mXw4Lp9sKd7Fh3Jc6Tn1Ya5Ub0Ge8Wi2Oo4Mx';

const N = 40;

/** A's and B's answers as JSONL answer tables, one per model. */
function writeAnswerFiles(): { a: string; b: string } {
  const pairs = longerPairs(N);
  const rows = (side: 'a' | 'b') =>
    pairs.map((p) => JSON.stringify({ prompt: p.prompt, response: p[side] })).join('\n');
  const a = join(dir, 'a.jsonl');
  const b = join(dir, 'b.jsonl');
  writeFileSync(a, rows('a'));
  writeFileSync(b, rows('b'));
  return { a, b };
}

async function analyze(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(
      'node',
      ['--import', 'tsx', 'scripts/analyze.ts', ...args],
      {
        cwd: ROOT,
        env: { ...process.env, ...env },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Requests per identity that the server answered in full ("ok"): a job's result paid for. */
function okCounts(server: StandInSupervisor): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of server.requests) {
    if (r.outcome === 'ok') counts.set(r.identity, (counts.get(r.identity) ?? 0) + 1);
  }
  return counts;
}

let server: StandInSupervisor;
let files: { a: string; b: string };
beforeAll(async () => {
  files = writeAnswerFiles();
  server = await startStandInSupervisor({
    apiKey: KEY,
    // In the middle of the describe stage: a rate limit, a server error, a dropped stream and a
    // reply in no format (a properties reply, so its repair request follows).
    faults: [
      { at: 3, kind: '429', retryAfterMs: 30 },
      { at: 7, kind: '500' },
      { at: 11, kind: 'drop' },
      { at: 15, kind: 'malformed' },
    ],
  });
});
afterAll(() => server?.close());

describe('npm run analyze with a supervisor', () => {
  it('stops at the spending cap, then continues from its cache without paying twice, and confirms only the hypothesis that holds', async () => {
    const out = join(dir, 'report.json');
    const cache = join(dir, 'cache.json');
    const common = [
      files.a,
      files.b,
      '--out',
      out,
      '--k',
      '2',
      '--supervisor-url',
      server.url,
      '--supervisor-model',
      server.model,
      '--supervisor-key-env',
      'SUPERVISOR_TEST_KEY',
      '--cache',
      cache,
    ];
    const env = { SUPERVISOR_TEST_KEY: KEY };

    const first = await analyze([...common, '--max-requests', '12'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain(
      'supervisor stopped: the spending cap of 12 requests was reached',
    );
    // Twelve requests reached the server, the faulted ones included (retries count).
    expect(server.requests).toHaveLength(12);
    const capped = JSON.parse(readFileSync(out, 'utf8'));
    expect(capped.supervisor).toMatchObject({
      requests: 12,
      stopped: expect.stringContaining('cap'),
    });
    expect(capped.hypotheses).toEqual([]);

    const second = await analyze(common, env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('supervisor: 2 hypotheses, 1 confirmed');
    // No job whose reply was stored was sent again: every identity was answered in full once.
    const counts = okCounts(server);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    // The faults were retried; the malformed properties reply got its repair request.
    expect(server.requests.filter((r) => r.outcome === '429')).toHaveLength(1);
    expect(server.requests.filter((r) => r.outcome === 'malformed')).toHaveLength(1);
    const repairs = server.requests.filter(
      (r) => r.task === 'properties' && r.body.messages.some((m) => m.role === 'assistant'),
    );
    expect(repairs).toHaveLength(1);

    const report = JSON.parse(readFileSync(out, 'utf8'));
    const discovery = Math.ceil(N / 2);
    const heldOut = N - discovery;
    expect(report.supervisor).toMatchObject({
      model: server.model,
      discoveryPrompts: discovery,
      heldOutPrompts: heldOut,
      stopped: null,
    });
    // The malformed properties reply is counted as unreadable, its repair as read.
    expect(report.supervisor.replies).toMatchObject({
      properties: { replies: discovery + 1, unparseable: 1 },
      'property-names': { replies: 1, unparseable: 0 },
      proposals: { replies: 1, unparseable: 0 },
      judgements: { replies: 2 * 2 * heldOut, unparseable: 0 },
    });
    // Every discovery prompt's longer answer is B's: one property, on B's side on every prompt.
    expect(report.properties).toHaveLength(1);
    expect(report.properties[0]).toMatchObject({
      name: 'gives a longer answer',
      countA: 0,
      countB: discovery,
      shareA: 0,
      shareB: 1,
    });
    expect(report.properties[0].pValue).toBeCloseTo(2 ** -(discovery - 1), 12);
    // Both answer clusters are labelled from their terms.
    expect(report.labels).toHaveLength(2);
    for (const l of report.labels) expect(l.description).toMatch(/^Answers about /);

    const [longer, lists] = report.hypotheses;
    // "longer": B's answer is picked in both orders on every held-out prompt.
    expect(longer).toMatchObject({
      text: 'Compared with A, B more often give longer answers.',
      source: 'supervisor',
      nHeldOut: heldOut,
      decided: heldOut,
      accuracy: 1,
      orderFlips: 0,
      unparseable: 0,
      confirmed: true,
      lengthRuleAccuracy: 1,
      mayBeLength: true,
    });
    expect(longer.pValue).toBeCloseTo(2 ** -heldOut, 12);
    // "numbered lists": no answer has one, the stand-in says "1" in both orders: all flips, all ties.
    expect(lists).toMatchObject({
      text: 'Compared with A, B more often use numbered lists.',
      decided: 0,
      accuracy: null,
      orderFlips: heldOut,
      confirmed: false,
    });

    // The key reached the server and nothing else: not the report, the cache or the output.
    const everything = [
      readFileSync(out, 'utf8'),
      readFileSync(cache, 'utf8'),
      first.stdout,
      first.stderr,
      second.stdout,
      second.stderr,
    ];
    for (const text of everything) expect(text).not.toContain(KEY);
    // Blind: no request names a model or says "model A/B".
    for (const r of server.requests) {
      const text = r.body.messages.map((m) => m.content).join('\n');
      expect(text).not.toMatch(/model [AB]\b|\ba\.jsonl|\bb\.jsonl/i);
    }
  }, 240_000);

  it('refuses a supervisor flag without --supervisor-url, and an empty key variable', async () => {
    const noUrl = await analyze([
      files.a,
      files.b,
      '--out',
      join(dir, 'x.json'),
      '--hypotheses',
      '3',
    ]);
    expect(noUrl.code).toBe(1);
    expect(noUrl.stderr).toContain('--hypotheses needs --supervisor-url');
    const emptyKey = await analyze([
      files.a,
      files.b,
      '--out',
      join(dir, 'y.json'),
      '--supervisor-url',
      server.url,
      '--supervisor-model',
      'm',
      '--supervisor-key-env',
      'NO_SUCH_VARIABLE_HERE',
    ]);
    expect(emptyKey.code).toBe(1);
    expect(emptyKey.stderr).toContain('NO_SUCH_VARIABLE_HERE: that variable is empty or not set');
  }, 120_000);
});
