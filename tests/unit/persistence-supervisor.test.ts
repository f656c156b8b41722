import { unwrap } from 'idb';
import { beforeEach, describe, expect, it } from 'vitest';
import { jobKeys } from '../../src/lib/core/explain/job-keys';
import type { Explanation } from '../../src/lib/core/explain/types';
import { parseRunFile, serializeRunFile } from '../../src/lib/core/run/run-file';
import type { SupervisorLogEntry } from '../../src/lib/core/run/types';
import type { Db } from '../../src/lib/persistence/db';
import { InvalidRecordError, RunNotFoundError } from '../../src/lib/persistence/errors';
import type { RunRepository } from '../../src/lib/persistence/runs';
import { FakeClock, freshRepo, makeRun as makePlainRun } from './persistence-fixtures';

let db: Db;
let clock: FakeClock;
let repo: RunRepository;

/** makeRun with its explanation of analysis an1. */
const makeRun = (id: string) => makePlainRun(id, { explained: true });

beforeEach(async () => {
  ({ db, clock, repo } = await freshRepo());
});

/** A judgement's log entry as the supervisor runner writes it. */
function entry(
  key: string,
  reply: string | null,
  at = '2025-01-02T00:00:00.000Z',
): SupervisorLogEntry {
  return {
    at,
    provider: 'openai',
    model: 'gpt-x',
    purpose: 'judgements',
    request: {
      messages: [{ role: 'user', content: `judge ${key}` }],
      temperature: 0,
      maxTokens: 8,
    },
    key,
    reply,
    ...(reply === null ? { error: 'HTTP 503' } : {}),
    attempts: 1,
  };
}

const explanationOf = (id: string, analysisId = 'an1'): Explanation => ({
  ...makeRun('r1').explanations[0]!,
  id,
  analysisId,
});

describe('explanations', () => {
  it('puts, replaces by id and lists a run’s explanations, bumping updatedAt', async () => {
    await repo.create(makeRun('r1'));
    await repo.create(makeRun('r2'));
    clock.tick();
    await repo.putExplanation('r1', explanationOf('x2'));
    const changed = { ...explanationOf('x1'), labels: [] };
    await repo.putExplanation('r1', changed);
    expect(await repo.explanations('r1')).toEqual([changed, explanationOf('x2')]);
    expect(await repo.explanations('r2')).toEqual([explanationOf('x1')]);
    expect((await repo.get('r1'))!.updatedAt).toBe(clock.now().toISOString());
    expect((await repo.open('r1')).explanations).toEqual([changed, explanationOf('x2')]);
  });

  it('refuses an explanation the run file could not hold, writing nothing', async () => {
    await repo.create({ ...makeRun('r1'), explanations: [] });
    await expect(repo.putExplanation('r1', explanationOf('x', 'an9'))).rejects.toThrow(
      'Cannot save explanation "x" of run "r1": its analysis "an9" is not saved in the run.',
    );
    const stranger = { ...explanationOf('x'), heldOutPromptIds: ['p10', 'p99'] };
    await expect(repo.putExplanation('r1', stranger)).rejects.toThrow(
      'prompt "p99" is not in the run',
    );
    const hostile = { ...explanationOf('x'), labels: [{ cluster: 0, label: 7, description: '' }] };
    await expect(repo.putExplanation('r1', hostile as unknown as Explanation)).rejects.toThrow(
      /"labels\[0\]\.label" should be a string, not the number 7/,
    );
    const unbounded = explanationOf('x');
    unbounded.properties[0]!.shareA = 2;
    await expect(repo.putExplanation('r1', unbounded)).rejects.toBeInstanceOf(InvalidRecordError);
    await expect(repo.putExplanation('gone', explanationOf('x'))).rejects.toBeInstanceOf(
      RunNotFoundError,
    );
    expect(await db.count('explanations')).toBe(0);
  });

  it('names the store and key of a damaged stored explanation', async () => {
    await repo.create(makeRun('r1'));
    await db.put('explanations', {
      ...explanationOf('x1'),
      properties: [{ id: 0, name: { html: '<img>' } }],
      runId: 'r1',
    } as never);
    await expect(repo.explanations('r1')).rejects.toThrow(
      /The saved explanations record \["r1","x1"\] is damaged: "properties\[0\]\.name" should be a string/,
    );
    await expect(repo.open('r1')).rejects.toBeInstanceOf(InvalidRecordError);
  });

  it('goes with its run on delete and travels in the export', async () => {
    await repo.create(makeRun('r1'));
    const exported = parseRunFile(serializeRunFile(await repo.exportRun('r1')), 'r1.json');
    expect(exported.explanations).toEqual(makeRun('r1').explanations);
    await repo.delete('r1');
    expect(await db.count('explanations')).toBe(0);
  });

  it('leaves out explanations of analyses this version cannot read, and says so', async () => {
    const run = makeRun('r1');
    const unreadable = { ...run.analyses[0]!, id: 'old', result: { version: 'ancient' } };
    const file = {
      ...run,
      analyses: [...run.analyses, unreadable],
      explanations: [...run.explanations, explanationOf('x-old', 'old')],
    };
    const meta = await repo.importRun(file);
    expect(meta.report.droppedAnalyses.map((d) => d.id)).toEqual(['old']);
    expect(meta.report.droppedExplanations).toEqual([{ id: 'x-old', analysisId: 'old' }]);
    const opened = await repo.openChecked('r1');
    expect(opened.run.explanations).toEqual(run.explanations);
    // So the run's own file imports again.
    expect(() => parseRunFile(serializeRunFile(opened.run), 'again.json')).not.toThrow();
    // Stored by an older version next to its analysis, it is left out on open instead.
    await db.put('analyses', { ...unreadable, runId: 'r1' });
    await db.put('explanations', { ...explanationOf('x-old', 'old'), runId: 'r1' });
    const reopened = await repo.openChecked('r1');
    expect(reopened.droppedExplanations).toEqual([{ id: 'x-old', analysisId: 'old' }]);
    expect(reopened.run.explanations).toEqual(run.explanations);
  });
});

