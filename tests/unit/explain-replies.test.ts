import { describe, expect, it } from 'vitest';
import {
  balancedAt,
  dropTrailingCommas,
  readJsonReply,
} from '../../src/lib/core/explain/json-reply';
import { parseVerdict } from '../../src/lib/core/explain/judge-prompt';
import {
  MAX_DESCRIPTION_CHARS,
  MAX_LABEL_CHARS,
  parseLabelReply,
  parseNameReply,
} from '../../src/lib/core/explain/naming-prompts';
import { parsePropertiesReply } from '../../src/lib/core/explain/property-prompt';
import { parseProposalReply } from '../../src/lib/core/explain/proposal-prompt';
import type { Parsed } from '../../src/lib/core/explain/types';

/** The value of a reply that must parse; fails the test with the reason otherwise. */
function valueOf<T>(parsed: Parsed<T>): { value: T; repaired: boolean } {
  if (!parsed.ok) throw new Error(`expected a parsed reply, got: ${parsed.reason}`);
  return { value: parsed.value, repaired: parsed.repaired };
}

/** The reason of a reply that must fail. */
function reasonOf<T>(parsed: Parsed<T>): string {
  if (parsed.ok) throw new Error(`expected a failure, got ${JSON.stringify(parsed.value)}`);
  return parsed.reason;
}

describe('the JSON reading', () => {
  it('drops trailing commas outside strings only', () => {
    expect(dropTrailingCommas('{"a": [1, 2,], "b": "x,}",}')).toBe('{"a": [1, 2], "b": "x,}"}');
  });

  it('finds the balanced object at a position, ignoring brackets in strings', () => {
    const text = 'see {"a": "}{", "b": {"c": [1]}} after';
    expect(balancedAt(text, 4)).toBe('{"a": "}{", "b": {"c": [1]}}');
    expect(balancedAt('{"a": 1', 0)).toBeNull();
  });

  it('skips a brace in prose before the JSON it wants', () => {
    const read = readJsonReply(
      'Use {braces} carefully. {"ok": true}',
      (v) => typeof v === 'object' && v !== null && 'ok' in v,
      'an ok object',
    );
    expect(read).toEqual({ ok: true, value: { ok: true }, repaired: true });
  });
});

