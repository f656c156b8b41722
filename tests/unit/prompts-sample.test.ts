import { describe, expect, it } from 'vitest';
import { BUILTIN_PROMPT_SET, samplePrompts } from '../../src/lib/core/prompts';
import type { Prompt } from '../../src/lib/core/run/types';

const { prompts } = BUILTIN_PROMPT_SET;
const ids = (list: Prompt[]) => list.map((p) => p.id);

describe('samplePrompts', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = samplePrompts(prompts, 20, 7);
    const b = samplePrompts(prompts, 20, 7);
    expect(ids(a.prompts)).toEqual(ids(b.prompts));
    expect(a.warnings).toEqual([]);
    expect(ids(samplePrompts(prompts, 20, 8).prompts)).not.toEqual(ids(a.prompts));
  });

  it('returns n distinct prompts of the set, in their original order', () => {
    for (const n of [1, 5, 30, 97]) {
      const { prompts: chosen } = samplePrompts(prompts, n, 123);
      expect(chosen).toHaveLength(n);
      expect(new Set(ids(chosen)).size).toBe(n);
      const positions = chosen.map((p) => prompts.indexOf(p));
      expect(positions.every((pos) => pos >= 0)).toBe(true);
      expect(positions).toEqual([...positions].sort((x, y) => x - y));
    }
  });

  it('spreads choices over the whole set across seeds', () => {
    const seen = new Set<string>();
    for (let seed = 0; seed < 200; seed++) {
      for (const p of samplePrompts(prompts, 10, seed).prompts) seen.add(p.id);
    }
    expect(seen.size).toBe(prompts.length);
  });

  it('returns everything, with a warning, when n is larger than the set', () => {
    const small = prompts.slice(0, 3);
    const { prompts: all, warnings } = samplePrompts(small, 10, 1);
    expect(all).toEqual(small);
    expect(all).not.toBe(small);
    expect(warnings).toEqual([
      'Asked for 10 prompts but the set has only 3; all of them are used.',
    ]);
    expect(samplePrompts(small, 3, 1)).toEqual({ prompts: small, warnings: [] });
  });

  it('refuses an n that is not a whole number of at least 1', () => {
    for (const n of [0, -1, 1.5, Number.NaN]) {
      expect(() => samplePrompts(prompts, n, 1)).toThrow(RangeError);
    }
  });
});
