/**
 * The hypotheses view (issue #12, item 8): confirmed hypotheses on top with their held-out
 * numbers, the "may only be length" warning with the length-rule and similar-length accuracies,
 * example pairs opened side by side as text, and add/edit/delete through the callbacks.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import HypothesesView from '../../src/components/supervisor/HypothesesView.svelte';
import type { HypothesisValidation } from '../../src/lib/core/explain/types';
import type { Answer, Hypothesis, Prompt } from '../../src/lib/core/run/types';

const XSS = '<img src=x onerror=alert(1)>';

const prompts: Prompt[] = [
  { id: 'p1', text: 'How do I reset my router?' },
  { id: 'p2', text: 'Explain photosynthesis.' },
  { id: 'p3', text: 'Write a haiku about rain.' },
];

const answer = (promptId: string, side: 'A' | 'B', text: string, sample = 0): Answer => ({
  promptId,
  side,
  sample,
  text,
  finishReason: 'stop',
  createdAt: '2026-03-01T10:00:00.000Z',
});

const answers: Answer[] = [
  answer('p1', 'A', 'Unplug it and plug it back in.'),
  answer('p1', 'B', '1. Unplug the router.\n2. Wait 30 seconds.\n3. Plug it back in.'),
  answer('p1', 'B', 'A second sample that is never the judged pair.', 1),
  answer('p2', 'A', 'Plants turn light into sugar.'),
  answer('p2', 'B', '1. Light is absorbed.\n2. Water is split.'),
  answer('p3', 'A', `1. Rain falls ${XSS}\n2. on the roof`),
  answer('p3', 'B', 'Soft rain on the roof'),
];

/** 32 of 40 decided prompts for B (Wilson 95% 65.2%-89.5%; see report-supervisor.test.ts). */
function validation(over: Partial<HypothesisValidation> = {}): Record<string, unknown> {
  const v: HypothesisValidation = {
    nHeldOut: 50,
    decided: 40,
    forA: 8,
    forB: 32,
    ties: 10,
    orderFlips: 6,
    unparseable: 2,
    accuracy: 0.8,
    ciLow: 0.652426936536005,
    ciHigh: 0.895000102745623,
    pValue: 9.108291487791575e-5,
    qValue: 1.8e-4,
    confirmed: true,
    auc: 0.71,
    lengthRuleAccuracy: 0.55,
    similarLengthAccuracy: 0.78,
    similarLengthDecided: 18,
    mayBeLength: false,
    rightPromptIds: ['p1', 'p2'],
    wrongPromptIds: ['p3'],
    ...over,
  };
  return v as unknown as Record<string, unknown>;
}

const hypotheses: Hypothesis[] = [
  {
    id: 'h-length',
    text: 'Compared with A, B more often gives longer answers.',
    createdAt: '2026-03-01T10:00:00.000Z',
    source: 'supervisor',
    validation: validation({
      decided: 17,
      accuracy: 9 / 17,
      ciLow: 0.30963235060004424,
      ciHigh: 0.7383489355759056,
      pValue: 0.5,
      qValue: 0.5,
      confirmed: false,
      lengthRuleAccuracy: 0.94,
      similarLengthAccuracy: 0.5,
      similarLengthDecided: 4,
      mayBeLength: true,
      rightPromptIds: [],
      wrongPromptIds: [],
    }),
  },
  {
    id: 'h-user',
    text: `Compared with A, B more often writes ${XSS}.`,
    createdAt: '2026-03-01T10:05:00.000Z',
    source: 'user',
  },
  {
    id: 'h-list',
    text: 'Compared with A, B more often uses numbered lists.',
    createdAt: '2026-03-01T10:00:00.000Z',
    source: 'supervisor',
    validation: validation(),
  },
];

let component: ReturnType<typeof mount> | undefined;
afterEach(() => {
  if (component) unmount(component);
  component = undefined;
  document.body.innerHTML = '';
});