describe('parsePropertiesReply', () => {
  it('reads a strict reply as not repaired', () => {
    const reply =
      '{"properties": [{"property": "uses a numbered list", "answer": 1}, ' +
      '{"property": "states it is an AI", "answer": 2}]}';
    expect(valueOf(parsePropertiesReply(reply))).toEqual({
      value: [
        { text: 'uses a numbered list', answer: 1 },
        { text: 'states it is an AI', answer: 2 },
      ],
      repaired: false,
    });
  });

  it('accepts an empty list as "no differences"', () => {
    expect(valueOf(parsePropertiesReply('{"properties": []}'))).toEqual({
      value: [],
      repaired: false,
    });
  });

  it('strips a code fence and marks the reply repaired', () => {
    const reply = [
      '```json',
      '{',
      '  "properties": [',
      '    {"property": "gives exact quantities", "answer": 2}',
      '  ]',
      '}',
      '```',
    ].join('\n');
    expect(valueOf(parsePropertiesReply(reply))).toEqual({
      value: [{ text: 'gives exact quantities', answer: 2 }],
      repaired: true,
    });
  });

  it('takes the JSON out of prose around it, with trailing commas dropped', () => {
    const reply =
      'Sure! Comparing the two answers, here is what I found:\n\n' +
      '{"properties": [\n  {"property": "opens with \\"Sure!\\"", "answer": 1},\n' +
      '  {"property": "uses a numbered list", "answer": 2},\n]}\n\n' +
      'Let me know if you need anything else {happy to help}.';
    expect(valueOf(parsePropertiesReply(reply))).toEqual({
      value: [
        { text: 'opens with "Sure!"', answer: 1 },
        { text: 'uses a numbered list', answer: 2 },
      ],
      repaired: true,
    });
  });

  it('reads "1" and "Answer 2" as answer numbers (repaired)', () => {
    const reply =
      '{"properties": [{"property": "is shorter", "answer": "1"}, ' +
      '{"property": "adds a safety warning", "answer": "Answer 2"}]}';
    expect(valueOf(parsePropertiesReply(reply))).toEqual({
      value: [
        { text: 'is shorter', answer: 1 },
        { text: 'adds a safety warning', answer: 2 },
      ],
      repaired: true,
    });
  });

  it('drops items with the wrong answer label or no property, keeping the rest', () => {
    const reply = JSON.stringify({
      properties: [
        { property: 'uses headings', answer: 'A' },
        { property: 'cites a source', answer: 3 },
        { property: '   ', answer: 1 },
        { property: 'asks a follow-up question', answer: 2 },
        { property: 'uses headings', answer: 'both' },
      ],
    });
    expect(valueOf(parsePropertiesReply(reply))).toEqual({
      value: [{ text: 'asks a follow-up question', answer: 2 }],
      repaired: true,
    });
  });

  it('fails, saying why, when items were listed and none names answer 1 or 2', () => {
    const reply = JSON.stringify({
      properties: [
        { property: 'is more formal', answer: 'A' },
        { property: 'is shorter', answer: 'B' },
        { property: 'uses emoji' },
      ],
    });
    expect(reasonOf(parsePropertiesReply(reply))).toBe(
      'none of the 3 properties names answer 1 or 2 with a property (answer "A", answer "B", no answer)',
    );
  });

  it('keeps an exact repeat once and collapses whitespace', () => {
    const reply =
      '{"properties": [{"property": "uses a  numbered\\nlist", "answer": 1}, ' +
      '{"property": "Uses a numbered list", "answer": 1}, {"property": "uses a numbered list", "answer": 2}]}';
    expect(valueOf(parsePropertiesReply(reply)).value).toEqual([
      { text: 'uses a numbered list', answer: 1 },
      { text: 'uses a numbered list', answer: 2 },
    ]);
  });

  it('reads a verbose reply that thinks aloud before the JSON', () => {
    const reply =
      '<think>Answer 1 is a list of steps; answer 2 is a paragraph and mentions being an AI. ' +
      'The JSON should be {"properties": ...}</think>\n' +
      '{"properties": [{"property": "breaks the method into numbered steps", "answer": 1}, ' +
      '{"property": "says it is an AI that cannot taste", "answer": 2}]}';
    expect(valueOf(parsePropertiesReply(reply))).toEqual({
      value: [
        { text: 'breaks the method into numbered steps', answer: 1 },
        { text: 'says it is an AI that cannot taste', answer: 2 },
      ],
      repaired: false,
    });
  });

  it('takes a bare list of items as repaired', () => {
    const reply = 'Here you go: [{"property": "is shorter", "answer": 2}]';
    expect(valueOf(parsePropertiesReply(reply))).toEqual({
      value: [{ text: 'is shorter', answer: 2 }],
      repaired: true,
    });
  });

  it('fails on an empty reply, a refusal, prose without JSON and a cut-off JSON', () => {
    expect(reasonOf(parsePropertiesReply(''))).toBe('the reply is empty');
    expect(reasonOf(parsePropertiesReply('  \n '))).toBe('the reply is empty');
    expect(reasonOf(parsePropertiesReply("I can't help with that."))).toBe(
      'the supervisor declined: "I can\'t help with that."',
    );
    expect(reasonOf(parsePropertiesReply("I'm sorry, but I can't compare these answers."))).toMatch(
      /^the supervisor declined/,
    );
    expect(
      reasonOf(
        parsePropertiesReply('Answer 1 uses a numbered list while answer 2 is one paragraph.'),
      ),
    ).toBe(
      'the reply holds no JSON (it begins "Answer 1 uses a numbered list while answer 2 is one paragraph.")',
    );
    expect(
      reasonOf(parsePropertiesReply('{"properties": [{"property": "uses a numbered list", "answ')),
    ).toMatch(/cut off/);
  });

  it('fails on JSON of another shape', () => {
    expect(reasonOf(parsePropertiesReply('{"differences": ["lists"]}'))).toBe(
      'the reply\'s JSON is not an object with a "properties" list',
    );
  });
});

