/**
 * `npm run analyze` as an auditable tool, run as a user runs it (a child process): what the
 * import left out is printed and saved, bad option values are refused with the allowed ones,
 * `--csv` writes every answer's cluster and features, and `--embedder` takes a local folder
 * or explains why a hub model cannot be loaded offline.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { STYLE_FEATURE_NAMES } from '../../src/lib/core/text/style-features';

const ROOT = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'bd-cli-audit-'));

// The loader by its path, so the CLI can run from another folder as a user's shell would.
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/**
 * Runs the CLI; resolves with its exit code and output. `env` is added to the environment;
 * `cwd` is where relative paths are read from.
 */
function analyze(
  args: string[],
  env: Record<string, string> = {},
  cwd = ROOT,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      'node',
      ['--import', TSX, join(ROOT, 'scripts/analyze.ts'), ...args],
      { cwd, env: { ...process.env, ...env } },
      (error, stdout, stderr) => done({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

/** Writes a JSONL answer table (prompt, response) and returns its path. */
function table(name: string, rows: [prompt: string, answer: string][]): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    rows.map(([prompt, response]) => JSON.stringify({ prompt, response })).join('\n') + '\n',
  );
  return path;
}

const SHARED: [string, string][] = [
  ['Name a colour.', 'Blue.'],
  ['Say hi.', 'Hi there, nice to meet you.'],
  ['Pick a fruit.', 'An apple, crisp and sweet.'],
];

describe('the import report', () => {
  it('prints and saves the prompts only one model answered and the duplicate rows', async () => {
    // A answers two prompts B does not (one with a terminal escape sequence in it) and repeats
    // one prompt; B answers one prompt A does not.
    const a = table('only-a.jsonl', [
      ...SHARED,
      ['Only A was asked this.', 'A answer.'],
      ['Clear \u001b[2Jthe screen?', 'No.'],
      ['Say hi.', 'A second answer to the same prompt.'],
    ]);
    const b = table('only-b.jsonl', [
      ['Only B was asked this.', 'B answer.'],
      ...SHARED.map(([p, t]): [string, string] => [p, `${t} Certainly!`]),
    ]);
    const out = join(dir, 'import.json');
    const result = await analyze([a, b, '--out', out, '--k', '2', '--permutations', '99']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.n).toEqual({ prompts: 3, answersA: 3, answersB: 3, pairedPrompts: 3 });
    expect(report.import).toEqual({
      promptsOnlyInA: [
        { prompt: 'Only A was asked this.', location: 'only-a.jsonl line 4' },
        { prompt: 'Clear \u001b[2Jthe screen?', location: 'only-a.jsonl line 5' },
      ],
      promptsOnlyInB: [{ prompt: 'Only B was asked this.', location: 'only-b.jsonl line 1' }],
      duplicates: [{ side: 'A', prompt: 'Say hi.', location: 'only-a.jsonl line 6' }],
      warnings: [],
    });
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toBe(
      'analyze: import: 2 prompts only in A (not analysed): "Only A was asked this." (only-a.jsonl line 4); "Clear \\u001b[2Jthe screen?" (only-a.jsonl line 5)',
    );
    expect(lines[1]).toBe(
      'analyze: import: 1 prompt only in B (not analysed): "Only B was asked this." (only-b.jsonl line 1)',
    );
    expect(lines[2]).toBe(
      'analyze: import: 1 duplicate row (the first of each kept): "Say hi." (only-a.jsonl line 6)',
    );
    expect(lines).toHaveLength(4);
    // The escape sequence from the file never reaches the terminal.
    expect(result.stderr).not.toContain('\u001b');
  }, 60_000);

  it('names the first few and counts the rest when many prompts are left out', async () => {
    const onlyA = Array.from({ length: 5 }, (_, i): [string, string] => [`Extra ${i}?`, 'x']);
    const a = table('many-a.jsonl', [...SHARED, ...onlyA]);
    const b = table('many-b.jsonl', SHARED);
    const out = join(dir, 'many.json');
    const result = await analyze([a, b, '--out', out, '--k', '2', '--permutations', '99']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr.split('\n')[0]).toBe(
      'analyze: import: 5 prompts only in A (not analysed): "Extra 0?" (many-a.jsonl line 4); "Extra 1?" (many-a.jsonl line 5); "Extra 2?" (many-a.jsonl line 6); and 2 more',
    );
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.import.promptsOnlyInA.map((r: { prompt: string }) => r.prompt)).toEqual(
      onlyA.map(([p]) => p),
    );
    expect(report.import.promptsOnlyInB).toEqual([]);
  }, 60_000);
});

