/**
 * A small benchmark harness. Each case runs in its own Node process (so its peak memory is its
 * own and one case's garbage cannot slow the next), N times after an untimed setup; the table
 * shows the median. A case may name a reference command (e.g. a scikit-learn script run with
 * /usr/bin/python3) that is run on the same data in the same invocation, for a ratio, and a
 * target its row must meet (`check`): a row that misses it has `pass: false`, is listed after the
 * table and makes the process exit non-zero.
 */
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Figures a case measures other than its own run time (the browser cases), each in the row
 * field named for it; absent from rows that do not measure it.
 */
export interface Figures {
  /** First-screen JavaScript, KB gzip. */
  kb?: number;
  /** From the click on "Analyse" until the results appear, ms. */
  results_ms?: number;
  /** Longest main-thread task while analysing, ms. */
  longest_task_ms?: number;
  /** Longest main-thread task in the 3 s after the results appear (rendering them), ms. */
  longest_render_task_ms?: number;
  /** Slowest answered click during the analysis and the rendering of its results, ms. */
  worst_click_ms?: number;
  /** The map's first draw, a zoom (relayout) and a hover, ms. */
  draw_ms?: number;
  zoom_ms?: number;
  hover_ms?: number;
  /** Renderer processes' peak resident memory while loading a model from a picked folder, MB. */
  folder_peak_mb?: number;
  /** The same while loading it from the bundled path, MB. */
  bundled_peak_mb?: number;
  /** Rise of that memory over its level before the load, from a folder and bundled, MB. */
  folder_rise_mb?: number;
  bundled_rise_mb?: number;
}

/** What one timed run (or its teardown) of a case may report besides its time. */
export interface RunOutcome {
  /** Adjusted Rand index against the ground truth, for clustering cases. */
  ari?: number | null;
  figures?: Figures;
}

/**
 * An external reference implementation. It is run once per repeat and must print, as its
 * last line of stdout, JSON `{"seconds": number, "ari"?: number | null, "reference"?: string}`
 * where `seconds` times only the work itself (interpreter start-up and imports excluded, to be
 * fair) and `reference`, when given, names the implementation that actually ran.
 */
export interface ReferenceCommand {
  /** What the reference is, for the row's `reference` field (e.g. "sklearn PCA"). */
  name: string;
  command: string;
  args: readonly string[];
}

/** Whether a row met its case's target, the target in words, and what was measured. */
export interface Verdict {
  pass: boolean;
  target: string;
  /** The measured value(s) the target was checked on, for the failure message. */
  got: string;
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
  /** Untimed clean-up after every repeat; may report figures it measured. */
  teardown?: (context: C) => Promise<RunOutcome | void>;
  /** Optional reference implementation of the same step on the same data. */
  reference?: ReferenceCommand;
  /**
   * False when the run's time is not what the row is about (browser cases measure figures
   * of their own): the row's `ours_s` is then null. Default true.
   */
  timed?: boolean;
  /** The target of the row, judged in the parent once the row (ARIs, figures) is complete. */
  check?: (row: ResultRow) => Verdict;
}

/** One row of bench/results/latest.json (README, "Benchmarks"); null where not applicable. */
export interface ResultRow extends Figures {
  step: string;
  n: number | null;
  /** Median seconds of our run; null for cases whose figures are not a run time. */
  ours_s: number | null;
  /** The reference implementation, e.g. "R dbscan::hdbscan (slow reference)". */
  reference: string | null;
  ref_s: number | null;
  ratio: number | null;
  ari_ours: number | null;
  ari_ref: number | null;
  /** Peak resident memory of the process that ran our implementation, in MB. */
  peak_mb: number | null;
  /** Whether the row met `target`; null when the case has no target. */
  pass: boolean | null;
  target: string | null;
}

/** What a child process reports for its case. */
interface ChildReport {
  seconds: number[];
  ari: number | null;
  figures: Figures;
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
  let figures: Figures = {};
  for (let i = 0; i < (c.repeats ?? 5); i++) {
    const context = await c.setup();
    const start = process.hrtime.bigint();
    const outcome = await c.run(context);
    const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    const after = await c.teardown?.(context);
    seconds.push(elapsed / (c.perItem ?? 1));
    for (const o of [outcome, after]) {
      if (o && o.ari !== undefined) ari = o.ari;
      if (o?.figures) figures = { ...figures, ...o.figures };
    }
  }
  // maxRSS is in kilobytes and covers the whole process, start-up included.
  return { seconds, ari, figures, peakMb: process.resourceUsage().maxRSS / 1024 };
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
): Promise<{ seconds: number; ari: number | null; name: string }> {
  const seconds: number[] = [];
  let ari: number | null = null;
  let name = ref.name;
  for (let i = 0; i < repeats; i++) {
    const report = JSON.parse(lastLine(await exec(ref.command, ref.args))) as {
      seconds: number;
      ari?: number | null;
      reference?: string;
    };
    seconds.push(report.seconds);
    ari = report.ari ?? null;
    name = report.reference ?? name;
  }
  return { seconds: median(seconds), ari, name };
}

