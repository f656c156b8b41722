/**
 * Importing a real alpaca_eval pair (Mistral-7B-Instruct-v0.2 vs Snorkel-Mistral-PairRM-DPO,
 * 805 prompts, 1,610 answers) from ../shared/data/alpaca_eval/, which is not part of the repo:
 * the cases skip with a message when the folder is absent.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Run } from '../../src/lib/core/run/types';
import { openDb } from '../../src/lib/persistence/db';
import { RunRepository } from '../../src/lib/persistence/runs';
import type { BenchCase } from '../harness';

const FILE_A = 'Mistral-7B-Instruct-v0.2.json';
const FILE_B = 'Snorkel-Mistral-PairRM-DPO.json';
const ANSWERS = 2 * 805;

/** core/run is loaded lazily so the IndexedDB rows still run if it is broken mid-edit. */
type CoreRun = typeof import('../../src/lib/core/run/index');
const loadCore = (): Promise<CoreRun> => import('../../src/lib/core/run/index');

/** Why the alpaca cases cannot run, or null. */
async function missing(dir: string): Promise<string | null> {
  try {
    await Promise.all([access(join(dir, FILE_A)), access(join(dir, FILE_B))]);
  } catch {
    return `alpaca_eval files not found in ${dir} (pass --data DIR)`;
  }
  try {
    const core = await loadCore();
    if (typeof core.importAlpacaEvalPair !== 'function')
      return 'core/run has no importAlpacaEvalPair';
  } catch (error) {
    return `core/run does not load: ${String(error)}`;
  }
  return null;
}

/** Parses and matches both files into a Run, as the app's import screen does. */
async function importPair(core: CoreRun, a: string, b: string): Promise<Run> {
  const imported = await core.importAlpacaEvalPair(
    core.sourceFromString(FILE_A, a),
    core.sourceFromString(FILE_B, b),
  );
  if (imported.answers.length !== ANSWERS) {
    throw new Error(`expected ${ANSWERS} answers, got ${imported.answers.length}`);
  }
  return core.runFromImport(imported, {
    id: 'alpaca',
    name: 'Mistral vs Snorkel DPO',
    promptSetName: 'alpaca_eval',
    now: '2025-01-01T00:00:00.000Z',
  });
}

/** The alpaca_eval import cases, reading from `dir`. */
export function alpacaCases(dir: string): BenchCase[] {
  const read = async () => {
    const [a, b] = await Promise.all([
      readFile(join(dir, FILE_A), 'utf8'),
      readFile(join(dir, FILE_B), 'utf8'),
    ]);
    return { core: await loadCore(), a, b };
  };
  const parse: BenchCase<Awaited<ReturnType<typeof read>>> = {
    step: 'alpaca_eval pair: parse + match (importAlpacaEvalPair)',
    n: ANSWERS,
    skip: () => missing(dir),
    setup: read,
    async run({ core, a, b }) {
      await importPair(core, a, b);
    },
  };
  const save: BenchCase<{ repo: RunRepository; run: Run }> = {
    step: 'alpaca_eval pair: save to IndexedDB (importRun)',
    n: ANSWERS,
    skip: () => missing(dir),
    async setup() {
      const { core, a, b } = await read();
      const repo = new RunRepository(await openDb({ factory: new IDBFactory(), name: 'bench' }));
      return { repo, run: await importPair(core, a, b) };
    },
    async run({ repo, run }) {
      await repo.importRun(run);
    },
    async teardown({ repo }) {
      const [summary] = await repo.list();
      if (summary?.answerCounts.B !== ANSWERS / 2) throw new Error('import lost answers');
      repo.db.close();
    },
  };
  return [parse, save] as BenchCase[];
}