describe('option validation', () => {
  const files = () => [
    table('opt-a.jsonl', SHARED),
    table('opt-b.jsonl', SHARED),
    '--out',
    join(dir, 'never-written.json'),
  ];
  const cases: [string[], string][] = [
    [
      ['--clustering', 'kmean'],
      'analyze: --clustering must be one of kmeans, ward, hdbscan (got "kmean")',
    ],
    [['--projection', 'tsne'], 'analyze: --projection must be one of umap, pca (got "tsne")'],
    [['--k', '0'], 'analyze: --k must be a whole number of at least 1 or "auto" (got "0")'],
    [['--seed', '1.5'], 'analyze: --seed must be a whole number from 0 to 4294967295 (got "1.5")'],
    [
      ['--permutations', '10'],
      'analyze: --permutations must be a whole number of at least 99 (got "10")',
    ],
    [
      ['--cluster', 'ward'],
      'analyze: unknown option --cluster; the options are --out, --md, --csv, --embedder, --k, --seed, --clustering, --projection, --permutations, --supervisor-url, --supervisor-model, --supervisor-key-env, --hypotheses, --properties-sample, --held-out-sample, --max-requests, --concurrency, --cache, --help',
    ],
  ];
  it.concurrent.each(cases)(
    '%j exits 1 with the allowed values',
    async (extra, message) => {
      const result = await analyze([...files(), ...extra]);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`${message}\n`);
      expect(result.stdout).toBe('');
    },
    30_000,
  );
});

