import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const PAIR = join(ROOT, 'tests/fixtures/e2e');
const dir = mkdtempSync(join(tmpdir(), 'bd-cli-'));

/** Runs `npm run analyze` in a child process; resolves with its exit code and output. */
async function analyze(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      'node',
      ['--import', 'tsx', 'scripts/analyze.ts', ...args],
      { cwd: ROOT },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('npm run analyze', () => {
  it('writes REPORT.json and a Markdown report for an alpaca_eval pair', async () => {
    const out = join(dir, 'report.json');
    const md = join(dir, 'report.md');
    const result = await analyze(
      join(PAIR, 'before_model_outputs.json'),
      join(PAIR, 'after_model_outputs.json'),
      '--out',
      out,
      '--md',
      md,
      '--k',
      '2',
      '--seed',
      '3',
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.n).toEqual({ prompts: 6, answersA: 6, answersB: 6, pairedPrompts: 6 });
    expect(report.clusters).toHaveLength(2);
    expect(report.params.seed).toBe(3);
    expect(typeof report.overall.pValue).toBe('number');
    // Issue 9's sections: openings and closings tested; 6 prompts are too few for clusters of
    // change (null method, no clusters); prompts without categories give no categories field.
    expect(report.openings).toMatchObject({ test: 'mcnemar-exact' });
    expect(report.closings).toMatchObject({ test: 'mcnemar-exact' });
    expect(report.changes).toEqual([]);
    expect(report.changeClustering).toBeNull();
    expect(report).not.toHaveProperty('categories');
    expect(Object.keys(report.timings)).toEqual(
      expect.arrayContaining(['import', 'embed', 'project', 'cluster', 'compare', 'total']),
    );
    expect(readFileSync(md, 'utf8')).toContain('# Behaviour Diff report');
  }, 120_000);

  it('names the models of two model_outputs.json files after their folders', async () => {
    const rows = (answer: string) =>
      JSON.stringify(
        ['What is 2+2?', 'Name a colour.', 'Say hi.', 'Pick a fruit.'].map((p, i) => ({
          instruction: p,
          output: `${answer} ${i}`,
        })),
      );
    for (const [model, answer] of [
      ['base', 'plain answer'],
      ['tuned', 'Great question! Here is a much longer answer'],
    ] as const) {
      mkdirSync(join(dir, 'results', model), { recursive: true });
      writeFileSync(join(dir, 'results', model, 'model_outputs.json'), rows(answer));
    }
    const out = join(dir, 'folders.json');
    const result = await analyze(
      join(dir, 'results/base/model_outputs.json'),
      join(dir, 'results/tuned/model_outputs.json'),
      '--out',
      out,
      '--k',
      '2',
    );
    expect(result.stderr).toBe('');
    expect(JSON.parse(readFileSync(out, 'utf8')).models).toEqual({ A: 'base', B: 'tuned' });
  }, 120_000);

  it('reads two JSONL answer tables, one per model', async () => {
    const rows = (answer: string) =>
      ['What is 2+2?', 'Name a colour.', 'Say hi.', 'Pick a fruit.']
        .map((p, i) => JSON.stringify({ prompt: p, response: `${answer} ${i}` }))
        .join('\n');
    writeFileSync(join(dir, 'a.jsonl'), rows('plain answer'));
    writeFileSync(join(dir, 'b.jsonl'), rows('Great question! Here is a much longer answer'));
    const out = join(dir, 'tables.json');
    const result = await analyze(
      join(dir, 'a.jsonl'),
      join(dir, 'b.jsonl'),
      '--out',
      out,
      '--k',
      '2',
    );
    expect(result.stderr).toBe('');
    expect(JSON.parse(readFileSync(out, 'utf8')).n).toEqual({
      prompts: 4,
      answersA: 4,
      answersB: 4,
      pairedPrompts: 4,
    });
  }, 120_000);

  it('exits non-zero with a one-line reason on bad input', async () => {
    writeFileSync(
      join(dir, 'one.json'),
      JSON.stringify([{ instruction: 'Only one', output: 'x', generator: 'm' }]),
    );
    writeFileSync(
      join(dir, 'other.json'),
      JSON.stringify([{ instruction: 'Different', output: 'y', generator: 'n' }]),
    );
    writeFileSync(join(dir, 'broken.json'), '[{"instruction": "x", "output": ');
    const cases: [string[], RegExp][] = [
      [
        [join(dir, 'missing.json'), join(dir, 'one.json'), '--out', join(dir, 'x.json')],
        /no such file/,
      ],
      [
        [join(dir, 'one.json'), join(dir, 'other.json'), '--out', join(dir, 'x.json')],
        /no prompts in common/,
      ],
      [
        [join(dir, 'one.json'), join(dir, 'one.json'), '--out', join(dir, 'x.json')],
        /too few answers/,
      ],
      [
        [join(dir, 'broken.json'), join(dir, 'one.json'), '--out', join(dir, 'x.json')],
        /broken\.json/,
      ],
      [[join(dir, 'one.json')], /usage/],
    ];
    for (const [args, reason] of cases) {
      const result = await analyze(...args);
      expect(result.code, args.join(' ')).not.toBe(0);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(reason);
    }
  }, 120_000);
});
