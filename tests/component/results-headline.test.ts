/**
 * The results view leads with the same headline as the reports (report/headline.ts): its claims
 * as links to their evidence, then the overall line; the honest line when nothing is found.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import ResultsHost from './results-summary-host.svelte';
import { headline } from '../../src/lib/core/report/headline';
import type { FeatureResult } from '../../src/lib/core/compare/result-types';
import type { AnalysisResult } from '../../src/lib/core/analysis/pipeline';
import type { Answer, Prompt } from '../../src/lib/core/run/types';
import { fakeAnalysisResult } from '../unit/analysis-result-fixture';

const prompts: Prompt[] = ['p1', 'p2', 'p3'].map((id) => ({ id, text: `Question ${id}?` }));
const answers = ['A', 'B'].flatMap((side) =>
  prompts.map((p) => ({ promptId: p.id, side, sample: 0, text: `${side} answers ${p.id}` })),
) as Answer[];

/** Tables in 3% -> 12% of answers, p = 1e-6: significant in any small family. */
const tables: FeatureResult = {
  name: 'tables',
  meanA: 0.03,
  meanB: 0.12,
  effect: 0.09,
  meanDifference: 0.09,
  pValue: 1e-6,
  qValue: 1e-5,
  nPairs: 400,
  nZeros: 360,
  test: null,
  measure: 'presence',
  shareA: 0.03,
  shareB: 0.12,
  per100wA: 0,
  per100wB: 0,
  medianA: 0,
  medianB: 0,
};

let component: ReturnType<typeof mount> | undefined;
afterEach(() => {
  if (component) unmount(component);
  component = undefined;
  document.body.innerHTML = '';
});

function render(result: AnalysisResult): HTMLElement {
  const target = document.createElement('div');
  document.body.append(target);
  component = mount(ResultsHost, { target, props: { result, run: { prompts, answers } } });
  flushSync();
  return target;
}

/** The fixture's result with no cluster and no feature differing, overall p = 0.4. */
function quietResult(): AnalysisResult {
  const result = fakeAnalysisResult(answers);
  const c = result.comparison;
  result.comparison = {
    ...c,
    overall: { ...c.overall, pValue: 0.4 },
    clusters: c.clusters.map((cl) => ({ ...cl, pValue: 0.8, qValue: 0.8 })),
    features: [],
  };
  return result;
}

describe('results view: the headline', () => {
  it('shows each claim as a link to its evidence, then the overall line, as the reports do', () => {
    const result = quietResult();
    result.comparison = { ...result.comparison, features: [tables] };
    const target = render(result);
    const links = [...target.querySelectorAll('[data-testid="difference-link"]')];
    expect(links.map((l) => l.textContent)).toEqual([
      "B uses tables in 12% of its answers vs 3% of A's.",
    ]);
    expect(links[0]!.getAttribute('data-kind')).toBe('feature');
    const overall = target.querySelector('[data-testid="overall"]')!.textContent;
    expect([...links.map((l) => l.textContent), overall]).toEqual(headline(result.comparison));
    expect(target.querySelector('[data-testid="nothing-found"]')).toBeNull();
  });

  it('says nothing was found, and how much could be missed, when no test is significant', () => {
    const result = quietResult();
    const target = render(result);
    expect(target.querySelector('[data-testid="difference-link"]')).toBeNull();
    const nothing = target.querySelector('[data-testid="nothing-found"]')!.textContent;
    expect(nothing).toMatch(/^No difference reaches q < 0.05 when the \d+ tests of /);
    // Three prompts cannot carry any change past the joint family's bar.
    expect(nothing).toContain('more prompts are needed to find small changes');
    expect([nothing, target.querySelector('[data-testid="overall"]')!.textContent]).toEqual(
      headline(result.comparison),
    );
  });

  it('shows openings, clusters of change and categories, and links their claims to them', () => {
    const result = quietResult();
    const c = result.comparison;
    result.comparison = {
      ...c,
      openings: {
        ...c.openings!,
        moreInB: [{ ...c.openings!.moreInB[0]!, countB: 3, pValue: 1e-9, qValue: 1e-8 }],
      },
      changes: {
        ...c.changes!,
        clusters: [{ ...c.changes!.clusters[0]!, pValue: 1e-6, qValue: 1e-6 }],
      },
    };
    const target = render(result);
    const kinds = [...target.querySelectorAll('[data-testid="difference-link"]')].map((l) =>
      l.getAttribute('data-kind'),
    );
    expect(kinds).toEqual(expect.arrayContaining(['opening', 'change']));
    expect(target.querySelector('[data-testid="phrase-row"]')!.textContent).toContain(
      'certainly here are',
    );
    expect(target.querySelectorAll('[data-testid="change-cluster"]')).toHaveLength(1);
    expect(target.querySelector('[data-testid="category-section"]')).not.toBeNull();

    // A click on a claim scrolls to the heading of its section.
    const scrolled: string[] = [];
    Element.prototype.scrollIntoView = function (this: Element) {
      scrolled.push(this.textContent ?? '');
    };
    for (const kind of ['opening', 'change']) {
      const link = target.querySelector<HTMLButtonElement>(
        `[data-testid="difference-link"][data-kind="${kind}"]`,
      )!;
      link.click();
      flushSync();
    }
    expect(scrolled).toEqual(['Openings and closings', 'Clusters of change']);
  });

  it('shows no category section when prompts have no categories', () => {
    const result = quietResult();
    result.comparison = { ...result.comparison, categories: null };
    expect(render(result).querySelector('[data-testid="category-section"]')).toBeNull();
  });
});
