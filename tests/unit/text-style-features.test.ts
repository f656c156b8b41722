import { describe, expect, it } from 'vitest';
import {
  STYLE_FEATURE_NAMES,
  readableFeatureName,
  styleFeatureColumns,
  styleFeatures,
} from '../../src/lib/core/text/style-features';

describe('style features', () => {
  it('has the required feature names', () => {
    expect(STYLE_FEATURE_NAMES).toEqual([
      'length_words',
      'list_items',
      'headings',
      'code_blocks',
      'questions',
      'refusals',
      'hedges',
      'first_person',
      'emoji',
      'pushback',
      'ai_disclaimers',
      'repeats_prompt',
      'question_only',
      'very_short',
      'repetition_loops',
      'other_language',
      'paragraphs',
      'bold',
      'numbered_items',
      'tables',
    ]);
  });

  it('counts markdown structure, ignoring what is inside code fences', () => {
    const text = [
      '# Title',
      'Intro line?',
      '',
      'Sub title',
      '=========',
      '- one',
      '* two',
      '  3. three',
      '10) ten',
      '```python',
      '# not a heading',
      '- not an item',
      'print("maybe?")  # I think',
      '```',
      '~~~',
      'unclosed block',
    ].join('\n');
    const f = styleFeatures(text);
    expect(f.headings).toBe(2);
    expect(f.list_items).toBe(4);
    expect(f.code_blocks).toBe(2);
    expect(f.questions).toBe(1);
    expect(f.hedges).toBe(0);
    expect(f.first_person).toBe(0);
  });

  it('counts refusals, hedges, first person, questions and emoji by hand', () => {
    const f = styleFeatures(
      "I'm sorry, but I can’t help with that. As an AI, I might be wrong; perhaps ask someone? Really?! 😀👍🏽 🇫🇷 ©",
    );
    // refusals mark the answer (it declines), however many decline phrases it holds
    expect(f.refusals).toBe(1);
    expect(f.ai_disclaimers).toBe(1);
    // hedges: "might", "perhaps"
    expect(f.hedges).toBe(2);
    // first person: i'm, i, i
    expect(f.first_person).toBe(3);
    expect(f.questions).toBe(2);
    // 😀, 👍🏽 (with skin tone), 🇫🇷 (flag); © alone is a text symbol
    expect(f.emoji).toBe(3);
    expect(styleFeatures('👨‍👩‍👧 family').emoji).toBe(1); // ZWJ sequence = one emoji
  });

  it('counts words and does not match phrases inside words', () => {
    const f = styleFeatures('Mayonnaise is primarily oil. Items: mighty, tiny.');
    expect(f.length_words).toBe(7);
    expect(f.hedges).toBe(0);
    expect(f.refusals).toBe(0);
    expect(styleFeatures('').length_words).toBe(0);
  });

  it('builds one column per feature', () => {
    const cols = styleFeatureColumns(['a b c', 'I think so?']);
    expect(Array.from(cols.length_words)).toEqual([3, 3]);
    expect(Array.from(cols.hedges)).toEqual([0, 1]);
    expect(Array.from(cols.questions)).toEqual([0, 1]);
  });
});

describe('readableFeatureName', () => {
  it('names every style feature in words, and keeps other feature names as they are', () => {
    for (const name of STYLE_FEATURE_NAMES) {
      expect(readableFeatureName(name)).not.toBe(name);
      expect(readableFeatureName(name)).toMatch(/^[A-Z][\w (),-]+$/);
    }
    expect(readableFeatureName('length_words')).toBe('Answer length (words)');
    expect(readableFeatureName('length_tokens')).toBe('length_tokens');
  });
});
