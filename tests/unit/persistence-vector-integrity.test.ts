/**
 * A run file can never change another run's results: the vectors it carries serve only the
 * run they came with (its own texts, the embedder's dimension, finite values), the shared
 * cache holds only vectors computed here, and every dropped vector is reported.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  analysisParams,
  embedWithCache,
  runAnalysis,
  type EmbedFunction,
} from '../../src/lib/core/analysis';
import { parseRunFile, serializeRunFile } from '../../src/lib/core/run';
import type { Answer, EmbeddingRecord, Run } from '../../src/lib/core/run/types';
import type { Db } from '../../src/lib/persistence/db';
import { runVectorCache } from '../../src/lib/persistence/run-vector-cache';
import type { RunRepository } from '../../src/lib/persistence/runs';
import { sha256 } from './analysis-result-fixture';
import { freshRepo, makeRun } from './persistence-fixtures';

const EMBEDDER = 'transformers:test-embedder';
const DIMS = 4;

let db: Db;
let repo: RunRepository;
/** Every batch of texts the fake embedder was asked to embed. */
let embedded: string[][];

beforeEach(async () => {
  ({ db, repo } = await freshRepo());
  embedded = [];
});

/**
 * A deterministic stand-in embedder: "before ..." answers point near e0, "after ..." answers
 * near e1, with a small per-text wobble, so A and B differ and the test can compute them.
 */
const embed: EmbedFunction = async (texts) => {
  embedded.push([...texts]);
  const data = new Float32Array(texts.length * DIMS);
  texts.forEach((text, i) => {
    const v = realVector(text);
    data.set(v, i * DIMS);
  });
  return { data, rows: texts.length, dims: DIMS };
};

/** The vector the fake embedder gives `text`. */
function realVector(text: string): Float32Array {
  const wobble = (parseInt(sha256(text).slice(0, 4), 16) / 0xffff - 0.5) * 0.4;
  const v = text.startsWith('after') ? [wobble, 1, 0.2, 0] : [1, wobble, 0, 0.2];
  const norm = Math.hypot(...v);
  return Float32Array.from(v, (x) => x / norm);
}

/** A run of 12 prompts, one answer per side: A says "before i", B says "after i". */
function pairRun(
  id: string,
  answerText = (side: 'A' | 'B', i: number) => `${side === 'A' ? 'before' : 'after'} ${i}`,
): Run {
  const base = makeRun(id, { prompts: 12, samples: 1 });
  const answers: Answer[] = base.answers.map((a) => ({
    ...a,
    text: answerText(a.side, Number(a.promptId.slice(1)) / 10),
  }));
  return { ...base, answers, embeddings: [], analyses: [] };
}

/** Analyses a stored run as the app does: the run's cache, then the pipeline. */
async function analyse(run: Run) {
  const texts = run.answers.map((a) => a.text);
  const { vectors, stats } = await embedWithCache(
    texts,
    EMBEDDER,
    embed,
    runVectorCache(repo, run.id),
  );
  const rows = Array.from({ length: vectors.rows }, (_, i) =>
    Array.from(vectors.data.subarray(i * vectors.dims, (i + 1) * vectors.dims)),
  );
  const result = await runAnalysis(
    { prompts: run.prompts, answers: run.answers, vectors },
    analysisParams({
      embedderId: EMBEDDER,
      projection: 'pca',
      k: 2,
      nPermutations: 199,
      stabilitySeeds: 0,
    }),
  );
  return { result, stats, rows };
}

/** The shared cache as plain data: "embedder/hash" -> numbers. */
async function sharedCache(): Promise<Record<string, number[]>> {
  const all = await db.getAll('vectors');
  return Object.fromEntries(
    all.map((v) => [`${v.embedderId}/${v.textHash}`, Array.from(v.vector)]),
  );
}

/** Round-trips `run` through run-file text, as a shared file arrives. */
function asFile(run: Run): Run {
  return parseRunFile(serializeRunFile(run), `${run.id}.behaviour-diff.json`);
}

