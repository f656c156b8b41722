/**
 * Divergent prompts controlled for length: on constructed data where the embedding distance is
 * driven by the length ratio alone, the raw ranking puts the length-mismatched prompts first and
 * the adjusted one does not; a same-length prompt whose content changed tops the adjusted list.
 */
import { describe, expect, it } from 'vitest';
import { compareAnswers } from '../../src/lib/core/compare/compare';
import { pairedDesign } from '../../src/lib/core/compare/design';
import { promptDivergence } from '../../src/lib/core/compare/divergence';
import {
  OPENING_CHARS,
  equalCountBands,
  lengthAdjustedDivergence,
  lengthBandCount,
  openingLine,
  robustZ,
} from '../../src/lib/core/compare/length-adjusted-divergence';
import type { Side } from '../../src/lib/core/run/types';
import { fromRows } from '../../src/lib/core/vectors/matrix';

const text = (nWords: number, word = 'word') =>
  Array.from({ length: nWords }, () => word).join(' ');

/**
 * One answer per side per prompt, 80 prompts. A always writes 20 words; B writes 20 * ratio
 * words: half the prompts about the same length (ratio 0.9 to 1.1), half mismatched (ratio 2 to
 * 20 or its inverse). The cosine distance between A's and B's answers is 0.25 * |ln ratio| plus
 * a little jitter: length alone. The prompt `content` has the same length on both sides but B's
 * answer points elsewhere (distance 0.45, less than the most mismatched prompts): a change of
 * content.
 */
function lengthDrivenData() {
  const ratios = Array.from({ length: 80 }, (_, p) => {
    const step = Math.floor(p / 2) / 39; // 0 .. 1
    if (p % 2 === 0) return 0.9 + 0.2 * step;
    const far = 2 * 10 ** step; // 2 .. 20
    return p % 4 === 1 ? far : 1 / far;
  });
  const content = 10; // a same-length prompt (ratio about 0.93) whose answer changed
  const rows: number[][] = [];
  const texts: string[] = [];
  const promptIndex: number[] = [];
  const sides: Side[] = [];
  ratios.forEach((ratio, p) => {
    const jitter = ((p * 7) % 5) * 0.004;
    const distance = p === content ? 0.45 : 0.25 * Math.abs(Math.log(ratio)) + jitter;
    const angle = Math.acos(1 - distance);
    rows.push([1, 0], [Math.cos(angle), Math.sin(angle)]);
    texts.push(text(20, 'alpha'), text(Math.round(20 * ratio), p === content ? 'omega' : 'alpha'));
    promptIndex.push(p, p);
    sides.push('A', 'B');
  });
  const mismatched = new Set(ratios.flatMap((r, p) => (Math.abs(Math.log(r)) > 0.5 ? [p] : [])));
  return { ratios, content, vectors: fromRows(rows), texts, promptIndex, sides, mismatched };
}

