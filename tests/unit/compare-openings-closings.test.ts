import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pairedDesign } from '../../src/lib/core/compare/design';
import {
  answerPhrases,
  openingsAndClosings,
  type PhraseOptions,
} from '../../src/lib/core/compare/openings-closings';
import type { PhraseResult } from '../../src/lib/core/compare/result-types';
import type { Side } from '../../src/lib/core/run/types';
import { createRng } from '../../src/lib/core/vectors/random';

const TOPICS = [
  'apple', 'river', 'stone', 'garden', 'window', 'engine', 'pepper', 'silver', 'meadow',
  'candle', 'harbor', 'violin', 'marble', 'forest', 'rocket', 'lemon', 'castle', 'copper',
  'tunnel', 'saddle', 'pillow', 'falcon', 'glacier', 'lantern', 'orchid', 'pebble', 'quarry',
  'ribbon', 'spider', 'thunder',
]; // prettier-ignore

/** Answers in (prompt, side, sample) order, as the comparison receives them. */
interface Answers {
  texts: string[];
  promptIndex: number[];
  sides: Side[];
}

function run(a: Answers, options: PhraseOptions = {}) {
  return openingsAndClosings(pairedDesign(a.promptIndex, a.sides), a.texts, options);
}

function find(list: readonly PhraseResult[], text: string): PhraseResult | undefined {
  return list.find((p) => p.text === text);
}

function significant(r: ReturnType<typeof run>): string[] {
  return [r.openings, r.closings].flatMap((f) =>
    f ? [...f.moreInA, ...f.moreInB].filter((p) => p.qValue < 0.05).map((p) => p.text) : [],
  );
}

type Opener = (p: number) => string | null;
const CERTAINLY = 'Certainly! Here are the facts.';
/** A opens 2 of its 60 answers with "Certainly! Here are". */
const A_OPENS: Opener = (p) => (p < 2 ? CERTAINLY : null);

/**
 * 60 prompts; each answer opens with the prompt's own words (unique per prompt, so no shared
 * opening) unless its side's opener gives it one, and closes with words of its prompt only.
 */
function constructed(opensB: Opener, { opensA = A_OPENS, lengthB = 1, samples = 1 } = {}): Answers {
  const a: Answers = { texts: [], promptIndex: [], sides: [] };
  for (let p = 0; p < 60; p++) {
    const topic = `${p} ${TOPICS[p % 30]} ${TOPICS[(p * 7 + 3) % 30]}`;
    const body = `The ${topic} matters because it is useful here.`;
    for (const side of ['A', 'B'] as const) {
      for (let s = 0; s < samples; s++) {
        const opening = (side === 'B' ? opensB : opensA)(p);
        const text = [
          opening ?? `${topic} first.`,
          ...Array.from({ length: side === 'B' ? lengthB : 1 }, () => body),
          `Thanks for prompt ${p}.`,
        ].join(' ');
        a.texts.push(text);
        a.promptIndex.push(p);
        a.sides.push(side);
      }
    }
  }
  return a;
}

describe('answerPhrases', () => {
  it('takes the first and last three words, lower-cased, without punctuation or markup', () => {
    expect(answerPhrases('Certainly! Here are five ideas. I hope this helps!')).toEqual({
      opening: 'certainly here are',
      closing: 'hope this helps',
    });
    expect(answerPhrases('**Certainly**, here are\n\n- a\n- b\n\nI *hope* this helps.')).toEqual({
      opening: 'certainly here are',
      closing: 'hope this helps',
    });
    expect(answerPhrases('# My Title\n\nSome text follows here.').opening).toBe('my title some');
    expect(answerPhrases('1. Preheat the oven.').opening).toBe('1 preheat the');
    expect(answerPhrases("I’m glad you asked. It's fine")).toEqual({
      opening: "i'm glad you",
      closing: "asked it's fine",
    });
  });

  it('uses the whole of a one- or two-word answer and nothing of an answer without words', () => {
    expect(answerPhrases('Yes.')).toEqual({ opening: 'yes', closing: 'yes' });
    expect(answerPhrases('  No way!  ')).toEqual({ opening: 'no way', closing: 'no way' });
    expect(answerPhrases('')).toEqual({ opening: null, closing: null });
    expect(answerPhrases('*** --- !!! 🙂')).toEqual({ opening: null, closing: null });
  });
});