describe('hypotheses', () => {
  it('lists, replaces and deletes hypotheses by id', async () => {
    await repo.create(makeRun('r1'));
    const h2 = {
      id: 'h2',
      text: 'Compared with A, B more often uses a numbered list.',
      createdAt: '2025-01-02T00:00:00.000Z',
      source: 'supervisor' as const,
      explanationId: 'x1',
    };
    await repo.putHypothesis('r1', h2);
    expect((await repo.hypotheses('r1')).map((h) => h.id)).toEqual(['h1', 'h2']);
    clock.tick();
    expect(await repo.deleteHypothesis('r1', 'h1')).toBe(true);
    expect(await repo.deleteHypothesis('r1', 'h1')).toBe(false);
    expect(await repo.hypotheses('r1')).toEqual([h2]);
    expect((await repo.get('r1'))!.updatedAt).toBe(clock.now().toISOString());
    await expect(repo.deleteHypothesis('gone', 'h2')).rejects.toBeInstanceOf(RunNotFoundError);
  });

  it('refuses a hypothesis with an unknown source', async () => {
    await repo.create(makeRun('r1'));
    const bad = { id: 'h9', text: 't', createdAt: 'x', source: 'robot' };
    await expect(repo.putHypothesis('r1', bad as never)).rejects.toThrow(
      '"source" should be "supervisor" or "user"',
    );
  });
});

describe('the supervisor log as stored job results', () => {
  it('lists every entry of a run in send order', async () => {
    await repo.create(makeRun('r1'));
    await repo.create(makeRun('r2'));
    const k = jobKeys.judgement('h1', 'p10', 'A');
    await repo.appendSupervisorLog('r1', entry(k, null, '2025-01-03T00:00:00.000Z'));
    await repo.appendSupervisorLog('r1', entry(k, '2', '2025-01-02T00:00:00.000Z'));
    const log = await repo.supervisorLog('r1');
    // makeRun's two entries, then the two appended ones: send order, not time order.
    expect(log.map((e) => e.at)).toEqual([
      '2025-01-01T00:00:01.000Z',
      '2025-01-01T00:00:00.000Z',
      '2025-01-03T00:00:00.000Z',
      '2025-01-02T00:00:00.000Z',
    ]);
    expect(log[3]).toEqual(entry(k, '2', '2025-01-02T00:00:00.000Z'));
    expect(await repo.supervisorLog('r2')).toHaveLength(2);
  });

  it('supervisorReplies: the latest entry with a reply per key, of this run only', async () => {
    await repo.create(makeRun('r1'));
    await repo.create(makeRun('r2'));
    const a = jobKeys.judgement('h1', 'p10', 'A');
    const b = jobKeys.judgement('h1', 'p10', 'B');
    const c = jobKeys.label('an1', 0);
    await repo.appendSupervisorLog('r1', entry(a, 'first'));
    await repo.appendSupervisorLog('r1', entry(b, null));
    await repo.appendSupervisorLog('r1', entry(a, 'second'));
    await repo.appendSupervisorLog('r1', entry(a, null)); // a later failure does not undo a reply
    await repo.appendSupervisorLog('r1', entry(c, ''));
    await repo.appendSupervisorLog('r2', entry(b, 'other run'));
    const done = await repo.supervisorReplies('r1');
    // makeRun's keyed entry ('proposals|x1') counts too; its unkeyed one does not.
    expect(new Map([...done].map(([key, e]) => [key, e.reply]))).toEqual(
      new Map([
        [a, 'second'],
        [c, ''],
        ['proposals|x1', '["B is shorter"]'],
      ]),
    );
    expect(done.get(a)).toEqual(entry(a, 'second'));
    expect((await repo.supervisorReplies('r2')).get(b)!.reply).toBe('other run');
    expect((await repo.supervisorReplies('nobody')).size).toBe(0);
  });

  it('refuses entries whose key or reply has the wrong type', async () => {
    await repo.create(makeRun('r1'));
    await expect(
      repo.appendSupervisorLog('r1', { ...entry('k', 'x'), reply: 3 } as never),
    ).rejects.toThrow('"reply" should be a string or null');
    await expect(repo.appendSupervisorLog('r1', { ...entry('k', 'x'), key: '' })).rejects.toThrow(
      '"key" should be a non-empty string',
    );
  });
});

