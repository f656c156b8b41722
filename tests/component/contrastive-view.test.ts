/**
 * The run page's "Where the models disagree" section on a scoring shaped like a real one
 * (contrastive-fixture.ts): the reason when it cannot score, the job's button, progress and
 * cancel, the most divergent answer shaded token by token (as text), the keyboard-reachable
 * tooltip, both rankings, the phrase table, and the clusters' divergence.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount, type ComponentProps } from 'svelte';
import Host from './contrastive-view-host.svelte';
import type ContrastiveView from '../../src/components/contrastive/ContrastiveView.svelte';
import type { AnalysisResult } from '../../src/lib/core/analysis/pipeline';
import type { ModelSpec } from '../../src/lib/core/run/types';
import { fakeAnalysisResult } from '../unit/analysis-result-fixture';
import { ANSWERS, EOT, ITEMS, PROMPTS, scoresResult, unsharedResult } from './contrastive-fixture';
import { reactiveProps } from './reactive-props.svelte';

type Props = ComponentProps<typeof ContrastiveView>;

const spec = (label: string): ModelSpec => ({
  label,
  backend: 'transformers',
  modelId: label,
  params: { temperature: 0, topP: 1, maxTokens: 32, seed: null },
});
const RUN = { prompts: PROMPTS, models: { A: spec('tiny-base'), B: spec('tiny-finetune') } };

let component: ReturnType<typeof mount> | undefined;
afterEach(() => {
  if (component) unmount(component);
  component = undefined;
  document.body.innerHTML = '';
});

function render(overrides: Partial<Props> = {}): { target: HTMLElement; props: Props } {
  const props = reactiveProps<Props>({
    run: RUN,
    scores: scoresResult(),
    blocked: null,
    busy: false,
    progress: null,
    error: null,
    onscore: () => {},
    oncancel: () => {},
    analysis: null,
    ...overrides,
  });
  const target = document.createElement('div');
  document.body.append(target);
  component = mount(Host, { target, props });
  flushSync();
  return { target, props };
}

const byTestId = (target: ParentNode, id: string) => [
  ...target.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`),
];
const text = (el: Element | null | undefined) => el?.textContent?.replace(/\s+/g, ' ').trim();
const cells = (row: HTMLElement) => [...row.querySelectorAll('td')].map((td) => text(td));

/** The answers' identities in the order the fixture's mean KL puts them (worked by hand there). */
const BY_MEAN_KL = [
  'p2 B',
  'p4 B',
  'p1 B',
  'p1 A',
  'p3 B',
  'p5 B',
  'p6 B',
  'p6 A',
  'p3 A',
  'p4 A',
  'p2 A',
  'p5 A',
];

describe('contrastive view: scoring', () => {
  it('says why it cannot score, in words, and offers no button', () => {
    const reason =
      'Side A answers over HTTP: this backend cannot give full next-token distributions.';
    const { target } = render({ blocked: reason, scores: undefined });
    expect(text(byTestId(target, 'contrastive-blocked')[0])).toBe(reason);
    expect(byTestId(target, 'contrastive-score')).toEqual([]);
    expect(byTestId(target, 'shaded-answer')).toEqual([]);
  });

  it('scores on the button, shows progress while busy and cancels', () => {
    const onscore = vi.fn();
    const oncancel = vi.fn();
    const { target, props } = render({ scores: undefined, onscore, oncancel });
    const button = byTestId(target, 'contrastive-score')[0]!;
    expect(text(button)).toBe('Score answers under both models');
    button.click();
    expect(onscore).toHaveBeenCalledTimes(1);

    props.busy = true;
    props.progress = { phase: 'score', done: 4, total: 12 };
    flushSync();
    const bar = target.querySelector('[role="progressbar"]')!;
    expect(bar.getAttribute('aria-valuenow')).toBe('33');
    expect(text(target.querySelector('.caption'))).toMatch(
      /^Scoring answers under both models: score 33%/,
    );
    expect(byTestId(target, 'contrastive-score')).toEqual([]);
    const cancel = [...target.querySelectorAll('button')].find((b) => text(b) === 'Cancel')!;
    cancel.click();
    expect(oncancel).toHaveBeenCalledTimes(1);

    props.busy = false;
    props.error = 'The worker stopped.';
    flushSync();
    expect(text(target.querySelector('[role="alert"]'))).toContain('The worker stopped.');
  });
});