describe('openingsAndClosings on labelled constructed data', () => {
  it('finds an opening B adds to half its answers, with the right sign and counts', () => {
    const data = constructed((p) => (p < 30 ? CERTAINLY : null));
    const { openings, closings } = run(data);
    expect(openings!.test).toBe('mcnemar-exact');
    const found = find(openings!.moreInB, 'certainly here are')!;
    expect(found).toMatchObject({ countA: 2, countB: 30 });
    expect(found.z).toBeGreaterThan(0);
    expect(found.qValue).toBeLessThan(0.05);
    expect(openings!.moreInA).toEqual([]);
    // Closings are "prompt n" for every answer: each in 2 answers, below the 5 needed.
    expect(closings).toMatchObject({ tested: 0, moreInA: [], moreInB: [] });
  });

  it('finds it with the opposite sign when A is the side that adds it', () => {
    const data = constructed((p) => (p < 30 ? CERTAINLY : null));
    data.sides = data.sides.map((s) => (s === 'A' ? 'B' : 'A'));
    const found = find(run(data).openings!.moreInA, 'certainly here are')!;
    expect(found).toMatchObject({ countA: 30, countB: 2 });
    expect(found.z).toBeLessThan(0);
    expect(found.qValue).toBeLessThan(0.05);
  });

  it('finds nothing when B is 3x longer but opens and closes like A', () => {
    // Both sides open 30 answers with "Certainly! Here are" and 10 with "Great question indeed".
    const same: Opener = (p) => (p < 30 ? CERTAINLY : p < 40 ? 'Great question indeed.' : null);
    const data = constructed(same, { opensA: same, lengthB: 5 });
    data.texts = data.texts.map((t) => `${t} I hope this helps.`);
    const r = run(data);
    expect(data.texts[1]!.length).toBeGreaterThan(2.5 * data.texts[0]!.length);
    expect(r.openings!.tested).toBe(2);
    expect(r.closings!.tested).toBe(1);
    expect(significant(r)).toEqual([]);
    // Identical openings on every prompt leave no discordant prompt: nothing leans either way.
    expect([...r.openings!.moreInA, ...r.openings!.moreInB]).toEqual([]);
  });

  it('tests several samples per prompt by the within-prompt permutation', () => {
    const data = constructed((p) => (p < 30 ? CERTAINLY : null), { samples: 2 });
    const { openings } = run(data, { seed: 3 });
    expect(openings!.test).toBe('permutation');
    const found = find(openings!.moreInB, 'certainly here are')!;
    expect(found).toMatchObject({ countA: 4, countB: 60 });
    expect(found.qValue).toBeLessThan(0.05);
  });

  it('ranks by q, then by the difference in answers, and keeps topK a side', () => {
    const data = constructed((p) =>
      p < 30 ? CERTAINLY : p < 40 ? 'Great question indeed.' : null,
    );
    const { openings } = run(data, { topK: 1 });
    expect(openings!.tested).toBe(2);
    expect(openings!.moreInB.map((p) => p.text)).toEqual(['certainly here are']);
    const all = run(data).openings!.moreInB;
    expect(all.map((p) => p.text)).toEqual(['certainly here are', 'great question indeed']);
    expect(all[0]!.qValue).toBeLessThanOrEqual(all[1]!.qValue);
  });

  it('handles empty and one-word answers and an unpaired design', () => {
    const data: Answers = { texts: [], promptIndex: [], sides: [] };
    for (let p = 0; p < 12; p++) {
      data.texts.push(p % 2 ? '' : 'Yes.', p < 8 ? 'No.' : '');
      data.promptIndex.push(p, p);
      data.sides.push('A', 'B');
    }
    const { openings, closings } = run(data);
    expect(find(openings!.moreInA, 'yes')).toMatchObject({ countA: 6, countB: 0 });
    expect(find(closings!.moreInB, 'no')).toMatchObject({ countA: 0, countB: 8 });
    expect(run({ texts: ['a', 'b'], promptIndex: [0, 1], sides: ['A', 'B'] })).toEqual({
      openings: null,
      closings: null,
    });
    expect(() => openingsAndClosings(pairedDesign([0, 0], ['A', 'B']), ['x'])).toThrow(
      /1 texts for 2 answers/,
    );
  });

  it('makes no discovery when the labels are a coin flip per prompt (seeded runs)', () => {
    const rng = createRng(7);
    const openers = ['Certainly! Here are', 'Sure, here is', 'I hope this', 'Of course! The'];
    let runsWithDiscovery = 0;
    for (let r = 0; r < 40; r++) {
      const data: Answers = { texts: [], promptIndex: [], sides: [] };
      for (let p = 0; p < 60; p++) {
        const pair = [0, 1].map(() => `${openers[Math.floor(rng.next() * 4)]} ${TOPICS[p % 30]}.`);
        const swap = rng.next() < 0.5;
        data.texts.push(...(swap ? pair.reverse() : pair));
        data.promptIndex.push(p, p);
        data.sides.push('A', 'B');
      }
      if (significant(run(data)).length > 0) runsWithDiscovery++;
    }
    // 5% of 40 runs plus three standard errors (3 * sqrt(0.05 * 0.95 * 40) = 4.1).
    expect(runsWithDiscovery).toBeLessThanOrEqual(6);
  });
});

