import { describe, expect, it } from 'vitest';
import {
  BUILTIN_CATEGORIES,
  BUILTIN_PROMPT_SET,
  DEMO_PROMPT_IDS,
  DEMO_PROMPT_SET,
} from '../../src/lib/core/prompts';

const { info, prompts } = BUILTIN_PROMPT_SET;

describe('built-in prompt set', () => {
  it('is a built-in set of about 100 prompts', () => {
    expect(info.source).toBe('builtin');
    expect(info.id).toBe('builtin-v1');
    expect(prompts.length).toBeGreaterThanOrEqual(90);
    expect(prompts.length).toBeLessThanOrEqual(110);
  });

  it('has unique, stable ids of the form <category>-NN', () => {
    const ids = prompts.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of prompts) expect(p.id).toMatch(new RegExp(`^${p.category}-\\d{2}$`));
    expect(prompts[0]).toEqual({
      id: 'advice-01',
      text: 'How can I get better at waking up early?',
      category: 'advice',
    });
  });

  it('has every category with at least 10 prompts, and no others', () => {
    const counts = new Map<string, number>();
    for (const p of prompts) counts.set(p.category ?? '', (counts.get(p.category ?? '') ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual([...BUILTIN_CATEGORIES].sort());
    for (const category of BUILTIN_CATEGORIES) {
      expect(counts.get(category), category).toBeGreaterThanOrEqual(10);
    }
  });

  it('has no empty, untrimmed or repeated texts, and keeps prompts short', () => {
    const texts = prompts.map((p) => p.text);
    expect(new Set(texts).size).toBe(texts.length);
    for (const text of texts) {
      expect(text.trim()).toBe(text);
      expect(text.length).toBeGreaterThan(5);
      expect(text.length).toBeLessThanOrEqual(100);
      expect(text).not.toMatch(/\n/);
    }
  });

  it('is frozen so no caller can change it for everyone', () => {
    expect(Object.isFrozen(BUILTIN_PROMPT_SET.prompts)).toBe(true);
    expect(Object.isFrozen(BUILTIN_PROMPT_SET.prompts[0])).toBe(true);
    expect(() => BUILTIN_PROMPT_SET.prompts.push({ id: 'x', text: 'x' })).toThrow(TypeError);
  });
});

describe('demo prompts', () => {
  it('are about 12 existing, short prompts across at least five categories', () => {
    const byId = new Map(prompts.map((p) => [p.id, p]));
    expect(DEMO_PROMPT_IDS.length).toBeGreaterThanOrEqual(10);
    expect(DEMO_PROMPT_IDS.length).toBeLessThanOrEqual(14);
    expect(new Set(DEMO_PROMPT_IDS).size).toBe(DEMO_PROMPT_IDS.length);
    for (const id of DEMO_PROMPT_IDS) {
      expect(byId.has(id), id).toBe(true);
      expect(byId.get(id)!.text.length, id).toBeLessThanOrEqual(60);
    }
    const categories = new Set(DEMO_PROMPT_IDS.map((id) => byId.get(id)!.category));
    expect(categories.size).toBeGreaterThanOrEqual(5);
  });

  it('form their own set in built-in order', () => {
    expect(DEMO_PROMPT_SET.info.source).toBe('builtin');
    expect(DEMO_PROMPT_SET.info.id).not.toBe(info.id);
    expect(DEMO_PROMPT_SET.prompts.map((p) => p.id)).toEqual(
      prompts.filter((p) => DEMO_PROMPT_IDS.includes(p.id)).map((p) => p.id),
    );
    expect(DEMO_PROMPT_SET.prompts).toHaveLength(DEMO_PROMPT_IDS.length);
  });
});