describe('contrastive view: the shaded answer', () => {
  it('shows the most divergent answer first, its tokens as text, never as markup', () => {
    const { target } = render();
    const selected = byTestId(target, 'contrastive-selected')[0]!;
    expect(text(selected.querySelector('.prompt'))).toBe('Can you help me with <b>x</b>?');
    const tokens = byTestId(selected, 'shaded-token');
    expect(tokens.map((t) => t.textContent)).toEqual(ITEMS[3]!.tokens.map((t) => t.token));
    expect(tokens.map((t) => t.textContent).join('')).toBe(` I cannot help <b>x</b>.${EOT}`);
    // The answer's `<b>` is text: no element was made from it.
    expect(selected.querySelector('b, i, script')).toBeNull();
  });

  it('shades by KL: more divergent tokens darker, the largest KL full, none at zero', () => {
    const { target } = render();
    const tokens = byTestId(target, 'shaded-token');
    const shades = tokens.map((t) => Number(t.dataset.shade));
    const kls = ITEMS[3]!.tokens.map((t) => t.kl!);
    // " cannot" has the run's largest KL (6.0): full shade.
    expect(shades[1]).toBe(1);
    for (let i = 0; i < kls.length; i++)
      for (let j = 0; j < kls.length; j++)
        if (kls[i]! > kls[j]!) expect(shades[i]).toBeGreaterThan(shades[j]!);
    expect(tokens[1]!.style.getPropertyValue('--shade')).toBe('100.0%');

    // p5 A has KL 0 throughout: nothing shaded.
    const row = byTestId(target, 'answer-rank-row').at(-1)!;
    row.querySelector('button')!.click();
    flushSync();
    expect(byTestId(target, 'shaded-token').map((t) => Number(t.dataset.shade))).toEqual([0, 0, 0]);
    expect(byTestId(target, 'shade-legend')).toHaveLength(1);
  });

  it('shows a token’s numbers and both models’ top tokens on focus, and moves by arrow keys', () => {
    const { target } = render();
    const tokens = byTestId(target, 'shaded-token');
    // One tab stop for the answer: the first token.
    expect(tokens.map((t) => t.tabIndex)).toEqual(tokens.map((_, i) => (i === 0 ? 0 : -1)));
    tokens[0]!.focus();
    flushSync();
    tokens[0]!.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
    flushSync();
    expect(document.activeElement).toBe(tokens[1]);
    const tip = byTestId(target, 'token-tooltip')[0]!;
    expect(tip.getAttribute('role')).toBe('tooltip');
    expect(tokens[1]!.getAttribute('aria-describedby')).toBe(tip.id);
    const t = ITEMS[3]!.tokens[1]!;
    expect(text(byTestId(tip, 'tip-logp-a')[0])).toBe(t.logpA!.toFixed(3));
    expect(text(byTestId(tip, 'tip-logp-b')[0])).toBe(t.logpB.toFixed(3));
    expect(text(byTestId(tip, 'tip-kl')[0])).toBe('6.0000');
    const lists = [...tip.querySelectorAll('.top')].map((el) => [
      text(el.querySelector('.top-title')),
      ...[...el.querySelectorAll('li')].map((li) => text(li)),
    ]);
    expect(lists[0]).toEqual(['A: tiny-base', '␣can 67.0%', '␣will 22.3%', '␣cannot 0.1%']);
    // B's third most likely token is markup, shown as text.
    expect(lists[1]).toEqual(['B: tiny-finetune', '␣cannot 54.9%', "␣can't 22.3%", '<i> 1.8%']);
    expect(tip.querySelector('i')).toBeNull();

    tokens[1]!.dispatchEvent(new KeyboardEvent('keydown', { key: 'End', bubbles: true }));
    flushSync();
    expect(document.activeElement).toBe(tokens.at(-1));
    expect(text(byTestId(target, 'token-tooltip')[0]!.querySelector('.tip-token'))).toBe(EOT);
    tokens.at(-1)!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    flushSync();
    expect(byTestId(target, 'token-tooltip')).toEqual([]);
  });

  it('shows the tooltip on hover and hides it when the pointer leaves', () => {
    const { target } = render();
    const token = byTestId(target, 'shaded-token')[6]!;
    token.dispatchEvent(new MouseEvent('mouseenter'));
    flushSync();
    expect(text(byTestId(target, 'tip-kl')[0])).toBe('0.9000');
    token.dispatchEvent(new MouseEvent('mouseleave'));
    flushSync();
    expect(byTestId(target, 'token-tooltip')).toEqual([]);
  });
});

