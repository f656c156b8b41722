import { describe, expect, it } from 'vitest';
import { blindFirst, blindPair, orderedPair, sideOf } from '../../src/lib/core/explain/blind-pairs';
import { excerpt, fence } from '../../src/lib/core/explain/fence';
import { jobKeys } from '../../src/lib/core/explain/job-keys';
import { judgementRequest } from '../../src/lib/core/explain/judge-prompt';
import {
  labelRequest,
  MAX_NAMED_MEMBERS,
  membersHash,
  propertyNameRequest,
} from '../../src/lib/core/explain/naming-prompts';
import {
  propertiesRepairRequest,
  propertiesRequest,
} from '../../src/lib/core/explain/property-prompt';
import {
  behaviourOf,
  hypothesisText,
  proposalRequest,
} from '../../src/lib/core/explain/proposal-prompt';
import type { DiscoveryEvidence, SupervisorRequest } from '../../src/lib/core/explain/types';

// Realistic answers written by hand (never copied from the shared data). COFFEE_* hold no
// standalone capital A or B, so a whole request can be searched for side letters.
const COFFEE_PROMPT = 'How do I make cold brew coffee at home?';
const COFFEE_LIST = [
  'Cold brew is easy to make at home.',
  '',
  '1. Coarsely grind 100 g of coffee beans.',
  '2. Stir the grounds into 1 litre of cold water in a jar.',
  '3. Cover and steep in the fridge for 12 to 18 hours.',
  '4. Strain through a paper filter and dilute 1:1 with water or milk.',
  '',
  'It keeps for about a week in the fridge.',
].join('\n');
const COFFEE_PROSE =
  'Sure! Cold brew just needs time. Mix coarse coffee grounds with cold water (roughly one part ' +
  'coffee to eight parts water), leave it in the fridge overnight, then strain it through a fine ' +
  "sieve or a coffee filter. Serve over ice. As an AI I can't taste it, but most people find it " +
  'smoother and less bitter than hot coffee.';
// A Python answer with a REPL session and a bare ">>>" line that would close a fence.
const PYTHON_PROMPT = 'What does the walrus operator do in Python?';
const PYTHON_ANSWER = [
  'A walrus operator (:=) assigns a value inside an expression:',
  '',
  '>>> if (n := len(items)) > 3:',
  '...     print(n)',
  '>>>',
  'It was added in Python 3.8.',
].join('\n');

/** Every message's content with the text between `<<<` and `>>>` lines removed. */
function outsideFences(request: SupervisorRequest): string {
  return request.messages
    .map((m) => m.content.replace(/^<<<\n[\s\S]*?\n>>>$/gm, '<<<>>>'))
    .join('\n');
}

/** The bodies of all fences of a message, in order. */
function fencedBodies(content: string): string[] {
  return [...content.matchAll(/^<<<\n([\s\S]*?)\n>>>$/gm)].map((m) => m[1]!);
}

const SIDE_WORDS = /\b[AB]\b|\b[Mm]odel [AaBb]\b/;
const SIDE_LETTERS = /\b[AB]\b/;

function expectWireShape(request: SupervisorRequest): void {
  expect(request.messages[0]!.role).toBe('system');
  expect(request.messages[0]!.content.split('\n')[0]).toBe(`TASK: ${request.step}`);
  expect(request.messages.at(-1)?.role).toBe('user');
  expect(request.messages.map((m) => m.content).join('\n')).not.toMatch(/model [ab]\b/i);
}

describe('excerpt', () => {
  it('leaves a text that fits unchanged', () => {
    expect(excerpt('short text', 10)).toBe('short text');
    expect(excerpt('', 0)).toBe('');
  });

  it('cuts before the word the limit falls in and counts what was left out', () => {
    // 'The quick brown fox jumps' is 25 characters; a limit of 12 falls inside "brown".
    expect(excerpt('The quick brown fox jumps', 12)).toBe('The quick [... 16 more characters]');
  });

  it('keeps a word that ends exactly at the limit', () => {
    expect(excerpt('The quick brown fox jumps', 15)).toBe(
      'The quick brown [... 10 more characters]',
    );
  });

  it('cuts inside a word longer than half the room rather than dropping it', () => {
    const url = 'see https://example.org/a/very/long/path/to/something';
    expect(excerpt(url, 20)).toBe(`see https://example. [... ${url.length - 20} more characters]`);
  });

  it('keeps only the marker when no character fits', () => {
    expect(excerpt('word', 0)).toBe('[... 4 more characters]');
  });
});

