/**
 * A small benchmark harness. Each case runs in its own Node process (so its peak memory is its
 * own and one case's garbage cannot slow the next), N times after an untimed setup; the table
 * shows the median. A case may name a reference command (e.g. a scikit-learn script run with
 * /usr/bin/python3) that is run on the same data in the same invocation, for a ratio.
 */
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What one timed run of a case may report besides its time. */
export interface RunOutcome {
  /** Adjusted Rand index against the ground truth, for clustering cases. */
  ari?: number | null;
}

/**
 * An external reference implementation. It is run once per repeat and must print, as its
 * last line of stdout, JSON `{"seconds": number, "ari"?: number | null}` where `seconds`
 * times only the work itself (interpreter start-up and imports excluded, to be fair).
 */
export interface ReferenceCommand {
  command: string;
  args: readonly string[];
}

/** One benchmark case. `C` is what setup hands to the timed run. */
export interface BenchCase<C = unknown> {
  /** Row label, e.g. "idb: reopen run". */
  step: string;
  /** Problem size shown in the table (points, answers...), or null. */
  n: number | null;
  /** Timed repetitions; default 5. */
  repeats?: number;
  /** Times are divided by this, for per-item costs (e.g. per answer). Default 1. */
  perItem?: number;
  /** A reason to skip (e.g. missing data), or null to run. Called in the parent. */
  skip?: () => Promise<string | null>;
  /** Untimed preparation before every repeat. */
  setup: () => Promise<C>;
  /** The timed work. Throwing fails the case (with its message in the table). */
  run: (context: C) => Promise<RunOutcome | void>;
  /** Untimed clean-up after every repeat. */
  teardown?: (context: C) => Promise<void>;
  /** Optional reference implementation of the same step on the same data. */
  reference?: ReferenceCommand;
}

/** One row of bench/results/latest.json; null where not applicable. */
export interface ResultRow {
  step: string;
  n: number | null;
  ours_s: number | null;
  ref_s: number | null;
  ratio: number | null;
  ari_ours: number | null;
  ari_ref: number | null;
  /** Peak resident memory of the process that ran our implementation, in MB. */
  peak_mb: number | null;
}

/** What a child process reports for its case. */
interface ChildReport {
  seconds: number[];
  ari: number | null;
  peakMb: number;
  error?: string;
}

const CHILD_FLAG = '--bench-child';
const REPORT_PREFIX = 'BENCH_REPORT ';

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs one case in this process and returns its timings (used inside the child). */
async function runHere(c: BenchCase): Promise<ChildReport> {
  const seconds: number[] = [];
  let ari: number | null = null;
  for (let i = 0; i < (c.repeats ?? 5); i++) {
    const context = await c.setup();
    const start = process.hrtime.bigint();
    const outcome = await c.run(context);
    const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    await c.teardown?.(context);
    seconds.push(elapsed / (c.perItem ?? 1));
    if (outcome && outcome.ari !== undefined) ari = outcome.ari;
  }
  // maxRSS is in kilobytes and covers the whole process, start-up included.
  return { seconds, ari, peakMb: process.resourceUsage().maxRSS / 1024 };
}