/** Formats a time compactly but with enough digits for sub-millisecond per-item costs. */
function fmtSeconds(s: number | null): string {
  if (s === null) return '-';
  return s >= 0.01 ? s.toFixed(3) : s.toExponential(2);
}

/** A row's figures as "kb 180.2, ..." for the table. */
function fmtFigures(row: ResultRow): string {
  const names: (keyof Figures)[] = [
    'kb',
    'results_ms',
    'longest_task_ms',
    'longest_render_task_ms',
    'worst_click_ms',
    'draw_ms',
    'zoom_ms',
    'hover_ms',
    'folder_peak_mb',
    'bundled_peak_mb',
    'folder_rise_mb',
    'bundled_rise_mb',
  ];
  const shown = names.filter((k) => row[k] !== undefined);
  return shown.length
    ? shown.map((k) => `${k} ${row[k]!.toFixed(k === 'kb' ? 1 : 0)}`).join(', ')
    : '-';
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
    'pass',
    'figures',
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
    r.pass === null ? '-' : r.pass ? 'ok' : 'FAIL',
    fmtFigures(r),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  // Text columns align left, numbers right.
  const text = new Set([0, header.length - 1]);
  const fmt = (cells: string[]) =>
    cells.map((c, i) => (text.has(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(fmt(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of body) console.log(fmt(row));
  for (const note of notes) console.log(`note: ${note}`);
}

/** Options of `main`, read from the command line by run.ts. */
export interface MainOptions {
  /** Only run cases whose step contains this text (latest.json is then not rewritten). */
  only?: string;
  /** Only run cases of this size `n` (latest.json is then not rewritten either). */
  n?: number;
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
      report = { seconds: [], ari: null, figures: {}, peakMb: 0, error: String(error) };
    }
    console.log(REPORT_PREFIX + JSON.stringify(report));
    return;
  }

  const rows: ResultRow[] = [];
  const notes: string[] = [];
  const failures: string[] = [];
  for (const [index, c] of cases.entries()) {
    if (options.only && !c.step.includes(options.only)) continue;
    if (options.n !== undefined && c.n !== options.n) continue;
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
    let ref: { seconds: number; ari: number | null; name: string } | null = null;
    if (c.reference) {
      try {
        ref = await runReference(c.reference, c.repeats ?? 5);
      } catch (error) {
        notes.push(`reference of "${c.step}" failed: ${String(error)}`);
      }
    }
    const oursS = ours.seconds.length && c.timed !== false ? median(ours.seconds) : null;
    const row: ResultRow = {
      step: c.step,
      n: c.n,
      ours_s: oursS,
      reference: ref?.name ?? c.reference?.name ?? null,
      ref_s: ref?.seconds ?? null,
      ratio: oursS !== null && ref && ref.seconds > 0 ? oursS / ref.seconds : null,
      ari_ours: ours.ari,
      ari_ref: ref?.ari ?? null,
      ...ours.figures,
      peak_mb: ours.error ? null : Math.round(ours.peakMb),
      pass: null,
      target: null,
    };
    const verdict = c.check?.(row) ?? null;
    if (verdict) {
      [row.pass, row.target] = [verdict.pass && !ours.error, verdict.target];
      if (!row.pass) {
        failures.push(
          `FAILED: "${c.step}" (n = ${c.n ?? '-'}) missed its target ${verdict.target}: ` +
            (ours.error ? 'the case failed' : `got ${verdict.got}`),
        );
      }
    }
    rows.push(row);
    // The table comes at the end of a long run: say how each row went as it completes.
    const figures = fmtFigures(row);
    process.stderr.write(
      (figures === '-'
        ? `  ours ${fmtSeconds(row.ours_s)} s, reference ${fmtSeconds(row.ref_s)} s`
        : `  ${figures}`) +
        (row.ari_ours === null ? '' : `, ARI ours ${row.ari_ours.toFixed(3)}`) +
        (row.ari_ref === null ? '' : `, ARI ref ${row.ari_ref.toFixed(3)}`) +
        (row.pass === null ? '' : `: ${row.pass ? 'pass' : 'FAIL'} (${row.target})`) +
        '\n',
    );
  }
  printTable(rows, notes);
  for (const failure of failures) console.log(failure);
  if (failures.length) process.exitCode = 1;
  // A filtered run would leave latest.json describing only part of the suite.
  if (options.only || options.n !== undefined) {
    console.log(`--only or --n given: ${options.resultsFile} left unchanged`);
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