describe('keys never stored', () => {
  // Real-looking: OpenAI project keys are "sk-proj-" and well over 40 characters.
  const KEY = 'sk-proj-Qx7RtY2mB9vLpZ4nK8wH3jD6fG1sA5eC0uT-iO_zX9yVbN2';

  /** Every record of every object store, as JSON text. */
  async function everyRecord(): Promise<string> {
    const raw = unwrap(db);
    const texts: string[] = [];
    for (const name of [...raw.objectStoreNames]) {
      const rows = await db.getAll(name as never);
      texts.push(
        JSON.stringify(rows, (_k, v: unknown) => (v instanceof Float32Array ? [...v] : v)),
      );
    }
    return texts.join('\n');
  }

  it('keeps a key out of every store and the exported file, wherever a writer put it', async () => {
    await repo.create(makeRun('r1'));
    const leaky: SupervisorLogEntry & Record<string, unknown> = {
      ...entry(jobKeys.judgement('h1', 'p10', 'A'), null),
      request: {
        url: `https://api.openai.com/v1/chat/completions?api_key=${KEY}`,
        headers: { Authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        messages: [{ role: 'user', content: `My key is ${KEY}, judge this.` }],
        temperature: 0,
      },
      error: `401 Unauthorized: Incorrect API key provided: ${KEY}. See https://x.test/?key=${KEY}`,
      apiKey: KEY,
    };
    await repo.appendSupervisorLog('r1', leaky, [KEY]);
    // Without the secret list, names and URLs still catch what they can.
    await repo.appendSupervisorLog('r1', {
      ...entry('labels|an1|1', 'ok'),
      request: { headers: { 'x-api-key': KEY }, baseUrl: `https://h.test/v1?key=${KEY}` },
    });
    await repo.putHypothesis('r1', {
      id: 'h9',
      text: 'B is terser.',
      createdAt: '2025-01-02T00:00:00.000Z',
      validation: { accuracy: 0.5, accessToken: KEY },
    } as never);
    await repo.putExplanation('r1', {
      ...explanationOf('x9'),
      settings: { ...explanationOf('x9').settings, apiKey: KEY },
    } as never);
    await repo.create({
      ...makeRun('r2'),
      hypotheses: [{ id: 'h', text: 't', createdAt: 'x', password: KEY } as never],
    });

    expect(await everyRecord()).not.toContain(KEY);
    const file = serializeRunFile(await repo.exportRun('r1'));
    expect(file).not.toContain(KEY);
    expect(file).not.toContain('sk-proj');
    // What is not a credential survives, the redaction is visible and the job key is kept.
    const log = await repo.supervisorLog('r1');
    expect(log[2]).toMatchObject({
      key: 'judgements|h1|p10|A',
      request: {
        url: 'https://api.openai.com/v1/chat/completions',
        headers: { 'content-type': 'application/json' },
        messages: [{ role: 'user', content: 'My key is [redacted], judge this.' }],
      },
      error:
        '401 Unauthorized: Incorrect API key provided: [redacted]. See https://x.test/?key=[redacted]',
    });
    expect(log[2]).not.toHaveProperty('apiKey');
    expect(log[3]!.request).toEqual({ headers: {}, baseUrl: 'https://h.test/v1' });
    expect((await repo.hypotheses('r1'))[1]!.validation).toEqual({ accuracy: 0.5 });
  });
});
