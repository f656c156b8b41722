/**
 * The app's clusters-of-change view: each group with its sentence, prompts, q, terms, detectors
 * and example pairs, model text shown as text; the reason when there are none; an analysis saved
 * by result version 2 (before clusters of change) opens through the app's reader and says so.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import ChangesView from '../../src/components/results/ChangesView.svelte';
import type { AnalysisResult } from '../../src/lib/core/analysis/pipeline';
import { screenAnalyses } from '../../src/lib/core/analysis/result-schema';
import { changeClusters } from '../../src/lib/core/compare/change-clusters';
import { pairedDesign } from '../../src/lib/core/compare/design';
import type { ChangesResult } from '../../src/lib/core/compare/result-types';
import type { AnalysisRecord, Answer, Side } from '../../src/lib/core/run/types';
import {
  FEATURE_MEASURES,
  STYLE_FEATURE_NAMES,
  styleFeatureColumns,
} from '../../src/lib/core/text/style-features';
import { words } from '../../src/lib/core/text/tokenize';
import { matrix } from '../../src/lib/core/vectors/matrix';
import { asVersion2Result, fakeAnalysisResult } from '../unit/analysis-result-fixture';

let component: ReturnType<typeof mount> | undefined;
afterEach(() => {
  if (component) unmount(component);
  component = undefined;
  document.body.innerHTML = '';
});

function render(changes: ChangesResult | null, pairedPrompts: number): HTMLElement {
  const target = document.createElement('div');
  document.body.append(target);
  component = mount(ChangesView, { target, props: { changes, pairedPrompts } });
  flushSync();
  return target;
}

const TOPICS = ['bread', 'planets', 'taxes', 'poetry', 'chess', 'glaciers', 'python', 'bees'];
const SIGN_OFF = 'Remember to double-check these details with a trusted expert.';

/**
 * 60 prompts whose answers share words within a topic; B appends a fixed sentence to every
 * third answer and otherwise drops A's last sentence or keeps the answer. Embedded as a signed
 * hashed bag of words (word-based like the bundled embedder).
 */
function computedChanges(): ChangesResult {
  const texts: string[] = [];
  const promptIndex: number[] = [];
  const sides: Side[] = [];
  for (let p = 0; p < 60; p++) {
    const topic = TOPICS[p % TOPICS.length]!;
    const a = `About ${topic} ${p}: the ${topic} facts matter. Many people ask about ${topic}. Item ${p} closes it.`;
    const b =
      p % 3 === 0
        ? `${a} ${SIGN_OFF}`
        : p % 3 === 1
          ? a.replace(/ Item \d+ closes it\.$/, '')
          : `${a} Also ${p}.`;
    for (const [side, text] of [
      ['A', a],
      ['B', b],
    ] as const) {
      texts.push(text);
      promptIndex.push(p);
      sides.push(side);
    }
  }
  const dims = 128;
  const vectors = matrix(texts.length, dims);
  texts.forEach((t, i) => {
    const row = vectors.data.subarray(i * dims, (i + 1) * dims);
    for (const w of words(t)) {
      let h = 0x811c9dc5;
      for (let c = 0; c < w.length; c++) h = Math.imul(h ^ w.charCodeAt(c), 0x01000193);
      row[(h >>> 0) % dims]! += h & 1 ? -1 : 1;
    }
    const norm = Math.hypot(...row);
    row.forEach((x, d) => (row[d] = x / norm));
  });
  const style = styleFeatureColumns(texts);
  return changeClusters({
    design: pairedDesign(promptIndex, sides),
    vectors,
    texts,
    promptIds: Array.from({ length: 60 }, (_, p) => `prompt ${p}`),
    features: STYLE_FEATURE_NAMES.map((name) => ({
      name,
      values: style[name],
      measure: FEATURE_MEASURES[name],
    })),
    wordCounts: style.length_words,
  })!;
}