/** One vector for each of `texts`, all the same: what a poisoner would plant. */
function planted(texts: readonly string[], vector: number[]): EmbeddingRecord[] {
  return texts.map((t) => ({
    embedderId: EMBEDDER,
    textHash: sha256(t),
    vector: Float32Array.from(vector),
  }));
}

describe('a run file cannot poison the shared vector cache', () => {
  it('drops vectors for another run’s texts, reports them, and leaves that run’s results alone', async () => {
    const victim = pairRun('victim');
    await repo.create(victim);
    const before = await analyse(victim);
    expect(before.result.comparison.overall.pValue).toBeLessThan(0.05);
    const cacheBefore = await sharedCache();
    expect(Object.keys(cacheBefore)).toHaveLength(24);

    // The attacker's file: its own unrelated answers, and one vector (e0) for every victim text.
    const victimTexts = victim.answers.map((a) => a.text);
    const attack = {
      ...pairRun('attack', (s, i) => `other ${s} ${i}`),
      embeddings: planted(victimTexts, [1, 0, 0, 0]),
    };
    const imported = await repo.importRun(asFile(attack));

    expect(imported.report.droppedVectors).toHaveLength(24);
    expect(new Set(imported.report.droppedVectors.map((d) => d.textHash))).toEqual(
      new Set(victimTexts.map(sha256)),
    );
    expect(imported.report.droppedVectors[0]!.reason).toBe('it is not for any answer of this run');
    expect(await sharedCache()).toEqual(cacheBefore);
    expect(await db.count('runVectors')).toBe(0);

    const after = await analyse(victim);
    expect(after.stats).toMatchObject({ embedded: 0, imported: 0 });
    expect(after.rows).toEqual(before.rows);
    expect(after.result.comparison).toEqual(before.result.comparison);
    // The run page lists what was left out.
    expect(repo.takeImportReport(imported.id)?.droppedVectors).toHaveLength(24);
  });

  it('keeps a file’s vectors for its own copy of the same texts, for that run only', async () => {
    const victim = pairRun('victim');
    await repo.create(victim);
    const before = await analyse(victim);
    const cacheBefore = await sharedCache();

    // Same answers as the victim, so the planted vectors are for the file's own texts.
    const twin = {
      ...pairRun('twin'),
      embeddings: planted(
        victim.answers.map((a) => a.text),
        [1, 0, 0, 0],
      ),
    };
    const imported = await repo.importRun(asFile(twin));
    expect(imported.report.droppedVectors).toEqual([]);
    expect(await sharedCache()).toEqual(cacheBefore);

    const victimAfter = await analyse(victim);
    expect(victimAfter.result.comparison).toEqual(before.result.comparison);
    // The twin's analysis uses its own (planted) vectors: A and B look the same there.
    const twinResult = await analyse(await repo.open(imported.id));
    expect(twinResult.stats).toMatchObject({ imported: 24, embedded: 0 });
    expect(twinResult.result.comparison.overall.pValue).toBe(1);

    // Deleting the twin takes its vectors and nothing else.
    await repo.delete(imported.id);
    expect(await db.count('runVectors')).toBe(0);
    expect(await sharedCache()).toEqual(cacheBefore);
  });

  it('drops vectors of the wrong dimension when this machine knows the embedder', async () => {
    const local = pairRun('local');
    await repo.create(local);
    await analyse(local);
    const cacheBefore = await sharedCache();
    const file = pairRun('file', (s, i) => `${s === 'A' ? 'before' : 'after'} file ${i}`);
    const wrong = {
      ...file,
      embeddings: planted(
        file.answers.map((a) => a.text),
        [1, 0, 0],
      ),
    };
    const { report } = await repo.importRun(asFile(wrong));
    expect(report.droppedVectors).toHaveLength(24);
    expect(report.droppedVectors[0]!.reason).toBe(
      `it has 3 numbers; ${EMBEDDER} makes vectors of 4`,
    );
    expect(await db.count('runVectors')).toBe(0);
    expect(await sharedCache()).toEqual(cacheBefore);
  });

  it('replaces wrong-dimension vectors at analysis time when the embedder was never used here', async () => {
    const file = pairRun('file');
    const wrong = {
      ...file,
      embeddings: planted(
        file.answers.map((a) => a.text),
        [1, 0, 0],
      ),
    };
    const { id, report } = await repo.importRun(asFile(wrong));
    expect(report.droppedVectors).toEqual([]);
    const { stats, rows } = await analyse(await repo.open(id));
    expect(stats).toMatchObject({ imported: 0, rejected: 23, embedded: 24 });
    expect(rows).toEqual(file.answers.map((a) => Array.from(realVector(a.text))));
  });

  it('drops vectors holding NaN or Infinity', async () => {
    const file = pairRun('file');
    const [t0, t1, t2] = file.answers.map((a) => a.text);
    const embeddings = [
      ...planted([t0!], [NaN, 0, 0, 1]),
      ...planted([t1!], [Infinity, 0, 0, 0]),
      ...planted([t2!], [0, 1, 0, 0]),
    ];
    const { id, report } = await repo.importRun(asFile({ ...file, embeddings }));
    expect(report.droppedVectors.map((d) => [d.textHash, d.reason])).toEqual([
      [sha256(t0!), 'it holds a value that is not a finite number'],
      [sha256(t1!), 'it holds a value that is not a finite number'],
    ]);
    expect((await repo.open(id)).embeddings.map((e) => e.textHash)).toEqual([sha256(t2!)]);
  });

  it('keeps vectors for the prompt-and-answer texts of the run too', async () => {
    const file = pairRun('file');
    const prompt = file.prompts.find((p) => p.id === file.answers[0]!.promptId)!;
    const both = `${prompt.text}\n\n${file.answers[0]!.text}`;
    const { id, report } = await repo.importRun(
      asFile({ ...file, embeddings: planted([both, 'not in the run'], [0, 1, 0, 0]) }),
    );
    expect(report.droppedVectors.map((d) => d.textHash)).toEqual([sha256('not in the run')]);
    expect((await repo.open(id)).embeddings.map((e) => e.textHash)).toEqual([sha256(both)]);
  });

  it('cannot plant a vector for a text before its first real embedding', async () => {
    const text = 'before 3';
    const planter = { ...pairRun('planter'), embeddings: planted([text], [0, 0, 0, 1]) };
    const { report } = await repo.importRun(asFile(planter));
    expect(report.droppedVectors).toEqual([]);
    expect(await sharedCache()).toEqual({});

    // Later, a run of this machine meets the same text for the first time.
    const mine = pairRun('mine');
    await repo.create(mine);
    const { rows } = await analyse(mine);
    expect(embedded.flat()).toContain(text);
    const index = mine.answers.findIndex((a) => a.text === text);
    expect(rows[index]).toEqual(Array.from(realVector(text)));
    expect((await sharedCache())[`${EMBEDDER}/${sha256(text)}`]).toEqual(
      Array.from(realVector(text)),
    );
  });
});

describe('a run exports every vector its analyses used', () => {
  it('links cached vectors to a run analysed only from the cache', async () => {
    const first = pairRun('first');
    const second = pairRun('second');
    await repo.create(first);
    await repo.create(second);
    await analyse(first);
    const calls = embedded.length;
    const { stats } = await analyse(second);
    expect(embedded).toHaveLength(calls);
    expect(stats).toMatchObject({ embedded: 0, cached: 24 });
    const exported = asFile(await repo.exportRun('second'));
    expect(new Set(exported.embeddings.map((e) => e.textHash))).toEqual(
      new Set(second.answers.map((a) => sha256(a.text))),
    );
    // Deleting the first run keeps the vectors the second one uses.
    await repo.delete('first');
    expect((await repo.exportRun('second')).embeddings).toHaveLength(24);
  });
});
