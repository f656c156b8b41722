// Mutation testing of core/{compare,cluster,text,project} with StrykerJS (stryker.config.mjs).
//
//   npm run test:mutation                      all four folders, one after the other
//   npm run test:mutation -- cluster           one folder (or `src/lib/core/cluster`)
//   npm run test:mutation -- src/lib/core/cluster/kmeans.ts   one source file
//   add --force to ignore the incremental results and retest every mutant
//   --report only merges the per-file reports already written and prints the scores
//
// Each source file is its own Stryker run with its own incremental file under
// reports/mutation/incremental/ (committed: later runs retest only what changed), which is also
// that run's full report: a run stopped half-way keeps every file it finished, and rerunning one
// file or folder never drops the others' results. reports/mutation/mutation.json is the union of
// those reports in Stryker's standard mutation-testing-report schema (rebuilt, not committed);
// the per-folder scores and run times are printed at the end and kept in summary.json.
import { Stryker } from '@stryker-mutator/core';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';

const FOLDERS = ['compare', 'cluster', 'text', 'project'];
const CORE = 'src/lib/core';
const REPORT_DIR = 'reports/mutation';

// Files with nothing to mutate, and why.
const NOT_MUTATED = new Map([
  // Generated from scripts/cluster-kernels.wat: a changed character of the base64 WASM module
  // only makes the bytes invalid, which the kernel tests already check as a whole.
  [`${CORE}/cluster/wasm-bytes.ts`, 'generated WASM bytes'],
  // Re-exports and type declarations only: Stryker finds no mutants in them.
  [`${CORE}/compare/index.ts`, 're-exports'],
  [`${CORE}/cluster/index.ts`, 're-exports'],
  [`${CORE}/text/index.ts`, 're-exports'],
  [`${CORE}/compare/result-types.ts`, 'types only'],
]);

/** The source files a folder name, folder path or file path stands for. */
function sourcesOf(argument) {
  const path = argument.replace(/\/+$/, '');
  if (path.endsWith('.ts')) {
    const folder = path.split('/').at(-2);
    if (!FOLDERS.includes(folder) || !existsSync(path)) {
      throw new Error(
        `test:mutation: "${argument}" is not a source file under ${CORE}/{${FOLDERS}}`,
      );
    }
    return [path];
  }
  const folder = path.split('/').at(-1);
  if (!FOLDERS.includes(folder)) {
    throw new Error(
      `test:mutation: unknown folder "${argument}"; expected one of ${FOLDERS.join(', ')}`,
    );
  }
  return readdirSync(`${CORE}/${folder}`)
    .filter((name) => name.endsWith('.ts'))
    .map((name) => `${CORE}/${folder}/${name}`)
    .filter((file) => !NOT_MUTATED.has(file));
}

/** `cluster/kmeans` for src/lib/core/cluster/kmeans.ts: the name of a file's reports. */
const unitOf = (file) => file.slice(CORE.length + 1).replace(/\.ts$/, '');

// Test files left out of one source file's run, and why. quality.ts's trustworthiness is the
// inner loop of the UMAP reference tests: instrumented, one of them ran past 180 s in the dry run.
// quality.ts keeps its own tests (project-quality.test.ts), which call it directly. The same
// 2,000-point UMAP runs made nn-descent.ts's and umap.ts's runs last hours (nn-descent.ts ran
// 100 minutes without finishing); both have fast direct tests instead
// (project-nn-descent.test.ts, project-umap-run.test.ts). nn-descent.ts also leaves out
// project-quality.test.ts, whose NN-descent test on 2,000 x 384 points would rerun for every
// mutant the 300-point tests already cover.
const SKIPPED_TESTS = new Map([
  [`${CORE}/project/quality.ts`, ['tests/unit/project-umap.test.ts']],
  [
    `${CORE}/project/nn-descent.ts`,
    ['tests/unit/project-umap.test.ts', 'tests/unit/project-quality.test.ts'],
  ],
  [`${CORE}/project/umap.ts`, ['tests/unit/project-umap.test.ts']],
]);

async function runFile(file, force) {
  const unit = unitOf(file);
  const started = Date.now();
  // vitest.mutation.config.ts reads this; the test runner processes inherit it.
  process.env.BD_MUTATION_SKIP_TESTS = (SKIPPED_TESTS.get(file) ?? []).join(',');
  await new Stryker({
    configFile: 'stryker.config.mjs',
    mutate: [file],
    incrementalFile: `${REPORT_DIR}/incremental/${unit}.json`,
    force,
  }).runMutationTest();
  const seconds = Math.round((Date.now() - started) / 1000);
  const times = readTimes();
  times[unit] = { seconds, finished: new Date().toISOString(), force };
  writeFileSync(TIMES, JSON.stringify(times, null, 2) + '\n');
}