describe('parseNameReply and parseLabelReply', () => {
  it('reads a strict name reply', () => {
    expect(
      valueOf(
        parseNameReply(
          '{"name": "Numbered lists", "definition": "The answer sets out its points as a numbered list."}',
        ),
      ),
    ).toEqual({
      value: {
        name: 'Numbered lists',
        definition: 'The answer sets out its points as a numbered list.',
      },
      repaired: false,
    });
  });

  it('cuts a long label to 60 characters on a word and a description to its first sentence', () => {
    const longLabel =
      'Step-by-step instructions with numbered lists, quantities and timings for home cooks';
    const reply = JSON.stringify({
      label: longLabel,
      description:
        'Answers that walk through a recipe one numbered step at a time. They also give quantities.',
    });
    const { value } = valueOf(parseLabelReply(reply));
    expect(value.label).toBe('Step-by-step instructions with numbered lists, quantities');
    expect(value.label.length).toBeLessThanOrEqual(MAX_LABEL_CHARS);
    expect(value.description).toBe(
      'Answers that walk through a recipe one numbered step at a time.',
    );
  });

  it('cuts a description with no sentence end to 200 characters', () => {
    const description = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');
    const { value } = valueOf(parseLabelReply(JSON.stringify({ label: 'X', description })));
    expect(value.description.length).toBeLessThanOrEqual(MAX_DESCRIPTION_CHARS);
    expect(description.startsWith(value.description)).toBe(true);
    expect(description[value.description.length]).toBe(' ');
  });

  it('drops quotes and a final period from a label', () => {
    const reply =
      '```json\n{"label": "\\"Coffee recipes.\\"", "description": "Brewing coffee."}\n```';
    expect(valueOf(parseLabelReply(reply))).toEqual({
      value: { label: 'Coffee recipes', description: 'Brewing coffee.' },
      repaired: true,
    });
  });

  it('reads "Name:"/"Definition:" lines from a small model as repaired', () => {
    const reply =
      '**Name:** Safety warnings\n**Definition:** The answer warns about a risk before helping.';
    expect(valueOf(parseNameReply(reply))).toEqual({
      value: {
        name: 'Safety warnings',
        definition: 'The answer warns about a risk before helping.',
      },
      repaired: true,
    });
  });

  it('fails without a name, on an empty reply and on a refusal', () => {
    expect(reasonOf(parseNameReply('{"definition": "Answers with lists."}'))).toBe(
      'the reply\'s JSON is not an object with a "name"',
    );
    expect(reasonOf(parseNameReply('{"name": "  ", "definition": "x"}'))).toMatch(/"name"/);
    expect(reasonOf(parseLabelReply(''))).toBe('the reply is empty');
    expect(reasonOf(parseLabelReply('I cannot label these answers.'))).toMatch(
      /^the supervisor declined/,
    );
    // A label reply is not a name reply: the wrong key is not taken for the right one.
    expect(reasonOf(parseNameReply('{"label": "Lists", "description": "x"}'))).toMatch(/"name"/);
  });
});