const REAL = '../shared/data/alpaca_eval';
const A_FILE = `${REAL}/Meta-Llama-3-8B-Instruct.json`;
const B_FILE = `${REAL}/Llama-3-Instruct-8B-SimPO.json`;

describe.skipIf(!existsSync(A_FILE) || !existsSync(B_FILE))(
  'a real pair: Meta-Llama-3-8B-Instruct vs Llama-3-Instruct-8B-SimPO (skipped when ../shared/data is absent)',
  () => {
    it('counts each listed opening as a plain count of the answers does, in the same direction', () => {
      type Row = { instruction: string; output: string };
      const a = JSON.parse(readFileSync(A_FILE, 'utf8')) as Row[];
      const b = new Map(
        (JSON.parse(readFileSync(B_FILE, 'utf8')) as Row[]).map((r) => [r.instruction, r.output]),
      );
      const data: Answers = { texts: [], promptIndex: [], sides: [] };
      a.forEach((r, p) => {
        data.texts.push(r.output, b.get(r.instruction)!);
        data.promptIndex.push(p, p);
        data.sides.push('A', 'B');
      });
      // An independent count: split on anything that is not a letter, digit or apostrophe.
      const opening = (t: string) =>
        t
          .toLowerCase()
          .replace(/’/g, "'")
          .split(/[^\p{L}\p{N}']+/u)
          .map((w) => w.replace(/^'+|'+$/g, ''))
          .filter(Boolean)
          .slice(0, 3)
          .join(' ');
      const openingOf = data.texts.map(opening);
      const count = (side: Side, phrase: string) =>
        openingOf.filter((o, i) => data.sides[i] === side && o === phrase).length;

      const { openings } = run(data, { topK: 1000 });
      const listed = [...openings!.moreInA, ...openings!.moreInB];
      expect(listed.length).toBeGreaterThan(10);
      for (const p of listed) {
        expect({ text: p.text, countA: p.countA, countB: p.countB }).toEqual({
          text: p.text,
          countA: count('A', p.text),
          countB: count('B', p.text),
        });
        expect(Math.sign(p.z)).toBe(Math.sign(p.countB - p.countA));
      }
      // Llama-3 opens with "What a great question!" and "Here is a ..."; SimPO hardly does.
      const great = find(openings!.moreInA, 'what a great')!;
      expect(great.countA).toBeGreaterThan(5 * great.countB);
      expect(great.qValue).toBeLessThan(0.05);
    });
  },
);