/** Wall-clock seconds of each file's last Stryker run (incremental runs are shorter). */
const TIMES = `${REPORT_DIR}/run-times.json`;
function readTimes() {
  return existsSync(TIMES) ? JSON.parse(readFileSync(TIMES, 'utf8')) : {};
}

/** Counts of mutants by status, and Stryker's score: detected / (detected + undetected). */
function countsOf(fileReports) {
  const counts = {
    Killed: 0,
    Survived: 0,
    Timeout: 0,
    NoCoverage: 0,
    CompileError: 0,
    RuntimeError: 0,
    Ignored: 0,
  };
  for (const report of fileReports) {
    for (const mutant of report.mutants) counts[mutant.status] = (counts[mutant.status] ?? 0) + 1;
  }
  const detected = counts.Killed + counts.Timeout;
  const valid = detected + counts.Survived + counts.NoCoverage;
  return { ...counts, score: valid === 0 ? null : Math.round((1000 * detected) / valid) / 10 };
}

/** Writes mutation.json (the union of the per-file reports) and summary.json; returns the summary. */
function mergeReports() {
  const summaryPath = `${REPORT_DIR}/summary.json`;
  const times = readTimes();
  let merged;
  const summary = {};
  for (const folder of FOLDERS) {
    // The incremental file Stryker writes after each run is its full JSON report of that run.
    const dir = `${REPORT_DIR}/incremental/${folder}`;
    const names = existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith('.json')) : [];
    const files = {};
    const seconds = {};
    for (const name of names.sort()) {
      const report = JSON.parse(readFileSync(`${dir}/${name}`, 'utf8'));
      const unit = `${folder}/${name.replace(/\.json$/, '')}`;
      for (const [path, file] of Object.entries(report.files)) {
        // Ids restart at 0 in every Stryker run; the file name keeps them unique.
        for (const mutant of file.mutants) mutant.id = `${unit}#${mutant.id}`;
        files[path] = file;
      }
      merged ??= { ...report, files: {}, testFiles: {}, performance: undefined };
      Object.assign(merged.files, report.files);
      Object.assign(merged.testFiles, report.testFiles ?? {});
      seconds[unit] = times[unit]?.seconds ?? null;
    }
    if (names.length === 0) continue;
    const missing = sourcesOf(folder).filter((file) => !(file in files));
    summary[folder] = {
      ...countsOf(Object.values(files)),
      seconds,
      ...(missing.length > 0 ? { notYetRun: missing } : {}),
    };
  }
  if (merged) writeFileSync(`${REPORT_DIR}/mutation.json`, JSON.stringify(merged) + '\n');
  writeFileSync(summaryPath, JSON.stringify(summary, null, 2) + '\n');
  return summary;
}

function printSummary(summary) {
  console.log('\nfolder    score  killed survived timeout no-cov  time (s)');
  for (const [folder, s] of Object.entries(summary)) {
    const seconds = Object.values(s.seconds).reduce((sum, t) => sum + (t ?? 0), 0);
    const cells = [s.Killed, s.Survived, s.Timeout, s.NoCoverage].map((n, i) =>
      String(n).padStart([6, 8, 7, 6][i]),
    );
    console.log(
      `${folder.padEnd(8)} ${String(s.score).padStart(5)}% ${cells.join(' ')}  ${Math.round(seconds)}`,
    );
    if (s.notYetRun) console.log(`         not yet run: ${s.notYetRun.join(', ')}`);
  }
}

const args = process.argv.slice(2);
const force = args.includes('--force');
// --report only merges the reports already written and prints the scores.
const reportOnly = args.includes('--report');
const targets = args.filter((a) => a !== '--force' && a !== '--report');
const files = reportOnly ? [] : (targets.length > 0 ? targets : FOLDERS).flatMap(sourcesOf);
mkdirSync(REPORT_DIR, { recursive: true });
const failed = [];
for (const file of files) {
  try {
    await runFile(file, force);
  } catch (error) {
    // Stryker has logged why (usually a failing test in the initial run); go on with the rest.
    failed.push(`${file}: ${error instanceof Error ? error.message : error}`);
  }
}
printSummary(mergeReports());
if (failed.length > 0) {
  console.error(`\nStryker failed on:\n  ${failed.join('\n  ')}`);
  process.exitCode = 1;
}