/** Runs a command and resolves with its stdout; rejects with stderr on a non-zero exit. */
function exec(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${command} exited ${code}: ${err.trim()}`)),
    );
  });
}

/** The last non-empty line of `text`. */
function lastLine(text: string): string {
  return text.trim().split('\n').at(-1) ?? '';
}

/** Runs case `index` of `cases` in a fresh Node process. */
async function runInChild(entry: string, index: number): Promise<ChildReport> {
  const out = await exec(process.execPath, ['--import', 'tsx', entry, CHILD_FLAG, String(index)]);
  const line = out.split('\n').find((l) => l.startsWith(REPORT_PREFIX));
  if (!line) throw new Error(`no report from child: ${lastLine(out)}`);
  return JSON.parse(line.slice(REPORT_PREFIX.length)) as ChildReport;
}

/** Runs the reference command `repeats` times; median seconds and its ARI. */
async function runReference(
  ref: ReferenceCommand,
  repeats: number,
): Promise<{ seconds: number; ari: number | null }> {
  const seconds: number[] = [];
  let ari: number | null = null;
  for (let i = 0; i < repeats; i++) {
    const report = JSON.parse(lastLine(await exec(ref.command, ref.args))) as {
      seconds: number;
      ari?: number | null;
    };
    seconds.push(report.seconds);
    ari = report.ari ?? null;
  }
  return { seconds: median(seconds), ari };
}

/** Formats a time compactly but with enough digits for sub-millisecond per-item costs. */
function fmtSeconds(s: number | null): string {
  if (s === null) return '-';
  return s >= 0.01 ? s.toFixed(3) : s.toExponential(2);
}

/** Prints rows as one aligned table. */
export function printTable(rows: readonly ResultRow[], notes: readonly string[]): void {
  const header = [
    'step',
    'n',
    'ours (median s)',
    'reference (median s)',
    'ratio',
    'ARI ours',
    'ARI ref',
    'peak MB',
  ];
  const body = rows.map((r) => [
    r.step,
    r.n === null ? '-' : String(r.n),
    fmtSeconds(r.ours_s),
    fmtSeconds(r.ref_s),
    r.ratio === null ? '-' : r.ratio.toFixed(2),
    r.ari_ours === null ? '-' : r.ari_ours.toFixed(3),
    r.ari_ref === null ? '-' : r.ari_ref.toFixed(3),
    r.peak_mb === null ? '-' : r.peak_mb.toFixed(0),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  // Text columns align left, numbers right.
  const fmt = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(fmt(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of body) console.log(fmt(row));
  for (const note of notes) console.log(`note: ${note}`);
}

/** Options of `main`, read from the command line by run.ts. */
export interface MainOptions {
  /** Only run cases whose step contains this text (latest.json is then not rewritten). */
  only?: string;
  /** Where the JSON rows go. */
  resultsFile: string;
  /** The entry module (bench/run.ts), re-run in child processes. */
  entry: string;
}

/**
 * The harness entry: in a child process runs the one case it was given and reports; in the
 * parent runs every case in its own child, then the references, and prints and saves rows.
 */
export async function main(cases: readonly BenchCase[], options: MainOptions): Promise<void> {
  const childAt = process.argv.indexOf(CHILD_FLAG);
  if (childAt >= 0) {
    const c = cases[Number(process.argv[childAt + 1])]!;
    let report: ChildReport;
    try {
      report = await runHere(c);
    } catch (error) {
      report = { seconds: [], ari: null, peakMb: 0, error: String(error) };
    }
    console.log(REPORT_PREFIX + JSON.stringify(report));
    return;
  }

  const rows: ResultRow[] = [];
  const notes: string[] = [];
  for (const [index, c] of cases.entries()) {
    if (options.only && !c.step.includes(options.only)) continue;
    const skipped = await c.skip?.();
    if (skipped) {
      notes.push(`skipped "${c.step}": ${skipped}`);
      continue;
    }
    process.stderr.write(`running ${c.step} ...\n`);
    const ours = await runInChild(options.entry, index);
    if (ours.error) {
      notes.push(`"${c.step}" failed: ${ours.error}`);
      process.exitCode = 1;
    }
    let ref: { seconds: number; ari: number | null } | null = null;
    if (c.reference) {
      try {
        ref = await runReference(c.reference, c.repeats ?? 5);
      } catch (error) {
        notes.push(`reference of "${c.step}" failed: ${String(error)}`);
      }
    }
    const oursS = ours.seconds.length ? median(ours.seconds) : null;
    rows.push({
      step: c.step,
      n: c.n,
      ours_s: oursS,
      ref_s: ref?.seconds ?? null,
      ratio: oursS !== null && ref && ref.seconds > 0 ? oursS / ref.seconds : null,
      ari_ours: ours.ari,
      ari_ref: ref?.ari ?? null,
      peak_mb: ours.error ? null : Math.round(ours.peakMb),
    });
  }
  printTable(rows, notes);
  // A filtered run would leave latest.json describing only part of the suite.
  if (options.only) {
    console.log(`--only given: ${options.resultsFile} left unchanged`);
    return;
  }
  await mkdir(dirname(options.resultsFile), { recursive: true });
  await writeFile(options.resultsFile, JSON.stringify(rows, null, 2) + '\n');
  console.log(`wrote ${options.resultsFile}`);
}

/** The path of a module's file from its import.meta.url. */
export function pathOf(url: string): string {
  return fileURLToPath(url);
}
