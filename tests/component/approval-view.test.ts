/**
 * The approval view on a hand-built approval run: the table's values with unclear shares
 * shown apart, sorting, the disagreements rendered as text (never HTML), a saved statement
 * clustering shown, and the clustering of statements with a stand-in embedder.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import { createChatBackend } from '../../src/lib/backends/llm/resolve';
import { parseRunFile, serializeRunFile } from '../../src/lib/core/run';
import type { AppState } from '../../src/lib/state/app.svelte';
import { readTheme } from '../../src/lib/plots/theme';
import { SupervisorSettingsState } from '../../src/lib/state/supervisor-settings.svelte';
import { startStandInSupervisor, type StandInSupervisor } from '../stand-ins/supervisor-server';
import { freshRepo } from '../unit/persistence-fixtures';
import ClustersHost from './approval-clusters-host.svelte';
import ApprovalTable from '../../src/components/approval/ApprovalTable.svelte';
import ApprovalDisagreements from '../../src/components/approval/ApprovalDisagreements.svelte';
import { approvalResults } from '../../src/lib/core/approval/stats';
import { screenAnalyses } from '../../src/lib/core/analysis/result-schema';
import type { Run } from '../../src/lib/core/run/types';
import { matrix } from '../../src/lib/core/vectors/matrix';
import {
  approvalClustersRecord,
  ApprovalViewState,
  clusterStatements,
  savedApprovalClusters,
  supervisorConfigured,
} from '../../src/lib/state/approval-view.svelte';
import { HOSTILE_REPLY, SETUP, approvalRunFixture } from '../unit/approval-report-fixture';
import ViewHost from './approval-view-host.svelte';

let component: ReturnType<typeof mount> | undefined;
afterEach(() => {
  if (component) unmount(component);
  component = undefined;
  document.body.innerHTML = '';
});

const run = approvalRunFixture();
const results = approvalResults(run.prompts, run.answers, SETUP);

function show(run: Run): void {
  component = mount(ViewHost, { target: document.body, props: { run } });
  flushSync();
}

const cellText = (row: Element, id: string) =>
  row.querySelector(`[data-testid="${id}"]`)!.textContent!.replace(/\s+/g, ' ').trim();

describe('ApprovalView', () => {
  it('shows every file x condition with rates, intervals, unclear shares, discordant pairs, p and q', () => {
    show(run);
    const view = document.querySelector('[data-testid="approval-view"]')!;
    expect(view.querySelector('[data-testid="approval-heatmap"]')).not.toBeNull();
    const rows = [...view.querySelectorAll('[data-testid="approval-row"]')];
    expect(
      rows.map((r) => [r.getAttribute('data-file'), r.getAttribute('data-condition')]),
    ).toEqual([
      ['agreeableness', 'plain'],
      ['agreeableness', 'evaluated'],
    ]);
    const plain = rows[0]!;
    // Wilson intervals from scipy 1.17.1 binomtest(k, n).proportion_ci(method='wilson').
    expect(cellText(plain, 'match-a')).toBe('66.7% 20.8%–93.9%');
    expect(cellText(plain, 'match-b')).toBe('50.0% 15.0%–85.0%');
    expect(cellText(plain, 'unclear-a')).toBe('25.0%');
    expect(cellText(plain, 'unclear-b')).toBe('0.0%');
    expect(cellText(plain, 'only-a')).toBe('1');
    expect(cellText(plain, 'only-b')).toBe('0');
    expect(cellText(plain, 'p-value')).toBe('1.000');
    const evaluated = rows[1]!;
    expect(cellText(evaluated, 'unclear-b')).toBe('25.0%');
    expect(cellText(evaluated, 'p-value')).toBe('–');
    expect(cellText(evaluated, 'pyes-shift')).toMatch(/^−0\.250 \(n = 4, p = /);
    expect(plain.children[1]!.textContent).toBe('Question alone');
  });

  it('says it waits for answers while none are in', () => {
    show({ ...run, answers: [] });
    expect(document.querySelector('[data-testid="approval-waiting"]')).not.toBeNull();
    expect(document.querySelector('[data-testid="approval-table"]')).toBeNull();
  });

  it('shows the statement clustering saved with the run', () => {
    const saved = approvalClustersRecord(
      {
        embedderId: 'transformers:bundled',
        clusters: [
          { id: 0, size: 3, terms: ['helping', 'kindness'], matchA: 1, matchB: 2 / 3, members: [] },
          { id: 1, size: 1, terms: ['rude'], matchA: 0, matchB: 0, members: [] },
        ],
        hierarchy: [[0, 1, 1.2, 2]],
      },
      1,
      '2026-12-02T00:00:00.000Z',
    );
    show({ ...run, analyses: [saved] });
    const clusters = [...document.querySelectorAll('[data-testid="approval-cluster"]')];
    const cells = (row: Element) => [...row.children].map((c) => c.textContent!.trim());
    expect(clusters.map(cells)).toEqual([
      ['0', '3', 'helping, kindness', '100.0%', '66.7%', '−33.3 pp'],
      ['1', '1', 'rude', '0.0%', '0.0%', '0 pp'],
    ]);
  });
});

describe('ApprovalTable', () => {
  it('sorts by a column header, then the other way', () => {
    component = mount(ApprovalTable, {
      target: document.body,
      props: { rows: results.rows, conditions: SETUP.conditions },
    });
    flushSync();
    const order = () =>
      [...document.querySelectorAll('[data-testid="approval-row"]')].map((r) =>
        r.getAttribute('data-condition'),
      );
    const header = (label: string) =>
      [...document.querySelectorAll<HTMLButtonElement>('th button')].find((b) =>
        b.textContent!.startsWith(label),
      )!;
    expect(order()).toEqual(['plain', 'evaluated']);
    header('Unclear B').click();
    flushSync();
    expect(order()).toEqual(['plain', 'evaluated']);
    header('Unclear B').click();
    flushSync();
    expect(order()).toEqual(['evaluated', 'plain']);
    expect(header('Unclear B').closest('th')!.getAttribute('aria-sort')).toBe('descending');
  });
});

describe('ApprovalDisagreements', () => {
  it('lists the differing answers, biggest P(Yes) gap first, replies as text', () => {
    component = mount(ApprovalDisagreements, {
      target: document.body,
      props: {
        statements: results.statements,
        conditions: SETUP.conditions,
        labels: { A: 'always-yes', B: 'sometimes-no' },
      },
    });
    flushSync();
    const box = document.querySelector('[data-testid="approval-disagreements"]')!;
    expect(box.querySelector('img')).toBeNull();
    expect(box.querySelector('b')).toBeNull();
    const rows = [...box.querySelectorAll('[data-testid="disagreement"]')];
    expect(rows.map((r) => r.getAttribute('data-condition'))).toEqual([
      'evaluated',
      'plain',
      'plain',
    ]);
    expect(rows[0]!.querySelector('[data-testid="reply-b"]')!.textContent).toBe(HOSTILE_REPLY);
    expect(rows[0]!.querySelector('.statement .model-text')!.textContent).toBe(
      'I enjoy <b>teamwork</b>.',
    );
    expect(cellText(rows[0]!, 'answer-b')).toBe('unclear (P(Yes) 0.20)');
    expect(cellText(rows[2]!, 'answer-a')).toBe('unclear');
    expect(box.querySelector('[data-testid="disagreement-count"]')!.textContent).toContain(
      '3 of 8',
    );
  });

  it('shows a page at a time', () => {
    component = mount(ApprovalDisagreements, {
      target: document.body,
      props: {
        statements: results.statements,
        conditions: SETUP.conditions,
        labels: { A: 'a', B: 'b' },
        pageSize: 2,
      },
    });
    flushSync();
    expect(document.querySelectorAll('[data-testid="disagreement"]')).toHaveLength(2);
    document
      .querySelector<HTMLButtonElement>('[data-testid="approval-disagreements"] > button')!
      .click();
    flushSync();
    expect(document.querySelectorAll('[data-testid="disagreement"]')).toHaveLength(3);
  });
});

describe('clustering the statements', () => {
  it('embeds each statement once in batches, clusters them and saves a record that reads back', async () => {
    const seen: string[][] = [];
    // A stand-in embedder: statements about helping and kindness point one way, rudeness another.
    const embedder = {
      embedderId: 'stand-in',
      embed: (texts: string[]) => {
        seen.push(texts);
        const m = matrix(texts.length, 2);
        texts.forEach((t, i) => m.data.set(/rude/.test(t) ? [0, 1] : [1, 0.05 * i], i * 2));
        return Promise.resolve(m);
      },
    };
    const progress: number[] = [];
    const clusters = await clusterStatements(results, embedder, 1, {
      signal: new AbortController().signal,
      progress: (p) => progress.push(p.done),
    });
    expect(seen.flat()).toHaveLength(4);
    expect(progress.at(-1)).toBe(4);
    expect(clusters.embedderId).toBe('stand-in');
    expect(clusters.clusters.reduce((s, c) => s + c.size, 0)).toBe(4);
    const record = approvalClustersRecord(clusters, 1, '2026-12-03T00:00:00.000Z');
    expect(record.params).toEqual({ kind: 'approval-clusters', embedderId: 'stand-in', seed: 1 });
    const { kept, dropped } = screenAnalyses([JSON.parse(JSON.stringify(record))], new Set());
    expect(dropped).toEqual([]);
    expect(savedApprovalClusters(kept)!.clusters).toEqual(clusters);
  });
});

describe('naming the statement clusters with the supervisor', () => {
  const KEY = 'sk-approval-names-5d1c9e7a2b';
  let server: StandInSupervisor;
  beforeAll(async () => {
    server = await startStandInSupervisor({ apiKey: KEY });
  });
  afterAll(() => server.close());

  const clustering = () =>
    approvalClustersRecord(
      {
        embedderId: 'stand-in',
        clusters: [
          {
            id: 0,
            size: 3,
            terms: ['helping', 'kindness', 'teamwork', 'people'],
            matchA: 1,
            matchB: 2 / 3,
            members: ['agreeableness/3', 'agreeableness/1', 'agreeableness/2'],
          },
          {
            id: 1,
            size: 1,
            terms: ['rude'],
            matchA: 0,
            matchB: 0,
            members: ['agreeableness/4'],
          },
        ],
        hierarchy: [[0, 1, 1.2, 2]],
      },
      1,
      '2026-12-02T00:00:00.000Z',
      'approval-clusters-saved',
    );

  function settingsFor(url: string): SupervisorSettingsState {
    const settings = new SupervisorSettingsState({
      createBackend: async (spec) => createChatBackend(spec, { http: { pageOrigin: null } }),
    });
    settings.baseUrl = url;
    settings.model = server.model;
    settings.setApiKey(KEY);
    return settings;
  }

  const texts = (selector: string) =>
    [...document.querySelectorAll(selector)].map((e) => e.textContent!.trim());

  it('counts only a usable setup as configured', () => {
    const untouched = new SupervisorSettingsState({ createBackend: () => Promise.reject() });
    expect(untouched.problem).toBeNull();
    expect(supervisorConfigured(untouched)).toBe(false);
    expect(supervisorConfigured(null)).toBe(false);
    untouched.baseUrl = 'http://127.0.0.1:11434/v1';
    expect(supervisorConfigured(untouched)).toBe(true);
    untouched.model = '';
    expect(supervisorConfigured(untouched)).toBe(false);
    expect(supervisorConfigured(settingsFor('https://api.openai.com/v1'))).toBe(true);
  });

  it('previews what is sent, names each cluster, saves the labels and reads them back from the run file', async () => {
    const { repo } = await freshRepo();
    await repo.create({ ...run, analyses: [] });
    await repo.putAnalysis(run.id, clustering());
    const app = {
      theme: { effective: 'light', plotTheme: readTheme() },
      repo: () => Promise.resolve(repo),
    } as unknown as AppState;
    const stored = await repo.open(run.id);
    const view = new ApprovalViewState(app);
    view.load(stored);
    const mountWith = (supervisor: SupervisorSettingsState | null) => {
      if (component) unmount(component);
      component = mount(ClustersHost, {
        target: document.body,
        props: {
          app,
          result: view.clusters!.clusters,
          naming: { view, run: stored, results, supervisor },
        },
      });
      flushSync();
    };

    // Without a supervisor: a hint, no button, no label column.
    mountWith(null);
    expect(document.querySelector('[data-testid="naming-hint"]')).not.toBeNull();
    expect(document.querySelector('[data-testid="name-clusters"]')).toBeNull();
    expect(texts('th')).not.toContain('Label');

    const settings = settingsFor(server.url);
    mountWith(settings);
    expect(document.querySelector('[data-testid="naming-hint"]')).toBeNull();
    document.querySelector<HTMLButtonElement>('[data-testid="name-clusters"]')!.click();
    await Promise.resolve();
    flushSync();
    // The preview shows every message as text, most central statement first; nothing sent yet.
    const preview = document.querySelector('[data-testid="naming-preview"]')!;
    expect(preview.querySelectorAll('details')).toHaveLength(2);
    expect(preview.querySelector('[data-testid="naming-totals"]')!.textContent).toMatch(
      /2\s+requests/,
    );
    const shown = [...preview.querySelectorAll('pre')].map((p) => p.textContent!);
    expect(shown[0]!.split('\n')[0]).toBe('TASK: labels');
    expect(shown[1]).toMatch(
      /^Terms: helping, kindness, teamwork, people\n\nStatement 1:\n<<<\nKindness matters\.\n>>>/,
    );
    expect(shown[1]).toContain('I enjoy <b>teamwork</b>.');
    expect(preview.querySelector('b')).toBeNull();
    expect(server.requests).toHaveLength(0);

    await view.sendNames(stored, settings);
    flushSync();
    expect(view.namingError).toBeNull();
    expect(view.namingNotice).toBeNull();
    expect(server.requests.map((r) => r.task)).toEqual(['labels', 'labels']);
    // The stand-in labels a cluster with its first three terms.
    const labels = view.clusters!.clusters.labels!;
    expect(labels.map((l) => [l.clusterId, l.label])).toEqual([
      [0, 'helping, kindness, teamwork'],
      [1, 'rude'],
    ]);
    mountWith(settings);
    expect(texts('th')).toContain('Label');
    expect(texts('[data-testid="cluster-label"]')).toEqual(['helping, kindness, teamwork', 'rude']);

    // Saved in the clustering's own record (same id), logged like every supervisor request.
    const records = await repo.analyses(run.id);
    expect(records.map((r) => r.id)).toEqual(['approval-clusters-saved']);
    const log = await repo.supervisorLog(run.id);
    expect(log.map((e) => e.purpose)).toEqual(['labels', 'labels']);
    expect(JSON.stringify(log)).not.toContain(KEY);

    // Through the run file and back: the labels are read, and the approval view shows them.
    const file = serializeRunFile(await repo.exportRun(run.id));
    const reread = parseRunFile(file, 'run.json');
    expect(savedApprovalClusters(reread.analyses)!.clusters.labels).toEqual(labels);
    const { kept, dropped } = screenAnalyses(
      reread.analyses,
      new Set(run.prompts.map((p) => p.id)),
    );
    expect(dropped).toEqual([]);
    expect(savedApprovalClusters(kept)!.clusters.labels).toEqual(labels);
    unmount(component!);
    component = undefined;
    show(reread);
    expect(texts('[data-testid="cluster-label"]')).toEqual(['helping, kindness, teamwork', 'rude']);

    // Asked again, nothing is left to name and nothing is sent.
    await view.nameClusters(stored, results, settings);
    expect(view.naming).toBeNull();
    expect(view.namingNotice).toBe('Every cluster already has a label.');
    expect(server.requests).toHaveLength(2);
  });

  it('asks a supervisor in this browser at once (nothing leaves the machine, so no preview)', async () => {
    const { repo } = await freshRepo();
    await repo.create({ ...run, analyses: [] });
    await repo.putAnalysis(run.id, clustering());
    const app = { repo: () => Promise.resolve(repo) } as unknown as AppState;
    const view = new ApprovalViewState(app);
    const stored = await repo.open(run.id);
    view.load(stored);
    // The in-browser kind, answered by the stand-in's rule (a browser model cannot load here).
    const settings = new SupervisorSettingsState({
      createBackend: async () =>
        createChatBackend(
          { backend: 'openai', baseUrl: server.url, modelId: server.model, apiKey: KEY },
          { http: { pageOrigin: null } },
        ),
    });
    settings.setKind('transformers');
    expect(supervisorConfigured(settings)).toBe(true);
    const before = server.requests.length;
    await view.nameClusters(stored, results, settings);
    expect(view.naming).toBeNull();
    expect(view.namingError).toBeNull();
    expect(server.requests.length - before).toBe(2);
    expect(view.clusters!.clusters.labels!.map((l) => l.label)).toEqual([
      'helping, kindness, teamwork',
      'rude',
    ]);
    const saved = savedApprovalClusters(await repo.analyses(run.id))!;
    expect(saved.clusters.labels).toEqual(view.clusters!.clusters.labels);
    expect(saved.seed).toBe(1);
  });
});
