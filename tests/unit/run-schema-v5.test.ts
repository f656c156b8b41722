/**
 * Schema v5's amplified runs in a run file and in IndexedDB: ModelSpec.amplify and
 * RunMeta.derivedFrom are kept exactly, and each kind of damage is reported at its JSON path.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/lib/core/run/errors';
import { parseRunFile, readRunFile, serializeRunFile } from '../../src/lib/core/run/run-file';
import { validateRun } from '../../src/lib/core/run/schema';
import { RUN_SCHEMA_VERSION, type Run } from '../../src/lib/core/run/types';
import { openDb } from '../../src/lib/persistence/db';
import { RunRepository } from '../../src/lib/persistence/runs';
import { fixtureText } from './run-test-helpers';

/** An amplified run made from the v4 fixture's run: A = its B plainly, B = its B amplified. */
function amplifiedRun(): Run {
  const source = parseRunFile(fixtureText('runs/v4-analysed.json'), 'v4-analysed.json');
  const { A, B } = source.models;
  return {
    ...source,
    id: 'run-amplified',
    name: 'amplified',
    models: {
      A: { ...B },
      B: {
        ...B,
        label: `${B.label} amplified ×2`,
        amplify: {
          alpha: 2,
          base: { label: A.label, backend: 'transformers', modelId: A.modelId },
        },
      },
    },
    derivedFrom: { kind: 'amplified', runId: source.id, runName: source.name, alpha: 2 },
    answers: [],
    analyses: [],
    embeddings: [],
  };
}

type Json = Record<string, unknown> & {
  models: { B: { amplify: { alpha: unknown; base: Record<string, unknown> } } };
  derivedFrom: Record<string, unknown>;
};

function errorOf(change: (run: Json) => void): InputError {
  const run = (JSON.parse(serializeRunFile(amplifiedRun())) as { run: Json }).run;
  change(run);
  try {
    validateRun(run, 'run.json');
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('expected validation to fail');
}

describe('schema v5: amplified runs', () => {
  it('keeps amplify and derivedFrom through a run file, byte for byte on a second round', () => {
    const run = amplifiedRun();
    const text = serializeRunFile(run, { now: '2026-12-06T18:00:00.000Z' });
    const { run: read, fileVersion } = readRunFile(text, 'amplified.json');
    expect(fileVersion).toBe(RUN_SCHEMA_VERSION);
    expect(read).toEqual(run);
    expect(read.models.B.amplify).toEqual({
      alpha: 2,
      base: { label: 'tiny-base', backend: 'transformers', modelId: 'tiny-base' },
    });
    expect(read.derivedFrom).toMatchObject({ kind: 'amplified', runId: 'run-v4-analysed' });
    // Read runs come back in the schema's key order; from there a round trip is byte for byte.
    const again = serializeRunFile(read, { now: '2026-12-06T18:00:00.000Z' });
    expect(
      serializeRunFile(readRunFile(again, 'again.json').run, { now: '2026-12-06T18:00:00.000Z' }),
    ).toBe(again);
  });

  it.each([
    [
      'a base that is not transformers.js',
      (r: Json) => (r.models.B.amplify.base.backend = 'openai'),
      'models.B.amplify.base.backend',
    ],
    [
      'an alpha that is not a number',
      (r: Json) => (r.models.B.amplify.alpha = 'two'),
      'models.B.amplify.alpha',
    ],
    [
      'a base without a model id',
      (r: Json) => delete r.models.B.amplify.base.modelId,
      'models.B.amplify.base',
    ],
    ['a source of another kind', (r: Json) => (r.derivedFrom.kind = 'copied'), 'derivedFrom.kind'],
    ['an empty source run id', (r: Json) => (r.derivedFrom.runId = ''), 'derivedFrom.runId'],
  ])('names %s at its path', (_name, change, location) => {
    expect(errorOf(change).location).toBe(location);
  });

  it('stores and lists an amplified run in IndexedDB with its source', async () => {
    const repo = new RunRepository(await openDb({ factory: new IDBFactory(), name: 'v5' }));
    const run = amplifiedRun();
    await repo.create(run);
    expect(await repo.open(run.id)).toEqual(run);
    expect((await repo.list())[0]).toMatchObject({
      derivedFrom: run.derivedFrom,
      models: { B: { amplify: run.models.B.amplify } },
    });
  });
});