describe('fence', () => {
  it('writes the label, the opening line, the text and the closing line', () => {
    expect(fence('Prompt', 'Hi there')).toBe('Prompt:\n<<<\nHi there\n>>>');
  });

  it('writes a >>> line inside the text as > > > and keeps >>> that starts a longer line', () => {
    expect(fence('Answer 1', PYTHON_ANSWER)).toBe(
      [
        'Answer 1:',
        '<<<',
        'A walrus operator (:=) assigns a value inside an expression:',
        '',
        '>>> if (n := len(items)) > 3:',
        '...     print(n)',
        '> > >',
        'It was added in Python 3.8.',
        '>>>',
      ].join('\n'),
    );
    expect(fence('x', 'a\n  >>>  \nb')).toBe('x:\n<<<\na\n> > >\nb\n>>>');
  });

  it('makes Windows line endings plain and truncates before it escapes', () => {
    expect(fence('x', 'one\r\ntwo\rthree')).toBe('x:\n<<<\none\ntwo\nthree\n>>>');
    expect(fence('x', 'alpha beta gamma delta', 11)).toBe(
      'x:\n<<<\nalpha beta [... 12 more characters]\n>>>',
    );
  });
});

describe('blind pairs', () => {
  it('shows A first for about half of 1,000 prompts', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `p${i}`);
    const firstA = ids.filter((id) => blindFirst(7, id) === 'A').length;
    expect(firstA).toBeGreaterThanOrEqual(450);
    expect(firstA).toBeLessThanOrEqual(550);
  });

  it('is balanced for numeric ids and consecutive seeds too', () => {
    for (const seed of [0, 1, 2, 12345]) {
      const ids = Array.from({ length: 1000 }, (_, i) => String(i));
      const firstA = ids.filter((id) => blindFirst(seed, id) === 'A').length;
      expect(firstA).toBeGreaterThanOrEqual(450);
      expect(firstA).toBeLessThanOrEqual(550);
    }
  });

  it('is stable for a seed and prompt, and another seed reorders about half', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `prompt-${i}`);
    const once = ids.map((id) => blindFirst(42, id));
    expect(ids.map((id) => blindFirst(42, id))).toEqual(once);
    const changed = ids.filter((id, i) => blindFirst(43, id) !== once[i]).length;
    expect(changed).toBeGreaterThan(400);
    expect(changed).toBeLessThan(600);
  });

  it('puts the first side as answer 1 and maps answer numbers back to sides', () => {
    const ids = Array.from({ length: 40 }, (_, i) => `q${i}`);
    const pairs = ids.map((id) => blindPair(id, 'prompt', 'text of A', 'text of B', 3));
    expect(new Set(pairs.map((p) => p.first))).toEqual(new Set(['A', 'B']));
    for (const pair of pairs) {
      expect(pair.answers[0]).toBe(`text of ${pair.first}`);
      expect(pair.answers[1]).toBe(`text of ${sideOf(pair, 2)}`);
      expect(sideOf(pair, 1)).toBe(pair.first);
      expect(sideOf(pair, 2)).not.toBe(pair.first);
      expect(pair.first).toBe(blindFirst(3, pair.promptId));
    }
    expect(orderedPair('p', 'q', 'x', 'y', 'B')).toEqual({
      promptId: 'p',
      prompt: 'q',
      first: 'B',
      answers: ['y', 'x'],
    });
  });
});