describe('contrastive view: rankings and phrases', () => {
  it('ranks every answer by mean KL and shows the clicked one shaded', () => {
    const { target } = render();
    const rows = byTestId(target, 'answer-rank-row');
    expect(rows).toHaveLength(12);
    const ids = rows.map((r) => {
      const c = cells(r);
      const prompt = PROMPTS.find((p) => p.text === c[0])!.id;
      return `${prompt} ${c[1]}`;
    });
    expect(ids).toEqual(BY_MEAN_KL);
    expect(cells(rows[0]!)).toEqual([
      'Can you help me with <b>x</b>?',
      'B',
      '1',
      '0.852',
      ITEMS[3]!.llr.toFixed(3),
    ]);
    expect(rows[0]!.classList.contains('selected')).toBe(true);

    rows[1]!.querySelector('button')!.click();
    flushSync();
    const selected = byTestId(target, 'contrastive-selected')[0]!;
    expect(text(selected.querySelector('.prompt'))).toBe('Where do I find the terms?');
    expect(byTestId(selected, 'shaded-token').map((t) => t.textContent)).toEqual([
      'Check',
      ' the',
      ' license',
      EOT,
    ]);
    expect(byTestId(target, 'answer-rank-row')[1]!.classList.contains('selected')).toBe(true);
  });

  it('ranks prompts by the mean over their answers, with each side’s mean llr', () => {
    const { target } = render();
    const rows = byTestId(target, 'prompt-rank-row').map(cells);
    expect(rows.map((c) => PROMPTS.find((p) => p.text === c[0])!.id)).toEqual([
      'p1',
      'p2',
      'p4',
      'p3',
      'p6',
      'p5',
    ]);
    // p1: (0.564 + 0.584) / 2; llr = sum of the tokens' KL by construction.
    expect(rows[0]!.slice(1)).toEqual(['0.574', '2.820', '2.920', '2']);
  });

  it('lists the phrases weighted by divergence with their counts per side', () => {
    const { target } = render();
    const rows = byTestId(target, 'ngram-row').map(cells);
    // The usual KL per token of the fixture's answers with KL: 23.5 over 56 tokens.
    // "license": 4 occurrences (p1 A; p1 B, p3 B, p4 B) at KL 2.0 each; 8 - 4 x 23.5 / 56 above.
    expect(rows[0]).toEqual(['license', '1', '3', '2.000', '8.000', '6.321']);
    // "the license": p1 A, p1 B and p4 B at the mean of 0.5 and 2.0 (1.25 each), and p3 B's
    // "The license" at the mean of 0.1 and 2.0 (1.05): total 4.8 over 4.
    expect(rows[1]).toEqual(['the license', '1', '3', '1.200', '4.800', '3.121']);
    // Seen once: left out.
    expect(rows.map((r) => r[0])).not.toContain('cannot');
  });
});

describe('contrastive view: long lists', () => {
  it('shows the first 50 answers and 15 phrases until asked for all', () => {
    // 30 prompts, both sides: 60 answers; each side says "word<i>" so 30 phrases occur twice.
    const many = Array.from({ length: 30 }, (_, i) =>
      (['A', 'B'] as const).map((side) => {
        const kl = 0.1 + i / 100;
        const tokens = [` word${i}`, EOT].map((token) => ({
          token,
          logpA: -1 - kl,
          logpB: -1,
          kl,
        }));
        return {
          promptId: `q${i}`,
          side,
          sample: 0,
          tokens,
          logpA: -2 - 2 * kl,
          logpB: -2,
          llr: 2 * kl,
          meanKl: kl,
        };
      }),
    ).flat();
    const prompts = many
      .filter((m) => m.side === 'A')
      .map((m) => ({ id: m.promptId, text: `Prompt ${m.promptId}` }));
    const { target } = render({ run: { ...RUN, prompts }, scores: scoresResult(many) });
    expect(byTestId(target, 'answer-rank-row')).toHaveLength(50);
    expect(byTestId(target, 'ngram-row')).toHaveLength(15);
    // The most divergent phrase first: word29 (KL 0.39, twice); the usual KL per token is
    // the mean of 0.1 + i / 100 over i < 30, 0.245, so it is 0.78 - 2 x 0.245 above.
    expect(cells(byTestId(target, 'ngram-row')[0]!)).toEqual([
      'word29',
      '1',
      '1',
      '0.390',
      '0.780',
      '0.290',
    ]);
    const button = (label: string) =>
      [...target.querySelectorAll('button')].find((b) => text(b) === label)!;
    button('Show all 60').click();
    button('Show all 30').click();
    flushSync();
    expect(byTestId(target, 'answer-rank-row')).toHaveLength(60);
    expect(byTestId(target, 'ngram-row')).toHaveLength(30);
  });
});

