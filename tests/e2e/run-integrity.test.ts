/**
 * Run files in the real app: the run page exports the run as it is now (its analyses and
 * every vector they used), a file with vectors for another run's texts leaves that run's
 * results alone and the page says what was left out, and a file with an unreadable analysis
 * still opens and analyses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CURRENT_RESULT_VERSION } from '../../src/lib/core/analysis/result-schema';
import { importAndAnalyse, launch, type E2eSession } from './browser';

const FIXTURES = join(import.meta.dirname, '../fixtures');
const BEFORE = join(FIXTURES, 'e2e/before_model_outputs.json');
const AFTER = join(FIXTURES, 'e2e/after_model_outputs.json');
const INVALID_ANALYSIS = join(FIXTURES, 'runs/v1-invalid-analysis.json');

interface RunFileJson {
  run: {
    id: string;
    name: string;
    answers: { text: string }[];
    embeddings: { embedderId: string; textHash: string; vector: string }[];
    analyses: {
      id: string;
      result: { version: number; comparison: { overall: { pValue: number } } };
    }[];
  };
}

let s: E2eSession;
beforeAll(async () => {
  s = await launch();
});
afterAll(async () => {
  await s?.close();
});

/** Clicks the run page's "Run file" export and reads the downloaded file. */
async function exportFromRunPage(): Promise<RunFileJson> {
  const [download] = await Promise.all([
    s.page.waitForEvent('download'),
    s.page.getByTestId('export-run-file').click(),
  ]);
  const path = join(tmpdir(), `bd-integrity-${Date.now()}.json`);
  await download.saveAs(path);
  return JSON.parse(readFileSync(path, 'utf8')) as RunFileJson;
}

/** The results card's overall sentence (the energy test and its p-value). */
async function overallSentence(): Promise<string> {
  return (await s.page.getByTestId('overall').textContent()) ?? '';
}

describe('run files keep runs apart, in Chromium', () => {
  let first: RunFileJson;
  let second: RunFileJson;
  let secondOverall: string;

  it('exports the analysis and its vectors from the run page right after analysing', async () => {
    await importAndAnalyse(s, [BEFORE, AFTER]);
    first = await exportFromRunPage();
    expect(first.run.analyses).toHaveLength(1);
    expect(first.run.analyses[0]!.result.version).toBe(CURRENT_RESULT_VERSION);
    const distinct = new Set(first.run.answers.map((a) => a.text)).size;
    expect(first.run.embeddings).toHaveLength(distinct);
    expect(new Set(first.run.embeddings.map((e) => e.embedderId))).toEqual(
      new Set(['transformers:bundled-embedder']),
    );
  });

  it('exports the vectors of a run analysed only from cached vectors', async () => {
    await importAndAnalyse(s, [BEFORE, AFTER]);
    secondOverall = await overallSentence();
    expect(secondOverall).toMatch(/p [=≤] /);
    second = await exportFromRunPage();
    expect(second.run.id).not.toBe(first.run.id);
    expect(second.run.analyses).toHaveLength(1);
    expect(second.run.embeddings.map((e) => e.textHash).sort()).toEqual(
      first.run.embeddings.map((e) => e.textHash).sort(),
    );
  });

  it('ignores a file’s vectors for another run’s texts and says so on the run page', async () => {
    const { page } = s;
    // Someone else's file: other answers, and one constant vector for every text of this run.
    const constant = first.run.embeddings[0]!.vector;
    const attack = {
      ...first,
      run: {
        ...first.run,
        id: 'attack',
        name: 'Attack file',
        answers: first.run.answers.map((a, i) => ({ ...a, text: `unrelated answer ${i}` })),
        embeddings: first.run.embeddings.map((e) => ({ ...e, vector: constant })),
        analyses: [],
      },
    };
    await page.goto(`${s.baseUrl}#/library`);
    await page.getByTestId('import-run-file').setInputFiles({
      name: 'attack.behaviour-diff.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(attack)),
    });
    await page.getByTestId('run-title').filter({ hasText: 'Attack file' }).waitFor();
    const notices = await page.getByTestId('notice').allTextContents();
    expect(notices.join('\n')).toContain(
      `${attack.run.embeddings.length} embedding vectors were left out because it is not for any answer of this run`,
    );

    // The second run, analysed again, still gives the same result.
    await page.goto(`${s.baseUrl}#/run/${encodeURIComponent(second.run.id)}`);
    await page.getByTestId('results').waitFor();
    await page.getByTestId('run-analysis').click();
    await page.getByTestId('saved-analysis').nth(1).waitFor({ timeout: 90_000 });
    expect(await overallSentence()).toBe(secondOverall);
  });

  it('opens a run file whose analysis cannot be read, says which, and analyses it', async () => {
    const { page } = s;
    await page.goto(`${s.baseUrl}#/library`);
    await page.getByTestId('import-run-file').setInputFiles(INVALID_ANALYSIS);
    await page.getByTestId('run-title').filter({ hasText: 'unreadable analysis' }).waitFor();
    const notices = await page.getByTestId('notice').allTextContents();
    expect(notices.join('\n')).toContain(
      'The analysis "analysis-only-version" of 2025-03-01T10:04:00.000Z was left out because it cannot be read',
    );
    await page.getByTestId('run-analysis').click();
    await page.getByTestId('results').waitFor({ timeout: 90_000 });
  });

  it('raised no uncaught page errors', () => {
    expect(s.errors.filter((e) => !e.includes('favicon'))).toEqual([]);
  });
});

describe('a file’s vectors of the wrong dimension, in a browser that never embedded', () => {
  it('are replaced by fresh embeddings when the run is analysed, and the page says so', async () => {
    const fresh = await launch();
    try {
      const { page } = fresh;
      const file = JSON.parse(readFileSync(INVALID_ANALYSIS, 'utf8')) as {
        run: { answers: { text: string }[]; embeddings: unknown[]; analyses: unknown[] };
      };
      const threeFloats = Buffer.from(new Float32Array([1, 0, 0]).buffer).toString('base64');
      file.run.analyses = [];
      file.run.embeddings = file.run.answers.map((a) => ({
        embedderId: 'transformers:bundled-embedder',
        textHash: createHash('sha256').update(a.text).digest('hex'),
        vector: threeFloats,
      }));
      await page.goto(`${fresh.baseUrl}#/library`);
      await page.getByTestId('import-run-file').setInputFiles({
        name: 'three-floats.behaviour-diff.json',
        mimeType: 'application/json',
        buffer: Buffer.from(JSON.stringify(file)),
      });
      await page.getByTestId('run-title').waitFor();
      await page.getByTestId('run-analysis').click();
      await page.getByTestId('results').waitFor({ timeout: 90_000 });
      const notices = await page.getByTestId('notice').allTextContents();
      expect(notices.join('\n')).toMatch(
        /\d+ embedding vectors that came with this run's file are not of the dimension transformers:bundled-embedder makes/,
      );
      expect(fresh.errors.filter((e) => !e.includes('favicon'))).toEqual([]);
    } finally {
      await fresh.close();
    }
  });
});