describe('parseProposalReply', () => {
  it('reads a strict reply', () => {
    expect(
      valueOf(
        parseProposalReply('{"hypotheses": ["use numbered lists", "refuse and explain why"]}', 5),
      ),
    ).toEqual({ value: ['use numbered lists', 'refuse and explain why'], repaired: false });
  });

  it('trims, strips lead-ins and final periods, lowers a capital, and keeps repeats once', () => {
    const reply = JSON.stringify({
      hypotheses: [
        '  Use numbered lists. ',
        'more often use numbered lists',
        'The AFTER answers more often state that they are an AI',
        'Compared with the BEFORE answers, the AFTER answers give shorter answers.',
        'AI disclaimers open the answer',
        '',
      ],
    });
    expect(valueOf(parseProposalReply(reply, 10))).toEqual({
      value: [
        'use numbered lists',
        'state that they are an AI',
        'give shorter answers',
        'AI disclaimers open the answer',
      ],
      repaired: true,
    });
  });

  it('returns at most n', () => {
    const reply = '{"hypotheses": ["use lists", "use headings", "use bold", "use tables"]}';
    expect(valueOf(parseProposalReply(reply, 2)).value).toEqual(['use lists', 'use headings']);
  });

  it('reads objects and prose around a fenced reply as repaired', () => {
    const reply =
      'Based on the evidence, here are my hypotheses:\n```json\n' +
      '{"hypotheses": [{"hypothesis": "ask a follow-up question"}, "use emoji",]}\n```\nHope this helps!';
    expect(valueOf(parseProposalReply(reply, 5))).toEqual({
      value: ['ask a follow-up question', 'use emoji'],
      repaired: true,
    });
  });

  it('fails on empty, refusing, list-less and unusable replies', () => {
    expect(reasonOf(parseProposalReply('', 3))).toBe('the reply is empty');
    expect(reasonOf(parseProposalReply('I won’t speculate about these models.', 3))).toMatch(
      /^the supervisor declined/,
    );
    expect(reasonOf(parseProposalReply('1. use numbered lists\n2. are shorter', 3))).toMatch(
      /^the reply holds no JSON/,
    );
    expect(reasonOf(parseProposalReply('{"hypotheses": [3, null, ""]}', 3))).toBe(
      'none of the 3 hypotheses is a usable text',
    );
    expect(valueOf(parseProposalReply('{"hypotheses": []}', 3)).value).toEqual([]);
    // A list that is a field of another object is not taken for a bare reply.
    expect(reasonOf(parseProposalReply('{"ideas": ["use lists"]}', 3))).toBe(
      'the reply\'s JSON is not an object with a "hypotheses" list',
    );
    expect(valueOf(parseProposalReply('["use lists", "use headings"]', 3))).toEqual({
      value: ['use lists', 'use headings'],
      repaired: true,
    });
  });
});

describe('parseVerdict', () => {
  it('reads the first word 1, 2 or neither, past markdown and an "Answer" lead', () => {
    expect(parseVerdict('1')).toBe(1);
    expect(parseVerdict('2')).toBe(2);
    expect(parseVerdict(' 2.\n')).toBe(2);
    expect(parseVerdict('**1**')).toBe(1);
    expect(parseVerdict('Answer 2')).toBe(2);
    expect(parseVerdict('Answer: 1 — it uses a numbered list.')).toBe(1);
    expect(parseVerdict('2 because it lists the steps')).toBe(2);
    expect(parseVerdict('Neither.')).toBe('neither');
    expect(parseVerdict('neither')).toBe('neither');
    expect(parseVerdict('Both')).toBe('neither');
    expect(parseVerdict('none')).toBe('neither');
  });

  it('reads a JSON verdict and a verdict after a reasoning block', () => {
    expect(parseVerdict('{"answer": 1}')).toBe(1);
    expect(parseVerdict('{"answer": "2"}')).toBe(2);
    expect(parseVerdict('```json\n{"answer": "neither"}\n```')).toBe('neither');
    expect(parseVerdict('<think>answer 2 has the list</think>\n2')).toBe(2);
  });

  it('never guesses: prose, other numbers, two answers, empty', () => {
    expect(parseVerdict('I think both are fine')).toBe('unparseable');
    expect(parseVerdict('3')).toBe('unparseable');
    expect(parseVerdict('')).toBe('unparseable');
    expect(parseVerdict('   ')).toBe('unparseable');
    expect(parseVerdict('The second answer fits better.')).toBe('unparseable');
    expect(parseVerdict('1 and 2 both use lists')).toBe('unparseable');
    expect(parseVerdict('1 or 2')).toBe('unparseable');
    expect(parseVerdict('12')).toBe('unparseable');
    expect(parseVerdict('1.5')).toBe('unparseable');
    expect(parseVerdict('A')).toBe('unparseable');
    expect(parseVerdict('{"answer": 3}')).toBe('unparseable');
    expect(parseVerdict('{"answer": 1')).toBe('unparseable');
    expect(parseVerdict("I'm sorry, I can't judge this.")).toBe('unparseable');
  });
});