function render(props: Partial<Parameters<typeof HypothesesView>[1]> = {}) {
  component = mount(HypothesesView, {
    target: document.body,
    props: {
      hypotheses,
      run: { prompts, answers },
      labels: { A: 'base-7b', B: 'tuned-7b' },
      ...props,
    },
  });
  flushSync();
}

const items = () => [...document.querySelectorAll<HTMLElement>('[data-testid="hypothesis"]')];
const within = (el: Element, id: string) =>
  el.querySelector<HTMLElement>(`[data-testid="${id}"]`)!.textContent!.replace(/\s+/g, ' ').trim();

describe('HypothesesView', () => {
  it('lists the confirmed hypothesis first, then the rest, the unjudged one last', () => {
    render();
    expect(items().map((li) => within(li, 'hypothesis-text'))).toEqual([
      'Compared with A, B more often uses numbered lists.',
      'Compared with A, B more often gives longer answers.',
      `Compared with A, B more often writes ${XSS}.`,
    ]);
    expect(items().map((li) => li.dataset.status)).toEqual([
      'confirmed',
      'not confirmed',
      'not judged yet',
    ]);
    expect(items()[0]!.classList.contains('confirmed')).toBe(true);
  });

  it('shows accuracy, interval, q, AUC, decided share, flips and unparseable replies', () => {
    render();
    const first = items()[0]!;
    expect(within(first, 'hypothesis-accuracy')).toBe('80.0% (95% CI 65.2% to 89.5%)');
    expect(within(first, 'hypothesis-q')).toBe('1.8e-4');
    expect(within(first, 'hypothesis-auc')).toBe('0.71');
    expect(within(first, 'hypothesis-decided')).toBe('40 of 50 (80.0%)');
    expect(within(first, 'hypothesis-flips')).toBe('6');
    expect(within(first, 'hypothesis-unparseable')).toBe('2');
    expect(within(first, 'hypothesis-length-rule')).toBe('55.0%');
    expect(within(first, 'hypothesis-similar-length')).toBe('78.0% (18 prompts)');
    expect(first.querySelector('[data-testid="length-warning"]')).toBeNull();
    // Not judged yet: no numbers at all, rather than zeros.
    expect(items()[2]!.querySelector('[data-testid="hypothesis-numbers"]')).toBeNull();
  });

  it('warns that a hypothesis may only be length, with both length accuracies beside it', () => {
    render();
    const weak = items()[1]!;
    const warning = within(weak, 'length-warning');
    expect(warning).toContain('May only be length');
    expect(warning).toContain('right on 94.0% of the decided prompts');
    expect(warning).toContain('the hypothesis is right on 50.0%');
    expect(within(weak, 'hypothesis-similar-length')).toBe('50.0% (4 prompts)');
  });

  it('opens a right and a wrong example pair side by side, as text', () => {
    render();
    const first = items()[0]!;
    const right = first.querySelectorAll<HTMLButtonElement>('[data-testid="example-right"]');
    const wrong = first.querySelectorAll<HTMLButtonElement>('[data-testid="example-wrong"]');
    expect([...right].map((b) => b.textContent)).toEqual([
      'right: How do I reset my router?',
      'right: Explain photosynthesis.',
    ]);
    expect(wrong).toHaveLength(1);

    right[0]!.click();
    flushSync();
    let pair = first.querySelector('[data-testid="example-pair"]')!;
    expect(right[0]!.getAttribute('aria-expanded')).toBe('true');
    expect(pair.querySelector('[data-testid="pair-a"] pre')!.textContent).toBe(
      'Unplug it and plug it back in.',
    );
    // Sample 0 is the judged pair, not a later sample.
    expect(pair.querySelector('[data-testid="pair-b"] pre')!.textContent).toBe(
      '1. Unplug the router.\n2. Wait 30 seconds.\n3. Plug it back in.',
    );
    expect(pair.querySelector('[data-testid="pair-b"] h5')!.textContent).toBe('B · tuned-7b');
    expect(pair.textContent).toContain("picked B's answer");

    wrong[0]!.click();
    flushSync();
    pair = first.querySelector('[data-testid="example-pair"]')!;
    expect(pair.textContent).toContain("picked A's answer");
    expect(pair.querySelector('[data-testid="pair-a"] pre')!.textContent).toBe(
      `1. Rain falls ${XSS}\n2. on the roof`,
    );
    expect(document.querySelector('img')).toBeNull();

    // A second click on the open example closes it.
    wrong[0]!.click();
    flushSync();
    expect(first.querySelector('[data-testid="example-pair"]')).toBeNull();
  });

  it('shows a model-written hypothesis as text, never as HTML', () => {
    render();
    expect(document.querySelector('img')).toBeNull();
    expect(within(items()[2]!, 'hypothesis-text')).toContain(XSS);
  });

  it('adds, edits and deletes through the callbacks', () => {
    const onAdd = vi.fn();
    const onEdit = vi.fn();
    const onDelete = vi.fn();
    render({ onAdd, onEdit, onDelete });

    const input = document.querySelector<HTMLTextAreaElement>('[data-testid="hypothesis-new"]')!;
    input.value = '  Compared with A, B more often apologises.  ';
    input.dispatchEvent(new Event('input'));
    flushSync();
    document
      .querySelector<HTMLFormElement>('[data-testid="hypothesis-add"]')!
      .dispatchEvent(new Event('submit', { cancelable: true }));
    flushSync();
    expect(onAdd).toHaveBeenCalledWith('Compared with A, B more often apologises.');
    expect(input.value).toBe('');

    const second = items()[1]!;
    second.querySelector<HTMLButtonElement>('[data-testid="hypothesis-edit"]')!.click();
    flushSync();
    const draft = second.querySelector<HTMLTextAreaElement>('[data-testid="hypothesis-draft"]')!;
    expect(draft.value).toBe('Compared with A, B more often gives longer answers.');
    draft.value = 'Compared with A, B more often gives answers over 200 words.';
    draft.dispatchEvent(new Event('input'));
    second.querySelector<HTMLButtonElement>('[data-testid="hypothesis-save"]')!.click();
    flushSync();
    expect(onEdit).toHaveBeenCalledWith(
      'h-length',
      'Compared with A, B more often gives answers over 200 words.',
    );

    // Delete asks once more before calling back.
    items()[2]!.querySelector<HTMLButtonElement>('[data-testid="hypothesis-delete"]')!.click();
    flushSync();
    expect(onDelete).not.toHaveBeenCalled();
    items()[2]!
      .querySelector<HTMLButtonElement>('[data-testid="hypothesis-confirm-delete"]')!
      .click();
    flushSync();
    expect(onDelete).toHaveBeenCalledWith('h-user');
  });

  it('does not call back for an empty addition or an unchanged edit', () => {
    const onAdd = vi.fn();
    const onEdit = vi.fn();
    render({ onAdd, onEdit });
    const input = document.querySelector<HTMLTextAreaElement>('[data-testid="hypothesis-new"]')!;
    input.value = '   ';
    input.dispatchEvent(new Event('input'));
    document
      .querySelector<HTMLFormElement>('[data-testid="hypothesis-add"]')!
      .dispatchEvent(new Event('submit', { cancelable: true }));
    items()[0]!.querySelector<HTMLButtonElement>('[data-testid="hypothesis-edit"]')!.click();
    flushSync();
    items()[0]!.querySelector<HTMLButtonElement>('[data-testid="hypothesis-save"]')!.click();
    flushSync();
    expect(onAdd).not.toHaveBeenCalled();
    expect(onEdit).not.toHaveBeenCalled();
  });

  it('is read-only without callbacks, and says when there is no hypothesis', () => {
    render();
    expect(document.querySelector('[data-testid="hypothesis-add"]')).toBeNull();
    expect(document.querySelector('[data-testid="hypothesis-edit"]')).toBeNull();
    expect(document.querySelector('[data-testid="hypothesis-delete"]')).toBeNull();
    unmount(component!);
    component = undefined;
    render({ hypotheses: [] });
    expect(document.querySelector('[data-testid="hypotheses-empty"]')).not.toBeNull();
  });
});