describe('propertiesRequest', () => {
  const pair = orderedPair('p7', COFFEE_PROMPT, COFFEE_LIST, COFFEE_PROSE, 'B');

  it('sends the task, then the prompt and both answers fenced, in the blind order', () => {
    const request = propertiesRequest('ex1', pair, { maxAnswerChars: 5000 });
    expectWireShape(request);
    expect(request.key).toBe(jobKeys.properties('ex1', 'p7', 0));
    expect(request.step).toBe('properties');
    expect(request.maxTokens).toBe(600);
    expect(request.promptIds).toEqual(['p7']);
    expect(request.messages).toHaveLength(2);
    expect(request.messages[1]!.content).toBe(
      `Prompt:\n<<<\n${COFFEE_PROMPT}\n>>>\n\n` +
        `Answer 1:\n<<<\n${COFFEE_PROSE}\n>>>\n\n` +
        `Answer 2:\n<<<\n${COFFEE_LIST}\n>>>`,
    );
    expect(request.messages[0]!.content).toContain('{"properties": [{"property": ');
  });

  it('never names a side: no A or B, no model A/B, no model names', () => {
    const request = propertiesRequest('ex1', pair, { maxAnswerChars: 5000 });
    const all = request.messages.map((m) => m.content).join('\n');
    expect(all).not.toMatch(SIDE_WORDS);
    expect(all).not.toMatch(/gpt|llama|claude|qwen|mistral/i);
    // With answers that use "A" as a word, the instructions still hold no side letter.
    const python = orderedPair('p8', PYTHON_PROMPT, PYTHON_ANSWER, COFFEE_PROSE, 'A');
    const withArticle = propertiesRequest('ex1', python, { maxAnswerChars: 5000 });
    expect(outsideFences(withArticle)).not.toMatch(SIDE_LETTERS);
    expect(fencedBodies(withArticle.messages[1]!.content)).toEqual([
      PYTHON_PROMPT,
      PYTHON_ANSWER.replace('\n>>>\n', '\n> > >\n'),
      COFFEE_PROSE,
    ]);
  });

  it('cuts each answer, and the prompt, to maxAnswerChars unless a prompt limit is given', () => {
    const request = propertiesRequest('ex1', pair, { maxAnswerChars: 30 });
    const [prompt, one, two] = fencedBodies(request.messages[1]!.content);
    expect(prompt).toBe(excerpt(COFFEE_PROMPT, 30));
    // 'coffee' ends exactly at character 30, so it is kept; ' at home?' (9) is left out.
    expect(prompt).toBe('How do I make cold brew coffee [... 9 more characters]');
    expect(one).toBe(excerpt(COFFEE_PROSE, 30));
    expect(two).toBe(excerpt(COFFEE_LIST, 30));
    const promptKept = propertiesRequest('ex1', pair, { maxAnswerChars: 30, maxPromptChars: 500 });
    expect(fencedBodies(promptKept.messages[1]!.content)[0]).toBe(COFFEE_PROMPT);
  });

  it('repairs with the same task, the bad reply and a request for the JSON only, as attempt 1', () => {
    const original = propertiesRequest('ex|1', pair, { maxAnswerChars: 5000 });
    const bad = 'Here are the differences: answer 1 is prose, answer 2 is a list.';
    const repair = propertiesRepairRequest(original, bad, 'the reply holds no JSON');
    expectWireShape(repair);
    expect(repair.key).toBe(jobKeys.properties('ex|1', 'p7', 1));
    expect(repair.messages.slice(0, 2)).toEqual(original.messages);
    expect(repair.messages[2]).toEqual({ role: 'assistant', content: bad });
    expect(repair.messages[3]!.content).toMatch(
      /^Your reply could not be read: the reply holds no JSON\./,
    );
    expect(repair.messages[3]!.content).toContain('JSON object only');
    expect(repair.promptIds).toEqual(['p7']);
    expect(() => propertiesRepairRequest(repair, bad, 'again')).toThrow(/first properties request/);
  });
});