describe('length-adjusted divergence', () => {
  it('raw divergence ranks length mismatch first; the adjusted ranking puts the content change first', () => {
    const d = lengthDrivenData();
    const design = pairedDesign(d.promptIndex, d.sides, d.ratios.length);
    const raw = promptDivergence(d.vectors, design);
    const adjusted = lengthAdjustedDivergence(raw, design, d.texts);

    const countMismatched = (list: { promptIndex: number }[]) =>
      list.slice(0, 10).filter((p) => d.mismatched.has(p.promptIndex)).length;
    // Half the prompts are mismatched; raw divergence puts only them in its top 10.
    expect(d.mismatched.size).toBe(40);
    expect(countMismatched(raw)).toBe(10);
    expect(raw.findIndex((p) => p.promptIndex === d.content)).toBeGreaterThan(10);
    // Adjusted: the content change first, and the top 10 no more mismatched than the run.
    expect(adjusted[0]!.promptIndex).toBe(d.content);
    expect(countMismatched(adjusted)).toBeLessThanOrEqual(6);
    expect(adjusted[0]!.divergenceAdjusted).toBeGreaterThan(3 * adjusted[1]!.divergenceAdjusted);
    // divergence itself is unchanged (1 - cos with one sample, in [0, 2]).
    for (const p of adjusted) {
      const before = raw.find((r) => r.promptIndex === p.promptIndex)!;
      expect(p.divergence).toBe(before.divergence);
      expect(p.divergence).toBeGreaterThanOrEqual(0);
      expect(p.divergence).toBeLessThanOrEqual(2);
    }
  });

  it('gives each prompt its length ratio (B over A, +1 word each) and both answers’ openings', () => {
    const d = lengthDrivenData();
    const design = pairedDesign(d.promptIndex, d.sides, d.ratios.length);
    const adjusted = lengthAdjustedDivergence(promptDivergence(d.vectors, design), design, d.texts);
    const byPrompt = new Map(adjusted.map((p) => [p.promptIndex, p]));
    // prompt 1, ratio 2: A 20 words, B 40 -> 41 / 21; prompt 3, ratio 1 / 2.12: B 9 -> 10 / 21
    expect(byPrompt.get(1)!.lengthRatio).toBeCloseTo(41 / 21, 10);
    expect(byPrompt.get(3)!.lengthRatio).toBeCloseTo(10 / 21, 10);
    expect(byPrompt.get(d.content)!.answers).toEqual({
      a: text(20, 'alpha'),
      b: text(19, 'omega'),
    });
    const long = byPrompt.get(77)!.answers.b;
    expect(Array.from(long)).toHaveLength(OPENING_CHARS + 1);
    expect(long.endsWith('…')).toBe(true);
  });

  it('averages words over samples and quotes the first answer of each side', () => {
    // prompt 0: A "a b c" and "a b c d e" (mean 4), B 9 words -> (9 + 1) / (4 + 1) = 2.
    const texts = ['a b c', 'one two three four five six seven eight nine', 'a b c d e', 'x'];
    const design = pairedDesign([0, 0, 0, 0], ['A', 'B', 'A', 'B']);
    const vectors = fromRows([
      [1, 0],
      [0, 1],
      [1, 0],
      [0, 1],
    ]);
    const [p] = lengthAdjustedDivergence(promptDivergence(vectors, design), design, texts);
    // B's mean is (9 + 1) / 2 = 5 words: (5 + 1) / (4 + 1)
    expect(p!.lengthRatio).toBeCloseTo(6 / 5, 10);
    expect(p!.answers).toEqual({ a: 'a b c', b: texts[1] });
    // one prompt: it is its band's median
    expect(p!.divergenceAdjusted).toBeCloseTo(0, 12);
  });

  it('throws when the texts do not match the design', () => {
    const design = pairedDesign([0, 0], ['A', 'B']);
    expect(() => lengthAdjustedDivergence([], design, ['only one'])).toThrow(
      /1 texts for 2 answers/,
    );
  });

  it('compareAnswers ranks its prompts by the adjusted divergence and keeps the raw one', () => {
    const d = lengthDrivenData();
    const res = compareAnswers(
      {
        prompts: d.ratios.map((_, p) => `p${p}`),
        promptIndex: d.promptIndex,
        sides: d.sides,
        labels: d.promptIndex.map((_, i) => i % 2),
        vectors: d.vectors,
        texts: d.texts,
      },
      { nPermutations: 99, nBootstrap: 50 },
    );
    expect(res.prompts[0]!.prompt).toBe(`p${d.content}`);
    const scores = res.prompts.map((p) => p.divergenceAdjusted!);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(res.prompts[0]).toMatchObject({
      lengthRatio: 20 / 21,
      answers: { a: text(20, 'alpha'), b: text(19, 'omega') },
    });
  });
});

describe('openingLine', () => {
  it('collapses whitespace and keeps short text whole', () => {
    expect(openingLine('  Sure!\n\nHere is\tthe  plan. ')).toBe('Sure! Here is the plan.');
  });

  it('cuts long text at the limit, on code points, with an ellipsis', () => {
    expect(openingLine('abcdef', 3)).toBe('abc…');
    expect(openingLine('abc', 3)).toBe('abc');
    expect(openingLine('😀😀😀😀', 2)).toBe('😀😀…');
    expect(openingLine('ab cd', 3)).toBe('ab…');
  });
});

describe('robustZ', () => {
  it('scores by median and MAD, by hand', () => {
    // median 3, deviations 2 1 0 1 7 -> MAD 1
    expect(robustZ([1, 2, 3, 4, 10])).toEqual([-2, -1, 0, 1, 7]);
    // even count: median (2 + 4) / 2 = 3, deviations 2 1 1 5 -> MAD 1.5
    expect(robustZ([1, 2, 4, 8])).toEqual([-2 / 1.5, -1 / 1.5, 1 / 1.5, 5 / 1.5]);
  });

  it('falls back to the mean absolute deviation when the MAD is 0, and 0 when all are equal', () => {
    // median 1, deviations 0 0 0 3 -> MAD 0, mean deviation 0.75
    expect(robustZ([1, 1, 1, 4])).toEqual([0, 0, 0, 4]);
    expect(robustZ([2, 2, 2])).toEqual([0, 0, 0]);
    expect(robustZ([])).toEqual([]);
  });
});

describe('length bands', () => {
  it('splits values into equal-count bands by size, ties by index', () => {
    expect(equalCountBands([5, 1, 3, 2, 4, 0], 3)).toEqual([2, 0, 1, 1, 2, 0]);
    expect(equalCountBands([1, 1, 1, 1], 2)).toEqual([0, 0, 1, 1]);
    expect(equalCountBands([3, 1, 2], 1)).toEqual([0, 0, 0]);
  });

  it('uses at least 8 prompts per band and at most 10 bands', () => {
    expect(lengthBandCount(0)).toBe(1);
    expect(lengthBandCount(15)).toBe(1);
    expect(lengthBandCount(16)).toBe(2);
    expect(lengthBandCount(79)).toBe(9);
    expect(lengthBandCount(80)).toBe(10);
    expect(lengthBandCount(805)).toBe(10);
  });
});