describe('clusters of change view', () => {
  it('shows each group with its sentence, prompts, q, terms and example pairs side by side', () => {
    const changes = computedChanges();
    const target = render(changes, 60);
    const groups = [...target.querySelectorAll('[data-testid="change-cluster"]')];
    expect(groups).toHaveLength(changes.clusters.length);
    // The sign-off group holds the 20 prompts that gained it, and is significant.
    const first = groups.find((g) => g.textContent!.includes('“trusted expert”'))!;
    expect(first.classList.contains('significant')).toBe(true);
    expect(first.querySelector('h4')!.textContent).toMatch(/Group \d\s*· 20 prompts · q = /);
    expect(first.querySelector('[data-testid="change-sentence"]')!.textContent).toMatch(
      /^In 20 prompts, B adds “double check”, “trusted expert”/,
    );
    expect(first.querySelector('[data-testid="change-added"]')!.textContent).toContain('remember');
    // So does the group that lost its last sentence.
    expect(groups.some((g) => g.textContent!.includes('B drops “closes”'))).toBe(true);
    const pairs = [...first.querySelectorAll('[data-testid="change-example"]')];
    expect(pairs).toHaveLength(3);
    expect(pairs[0]!.querySelector('.side-b')!.textContent).toContain(SIGN_OFF);
    expect(pairs[0]!.querySelector('.side-a')!.textContent).not.toContain(SIGN_OFF);
    expect(first.querySelector('details:not(.method)')!.hasAttribute('open')).toBe(true);
    expect(target.querySelector('[data-testid="changes-quality"]')!.textContent).toContain(
      `${changes.nPrompts} changed prompts, ${changes.k} groups`,
    );
  });

  it('shows model text as text, never as HTML', () => {
    const hostile: ChangesResult = {
      method: 'split-half sign-flip',
      k: 2,
      silhouette: 0.05,
      nPrompts: 40,
      clusters: [
        {
          id: 0,
          n: 30,
          promptIds: [],
          terms: { added: ['<img src=x onerror=alert(1)>'], removed: [] },
          detectors: [{ name: 'refusals', delta: -0.5 }],
          examples: [{ promptId: '<b>p</b>', a: '<script>alert(1)</script>', b: '<i>b</i>' }],
          pValue: 0.3,
          qValue: 0.4,
        },
      ],
    };
    const target = render(hostile, 40);
    expect(target.querySelector('img, script, b, i')).toBeNull();
    expect(target.querySelector('[data-testid="change-added"]')!.textContent).toBe(
      '<img src=x onerror=alert(1)>',
    );
    expect(target.querySelector('.side-a')!.textContent).toContain('<script>alert(1)</script>');
    expect(target.querySelector('[data-testid="change-detectors"]')!.textContent).toContain(
      'refusals (declines the task) −50 pp of answers',
    );
    // Weak groups are flagged; a group that is not significant keeps its examples folded.
    expect(target.querySelector('[data-testid="changes-quality"]')!.classList).toContain('warning');
    expect(target.querySelector('details:not(.method)')!.hasAttribute('open')).toBe(false);
  });

  it('says when there are too few paired prompts, and when no prompt changed', () => {
    let target = render(null, 12);
    expect(target.querySelector('[data-testid="changes-note"]')!.textContent).toBe(
      'Not computed: too few paired prompts (12; clusters of change need 20).',
    );
    unmount(component!);
    const none: ChangesResult = {
      method: 'split-half sign-flip',
      k: 0,
      silhouette: null,
      nPrompts: 0,
      clusters: [],
    };
    target = render(none, 50);
    expect(target.querySelector('[data-testid="changes-note"]')!.textContent).toMatch(
      /^Only 0 prompts changed between A and B/,
    );
    expect(target.querySelector('[data-testid="change-cluster"]')).toBeNull();
  });

  it('opens an analysis saved by result version 2 and says clusters of change were not computed', () => {
    const answers = Array.from({ length: 40 }, (_, i) => ({
      promptId: `p${i >> 1}`,
      side: i % 2 ? 'B' : 'A',
      sample: 0,
      text: `Answer ${i}.`,
    })) as Answer[];
    const fake = fakeAnalysisResult(answers);
    const current = {
      ...fake,
      comparison: { ...fake.comparison, counts: { ...fake.comparison.counts, pairedPrompts: 20 } },
    };
    const record = {
      id: 'an-1',
      createdAt: '2026-01-01T00:00:00.000Z',
      result: asVersion2Result(current),
    };
    const prompts = new Set(answers.map((a) => a.promptId));
    const { kept, dropped } = screenAnalyses([record as AnalysisRecord], prompts);
    expect(dropped).toEqual([]);
    const opened = kept[0]!.result as AnalysisResult;
    expect(opened.comparison.changes).toBeNull();
    const target = render(opened.comparison.changes, opened.comparison.counts.pairedPrompts);
    expect(target.querySelector('[data-testid="changes-note"]')!.textContent).toBe(
      'Not computed: the analysis was saved before clusters of change existed; run it again to see them.',
    );
  });
});