describe('property names and cluster labels', () => {
  it('hashes the members whatever their order, and a changed cluster differently', () => {
    const members = ['uses a numbered list', 'lists the steps', 'numbers each step'];
    const hash = membersHash(members);
    expect(hash).toMatch(/^[0-9a-f]{16}$/);
    expect(membersHash([...members].reverse())).toBe(hash);
    expect(membersHash(members.slice(0, 2))).not.toBe(hash);
    expect(membersHash(['ab', 'c'])).not.toBe(membersHash(['a', 'bc']));
  });

  it('asks for a name with one "- " line per member', () => {
    const members = ['uses a numbered list', 'numbers\neach step', 'lists the steps'];
    const request = propertyNameRequest('ex1', members);
    expectWireShape(request);
    expect(request.key).toBe(jobKeys.propertyName('ex1', membersHash(members)));
    expect(request.messages[1]!.content).toBe(
      'Properties:\n- uses a numbered list\n- numbers each step\n- lists the steps',
    );
    expect(request.promptIds).toEqual([]);
    const many = Array.from({ length: 50 }, (_, i) => `property ${i}`);
    const capped = propertyNameRequest('ex1', many).messages[1]!.content.split('\n');
    expect(capped).toHaveLength(1 + MAX_NAMED_MEMBERS);
    expect(propertyNameRequest('ex1', many).key).toBe(
      jobKeys.propertyName('ex1', membersHash(many)),
    );
  });

  it('asks for a label from the terms line and numbered answer fences', () => {
    const request = labelRequest('an1', 4, {
      terms: ['coffee', 'brew', 'grounds'],
      answers: [
        { promptId: 'p1', text: COFFEE_LIST },
        { promptId: 'p2', text: COFFEE_PROSE },
        { promptId: 'p1', text: 'Use a French press.' },
      ],
      maxAnswerChars: 40,
    });
    expectWireShape(request);
    expect(request.key).toBe(jobKeys.label('an1', 4));
    expect(request.messages[1]!.content).toBe(
      'Terms: coffee, brew, grounds\n\n' +
        `Answer 1:\n<<<\n${excerpt(COFFEE_LIST, 40)}\n>>>\n\n` +
        `Answer 2:\n<<<\n${excerpt(COFFEE_PROSE, 40)}\n>>>\n\n` +
        'Answer 3:\n<<<\nUse a French press.\n>>>',
    );
    expect(request.promptIds).toEqual(['p1', 'p2']);
  });
});

const EVIDENCE: DiscoveryEvidence = {
  nPrompts: 60,
  properties: [
    {
      name: 'Numbered lists',
      definition: 'The answer sets out its points as a numbered list.',
      shareA: 0.1,
      shareB: 0.45,
    },
  ],
  clusters: [
    {
      cluster: 2,
      label: 'Coffee recipes',
      terms: ['coffee', 'brew'],
      countA: 3,
      countB: 11,
      exemplarsA: [COFFEE_PROSE],
      exemplarsB: [COFFEE_LIST],
    },
  ],
  detectors: [{ name: 'ai_disclaimers', shareA: 0.2, shareB: 0.05 }],
  words: [],
  openings: [{ phrase: 'Sure!', countA: 14, countB: 2 }],
  divergent: [
    { promptId: 'p9', prompt: COFFEE_PROMPT, answerA: COFFEE_PROSE, answerB: COFFEE_LIST },
    { promptId: 'p9', prompt: COFFEE_PROMPT, answerA: 'x', answerB: 'y' },
  ],
};

describe('proposalRequest', () => {
  it('opens with the count asked for and calls the sides BEFORE and AFTER only', () => {
    const request = proposalRequest('ex1', EVIDENCE, 3, { maxAnswerChars: 2000 });
    expectWireShape(request);
    expect(request.key).toBe(jobKeys.proposals('ex1'));
    const user = request.messages[1]!.content;
    expect(user.split('\n')[0]).toBe('Propose up to 3 hypotheses.');
    expect(user).toContain('Prompts compared: 60.');
    expect(user).toContain(
      '- Numbered lists: The answer sets out its points as a numbered list. (BEFORE 10%, AFTER 45%)',
    );
    expect(user).toContain(
      'Cluster 2 "Coffee recipes" (terms: coffee, brew): BEFORE answers 3, AFTER answers 11',
    );
    expect(user).toContain(`BEFORE example 1:\n<<<\n${COFFEE_PROSE}\n>>>`);
    expect(user).toContain(`AFTER example 1:\n<<<\n${COFFEE_LIST}\n>>>`);
    expect(user).toContain('- ai_disclaimers: BEFORE 20%, AFTER 5.0%');
    expect(user).toContain('- "Sure!": BEFORE 14, AFTER 2');
    expect(user).toContain(`BEFORE answer 1:\n<<<\n${COFFEE_PROSE}\n>>>`);
    expect(user).not.toContain('Words (');
    expect(outsideFences(request)).not.toMatch(SIDE_WORDS);
    expect(request.promptIds).toEqual(['p9']);
    expect(request.maxTokens).toBe(60 + 40 * 3);
  });

  it('cuts every quoted text to maxAnswerChars', () => {
    const request = proposalRequest('ex1', EVIDENCE, 2, { maxAnswerChars: 25 });
    for (const body of fencedBodies(request.messages[1]!.content)) {
      expect(body.replace(/ ?\[\.\.\. \d+ more characters\]$/, '').length).toBeLessThanOrEqual(25);
    }
  });
});