describe('contrastive view: without a shared vocabulary', () => {
  it('says KL needs one vocabulary and shows log probabilities only', () => {
    const { target } = render({ scores: unsharedResult() });
    expect(text(target.querySelector('[role="status"], [role="alert"], .alert'))).toMatch(
      /do not share a vocabulary: KL needs one/,
    );
    expect(byTestId(target, 'ngram-table')).toEqual([]);
    expect(byTestId(target, 'shade-legend')).toEqual([]);
    expect(byTestId(target, 'shaded-token').every((t) => t.dataset.shade === '0.000')).toBe(true);
    expect(text(target.querySelector('[data-testid="answer-ranking"] thead'))).toContain(
      '|llr| per token',
    );
    const token = byTestId(target, 'shaded-token')[0]!;
    token.focus();
    flushSync();
    expect(text(byTestId(target, 'tip-kl')[0])).toBe('—');
    expect(text(byTestId(target, 'tip-logp-a')[0])).toBe('—');
  });
});

/** An analysis of the same twelve answers in three clusters (and one answer left as noise). */
function clusteredAnalysis(): AnalysisResult {
  const result = fakeAnalysisResult(ANSWERS);
  const clusterOf: Record<string, number> = {
    'p1 A': 0,
    'p1 B': 0,
    'p3 B': 0,
    'p4 B': 0,
    'p2 A': 1,
    'p5 A': 1,
    'p5 B': 1,
    'p6 A': 1,
    'p2 B': 2,
    'p3 A': 2,
    'p4 A': 2,
    'p6 B': -1,
  };
  result.labels = Int32Array.from(result.rows, (r) => clusterOf[`${r.promptId} ${r.side}`]!);
  const base = result.comparison.clusters[0]!;
  result.comparison.clusters = [
    { ...base, id: 0, terms: ['license', 'read'] },
    { ...base, id: 1, terms: ['four', 'sure'] },
    { ...base, id: 2, terms: ['cannot', '<b>help</b>'] },
  ];
  return result;
}

describe('contrastive view: divergence per cluster', () => {
  it('waits for an analysis, with a note', () => {
    const { target } = render();
    expect(text(byTestId(target, 'cluster-divergence-note')[0])).toMatch(/^Analyse the run/);
    expect(byTestId(target, 'cluster-divergence-table')).toEqual([]);
  });

  it('lists the clusters by median divergence, or by number, with their terms and labels', () => {
    const { target } = render({
      analysis: clusteredAnalysis(),
      clusterLabels: [{ cluster: 2, label: 'Refusals', description: 'Says no.' }],
    });
    const rows = () => byTestId(target, 'cluster-divergence-row').map(cells);
    // Medians of the mean KLs (fixture): cluster 0 of 0.504, 0.564, 0.584, 0.655 is
    // (0.564 + 0.584) / 2; cluster 2 of 0.08, 0.105, 0.852 (p6 B is noise) is 0.105; cluster 1
    // of 0, 0.053, 0.11, 0.2 is (0.053 + 0.11) / 2.
    expect(rows()).toEqual([
      ['0', 'license, read', '4', '0.574', '0.577'],
      ['2: Refusals', 'cannot, <b>help</b>', '3', '0.105', '0.346'],
      ['1', 'four, sure', '4', '0.082', '0.091'],
    ]);
    const select = byTestId(target, 'cluster-divergence-order')[0] as unknown as HTMLSelectElement;
    select.value = 'id';
    select.dispatchEvent(new Event('change'));
    flushSync();
    expect(rows().map((r) => r[0])).toEqual(['0', '1', '2: Refusals']);
    expect(target.querySelector('[data-testid="cluster-divergence"] b')).toBeNull();
  });
});