describe('--csv', () => {
  it('writes one row per answer with its cluster and features, formula-safe', async () => {
    const a = table('csv-a.jsonl', [
      ['=HYPERLINK("http://x.test","click")', 'Plain answer with five words.'],
      ['Say hi.', '- one\n- two\n- three'],
      ['Pick a fruit.', '@SUM(1,2) is not a fruit, "apple" is.'],
    ]);
    const b = table('csv-b.jsonl', [
      ['=HYPERLINK("http://x.test","click")', '+1 for asking! Certainly.'],
      ['Say hi.', 'Hi. Is that all? Really?'],
      ['Pick a fruit.', 'A pear.'],
    ]);
    const out = join(dir, 'csv.json');
    const csvPath = join(dir, 'answers.csv');
    const result = await analyze([
      a,
      b,
      '--out',
      out,
      '--csv',
      csvPath,
      '--k',
      '2',
      '--permutations',
      '99',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const text = readFileSync(csvPath, 'utf8');
    // Text a spreadsheet would run as a formula starts with a quote; quotes are doubled.
    expect(text).toContain(`"'=HYPERLINK(""http://x.test"",""click"")"`);
    expect(text).toContain(`"'@SUM(1,2) is not a fruit, ""apple"" is."`);
    expect(text).toContain(`'+1 for asking! Certainly.`);
    const parsed = Papa.parse<Record<string, string>>(text.trimEnd(), { header: true });
    expect(parsed.errors).toEqual([]);
    expect(parsed.meta.fields).toEqual([
      'promptId',
      'prompt',
      'side',
      'sample',
      'cluster',
      ...STYLE_FEATURE_NAMES,
      'answer',
    ]);
    const rows = parsed.data;
    expect(rows).toHaveLength(6);
    const row = (side: string, answerStart: string) =>
      rows.find((r) => r.side === side && r.answer!.startsWith(answerStart))!;
    expect(row('A', 'Plain answer')).toMatchObject({ sample: '0', length_words: '5' });
    // A Markdown list starts with "-", so the cell is neutralised; the count is of the real text.
    expect(row('A', "'- one")).toMatchObject({ prompt: 'Say hi.', list_items: '3' });
    expect(row('B', 'Hi. Is that')).toMatchObject({ questions: '2', length_words: '5' });
    // The clusters in the CSV are the report's clusters: same ids, same counts per side.
    const report = JSON.parse(readFileSync(out, 'utf8'));
    for (const cluster of report.clusters) {
      const inCluster = rows.filter((r) => Number(r.cluster) === cluster.id);
      expect(inCluster.filter((r) => r.side === 'A')).toHaveLength(cluster.countA);
      expect(inCluster.filter((r) => r.side === 'B')).toHaveLength(cluster.countB);
    }
    // Each prompt id joins back to the report's prompt list.
    const ids = new Set(report.prompts.map((p: { promptId: string }) => p.promptId));
    for (const r of rows) expect(ids.has(r.promptId)).toBe(true);
  }, 60_000);
});

/** A port that was just free: nothing listens there, so a connection is refused locally. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('--embedder', () => {
  const pair = () => [
    join(ROOT, 'tests/fixtures/e2e/before_model_outputs.json'),
    join(ROOT, 'tests/fixtures/e2e/after_model_outputs.json'),
  ];

  it('takes a local folder in the transformers.js layout, with the same result as bundled', async () => {
    // "local/my-embedder" is also a valid hub id: the folder on disk must win, and nothing is
    // fetched (the hub is pointed at a closed port, see below).
    const folder = join(dir, 'local', 'my-embedder');
    cpSync(join(ROOT, 'public/models/bundled-embedder'), folder, { recursive: true });
    const options = ['--k', '2', '--permutations', '99', '--seed', '4'];
    const offline = { HF_ENDPOINT: `http://127.0.0.1:${await closedPort()}` };
    const [bundled, local] = await Promise.all([
      analyze([...pair(), '--out', join(dir, 'bundled.json'), ...options]),
      analyze(
        [
          ...pair(),
          '--out',
          join(dir, 'local.json'),
          '--embedder',
          'local/my-embedder',
          ...options,
        ],
        offline,
        dir,
      ),
    ]);
    expect(bundled.code, bundled.stderr).toBe(0);
    expect(local.code, local.stderr).toBe(0);
    const read = (name: string) => {
      const { timings: _timings, ...report } = JSON.parse(readFileSync(join(dir, name), 'utf8'));
      return report;
    };
    const fromBundled = read('bundled.json');
    const fromFolder = read('local.json');
    expect(fromBundled.params.embedderId).toBe('transformers:bundled-embedder');
    expect(fromFolder.params.embedderId).toBe(`transformers:${folder}`);
    // The bundled embedder's limits are noted by its id; a copy in a folder is not recognised.
    expect(fromBundled.notes.join(' ')).toMatch(/bundled/i);
    expect(fromFolder.notes).toEqual([]);
    const same = (report: typeof fromBundled) => ({
      ...report,
      notes: [],
      params: { ...report.params, embedderId: 'x' },
    });
    expect(same(fromFolder)).toEqual(same(fromBundled));
  }, 60_000);

  it('names the files a local folder lacks', async () => {
    const folder = join(dir, 'no-tokenizer');
    cpSync(join(ROOT, 'public/models/bundled-embedder'), folder, { recursive: true });
    rmSync(join(folder, 'tokenizer.json'));
    const result = await analyze([...pair(), '--out', join(dir, 'x.json'), '--embedder', folder]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `analyze: --embedder ${folder}: the folder is not in the transformers.js layout, it lacks tokenizer.json (needs config.json, tokenizer.json, onnx/model.onnx)\n`,
    );
  }, 30_000);

  it('says a download is needed when a hub model is not cached and the hub cannot be reached', async () => {
    const port = await closedPort();
    const hub = `http://127.0.0.1:${port}`;
    const result = await analyze(
      [...pair(), '--out', join(dir, 'x.json'), '--embedder', 'nobody/not-cached-embedder'],
      { HF_ENDPOINT: hub },
    );
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(
      `analyze: --embedder nobody/not-cached-embedder: a download is needed: the model is not cached here and the hub (${hub}/) cannot be reached (ECONNREFUSED).`,
    );
    expect(result.stderr).toContain(
      'give --embedder a local folder in the transformers.js layout (config.json, tokenizer.json, onnx/model.onnx)',
    );
  }, 30_000);
});