describe('hypothesis texts', () => {
  it('wraps a behaviour and strips the wrapping for the judge', () => {
    expect(hypothesisText('use numbered lists')).toBe(
      'Compared with A, B more often use numbered lists.',
    );
    expect(hypothesisText(' state that they are an AI. ')).toBe(
      'Compared with A, B more often state that they are an AI.',
    );
    expect(behaviourOf(hypothesisText('use numbered lists'))).toBe('use numbered lists');
  });

  it("strips a user's own B wording, and leaves any other text as it is", () => {
    expect(behaviourOf('B uses more bullet points.')).toBe('uses more bullet points');
    expect(behaviourOf('Model B more often refuses.')).toBe('refuses');
    expect(behaviourOf('Compared to model A, model B asks follow-up questions')).toBe(
      'asks follow-up questions',
    );
    expect(behaviourOf('Answers end with a question.')).toBe('Answers end with a question.');
    expect(behaviourOf('Bold headings everywhere')).toBe('Bold headings everywhere');
  });
});

describe('judgementRequest', () => {
  it('fences the description, then the prompt and the answers, keyed by the side shown first', () => {
    const aFirst = orderedPair('p3', COFFEE_PROMPT, COFFEE_LIST, COFFEE_PROSE, 'A');
    const bFirst = orderedPair('p3', COFFEE_PROMPT, COFFEE_LIST, COFFEE_PROSE, 'B');
    const behaviour = behaviourOf(hypothesisText('use numbered lists'));
    const one = judgementRequest('h1', behaviour, aFirst, { maxAnswerChars: 5000 });
    const two = judgementRequest('h1', behaviour, bFirst, { maxAnswerChars: 5000 });
    for (const request of [one, two]) {
      expectWireShape(request);
      expect(request.maxTokens).toBe(5);
      expect(request.promptIds).toEqual(['p3']);
      expect(request.messages.map((m) => m.content).join('\n')).not.toMatch(SIDE_WORDS);
    }
    expect(one.key).toBe(jobKeys.judgement('h1', 'p3', 'A'));
    expect(two.key).toBe(jobKeys.judgement('h1', 'p3', 'B'));
    expect(one.messages[1]!.content).toBe(
      'Description:\n<<<\nuse numbered lists\n>>>\n\n' +
        `Prompt:\n<<<\n${COFFEE_PROMPT}\n>>>\n\n` +
        `Answer 1:\n<<<\n${COFFEE_LIST}\n>>>\n\n` +
        `Answer 2:\n<<<\n${COFFEE_PROSE}\n>>>`,
    );
    expect(fencedBodies(two.messages[1]!.content).slice(2)).toEqual([COFFEE_PROSE, COFFEE_LIST]);
  });

  it('keeps its instructions free of side letters when the answers use "A" as a word', () => {
    const pair = orderedPair('p4', PYTHON_PROMPT, PYTHON_ANSWER, COFFEE_PROSE, 'B');
    const request = judgementRequest('h2', 'explain with an example', pair, {
      maxAnswerChars: 5000,
    });
    expect(outsideFences(request)).not.toMatch(SIDE_LETTERS);
  });
});
