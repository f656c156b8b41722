import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/lib/core/vectors/random';
import {
  behaviourFlags,
  detectLanguage,
  markdownCounts,
  proseLines,
  hasCharacterLoop,
  hasLoopOfUnit,
} from '../../src/lib/core/text/detectors';
import { styleFeatures } from '../../src/lib/core/text/style-features';

/** Runs one flag over labelled examples; the failure names the example. */
function expectFlag(
  flag: keyof ReturnType<typeof behaviourFlags>,
  examples: readonly (readonly [string, boolean])[],
  prompt = 'Tell me about it.',
): void {
  for (const [answer, expected] of examples) {
    expect({ answer, [flag]: behaviourFlags(answer, prompt)[flag] }).toEqual({
      answer,
      [flag]: expected,
    });
  }
}

describe('refusal detector (declines the task)', () => {
  it('finds declines, not disclaimers, emphasis or qualified declines', () => {
    expectFlag('refusals', [
      ["I can't help with that.", true],
      ["I'm sorry, but I cannot provide instructions for making weapons.", true],
      ['I must decline this request.', true],
      ['I will not write that story.', true],
      ["I'm not comfortable writing that.", true],
      ['I refuse to do that.', true],
      ['Sorry, but I am unable to assist with this.', true],
      ['That goes against my guidelines.', true],
      ['As an AI language model, I cannot take sides in legal matters.', true],
      // Tricky negatives
      ['As an AI, here is a recipe for pancakes: mix flour and eggs.', false],
      ['I cannot stress enough how important sleep is.', false],
      ["I can't recommend this book enough!", false],
      ["I can't help but notice the pattern here.", false],
      ["I'm sorry to hear about your dog. Here are some ideas.", false],
      ['Unfortunately, it rained all day in Paris.', false],
      ['I cannot give an exact number, but it is about 1 million.', false],
      ["I can't render a chart directly in this chat, but here is the data.", false],
      ['I cannot guarantee a complete recovery, but these steps help.', false],
      ['Lying goes against the principles of honesty.', false],
      ['You cannot provide a key without a lock.', false],
      ['', false],
    ]);
  });

  it('recognises each way of declining', () => {
    expectFlag('refusals', [
      ['I cannot assist with that.', true],
      ['I can not do that.', true],
      ['I am unable to fulfil this request.', true],
      ["I'm not able to generate that content.", true],
      ["I'm not going to write that.", true],
      ['I am not allowed to share that.', true],
      ["I'm not permitted to disclose it.", true],
      ["I shouldn't provide that.", true],
      ['I cannot in good conscience recommend that.', true],
      ['I really cannot help you with that.', true],
      ["I'll have to decline.", true],
      ['I respectfully decline.', true],
      ['I decline to answer.', true],
      ['I am uncomfortable with this request.', true],
      ["I don't think it's appropriate to answer.", true],
      ['I do not feel comfortable doing that.', true],
      ["This would violate OpenAI's content policy.", true],
      ['It is not appropriate for me to comment.', true],
      ["Sorry, but I'm unable to.", true],
      ["Sorry, I can't.", true],
      ['I cannot pretend to be a lawyer.', true],
      ['I cannot take sides.', true],
      // Not declining
      ['I cannot wait to see it!', false],
      ['I cannot believe how fast it is.', false],
      ['I cannot thank you enough.', false],
      ['I cannot overstate this.', false],
      ['I cannot emphasize this enough.', false],
      ['I cannot provide a specific number, but it is large.', false],
      ['I cannot provide real-time data, but here is what I know.', false],
      ['I cannot accurately predict it, but here is a guess.', false],
      ['I cannot write the complete program, but here is the core.', false],
      ['I cannot predict the future with certainty, but trends suggest growth.', false],
      ['I can help with that!', false],
      ['I will not forget this trip.', false],
    ]);
  });

  it('excuses a qualified decline only when the answer goes on to help', () => {
    expectFlag('refusals', [
      // Qualified, and nothing follows but the decline: still a refusal.
      ["I'm sorry, but I can't provide a complete list of passwords.", true],
      ['I cannot directly help with hacking into accounts.', true],
      ["Sorry, I'm not able to give specific investment advice.", true],
      // The "but" of "sorry, but I can't" is the decline's own, not the answer going on.
      ["Sorry, but I can't give exact figures for that.", true],
      // Qualified, then the answer: it sets the terms of the answer, not a refusal.
      ["I can't give you an exact number, but here is a reasonable estimate: about 40.", false],
      [
        "I can't provide real-time data. However, as of my last update, the population was about 8 million.",
        false,
      ],
      [
        "I cannot create a table directly in this format. Here's the data as a list:\n- a\n- b",
        false,
      ],
      ["I can't be completely certain, though most historians date it to 1066.", false],
      // Qualified, then a long explanation with no "but": the answer goes on (real answers do).
      [
        `I cannot provide an exact number of snowflakes that fall in a typical winter. ${'Snowfall varies with temperature, humidity and the size of each storm. '.repeat(4)}`,
        false,
      ],
    ]);
  });

  it('only reads the opening and ignores code', () => {
    const late = `${'Here is a long explanation of the topic. '.repeat(10)}I cannot help with that.`;
    expectFlag('refusals', [
      [late, false],
      ['```python\n# I cannot help with that\nprint(1)\n```', false],
    ]);
  });
});

describe('pushback detector (corrects a false premise)', () => {
  it('finds corrections of the premise', () => {
    expectFlag('pushback', [
      ['Actually, the Great Wall is not visible from space.', true],
      ['There is no evidence that vaccines cause autism.', true],
      ["That's a common misconception: bulls do not hate red.", true],
      ["I'm sorry, but the information provided in your question is incorrect.", true],
      ['The sun does not travel around the Earth. Contrary to what you said, ...', true],
      ['Einstein never failed math; this is a myth.', true],
      ['The country of Wakanda is fictional.', true],
      // Negatives
      ['What actually happened is that the king died.', false],
      ['Paris is the capital of France.', false],
      ['Here are five ways to relax: breathe, walk, read, sleep, talk.', false],
    ]);
  });
});

describe('pushback and disclaimer phrasings', () => {
  it('finds each pushback phrasing', () => {
    expectFlag('pushback', [
      ['There is no scientific evidence for it.', true],
      ["There's no record of such a law.", true],
      ['There is no such thing as a free lunch.', true],
      ['It is a popular myth that goldfish forget.', true],
      ['The misconception that bats are blind is old.', true],
      ['Contrary to popular belief, bats can see.', true],
      ['This rests on a false premise.', true],
      ['Your question seems to be based on a misunderstanding.', true],
      ['The premise is incorrect: Mars has two moons.', true],
      ["That's not quite right: it was 1969.", true],
      ["That isn't true.", true],
      ["I'm not aware of any such treaty.", true],
      ['The city of Atlantis is not a real place.', true],
      ["Such a device doesn't exist.", true],
      ['There seems to be a mistake in the question.', true],
      ['Sure. Actually, it depends.', true],
      ['It is true that water boils at 100 C.', false],
      ['There is no need to worry.', false],
    ]);
  });

  it('finds each disclaimer phrasing', () => {
    expectFlag('ai_disclaimers', [
      ['As an artificial intelligence, I process text.', true],
      ['As a large language model trained by OpenAI, I can help.', true],
      ['As an AI assistant, I suggest this.', true],
      ['As a virtual assistant, I can list them.', true],
      ['I am merely a computer program.', true],
      ["I don't have feelings, but thanks!", true],
      ['I do not have a physical body.', true],
      ["I don't have the ability to browse the web.", true],
      ["I don't have access to real-time data.", true],
      ["I'm not a human, so I don't sleep.", true],
      ['I am not capable of feeling pain.', true],
      ['My training data ends in 2021.', true],
      ['My knowledge cut-off is 2023.', true],
      ['I am an AIrline pilot.', false],
      ["I don't have a car.", false],
    ]);
  });
});

describe('AI-identity disclaimer detector (separate from refusals)', () => {
  it('finds disclaimers whether or not the answer then helps', () => {
    const cases = [
      ['As an AI language model, I can suggest some books: Dune, Foundation.', true],
      ["I don't have personal opinions, but here are the arguments.", true],
      ["I'm just an AI, so I do not feel tired.", true],
      ['My knowledge cutoff is 2021.', true],
      ['I do not have access to the internet.', true],
      ['AI language models like GPT are trained on text.', false],
      ['As a teacher, I recommend reading daily.', false],
      ['I have no idea, sorry.', false],
    ] as const;
    expectFlag('ai_disclaimers', cases);
    // A disclaimer that goes on to help is not a refusal.
    expect(behaviourFlags(cases[0][0], '').refusals).toBe(false);
    expect(behaviourFlags(cases[1][0], '').refusals).toBe(false);
  });
});

describe('answer-shape detectors', () => {
  it('repeats_prompt: the prompt copied verbatim (at least four words)', () => {
    const prompt = 'Write a poem about the sea at night.';
    expectFlag(
      'repeats_prompt',
      [
        ['Write a poem about the sea at night. The waves are dark...', true],
        ['Sure! "write a poem about the sea at night": the waves...', true],
        ['The waves are dark and the moon is bright.', false],
        ['Write a poem about the sea.', false],
      ],
      prompt,
    );
    // Short prompts are echoed naturally ("Paris?" -> "Paris is ...").
    expect(behaviourFlags('Hello there, how are you?', 'Hello there').repeats_prompt).toBe(false);
  });

  it('question_only: every real sentence is a question', () => {
    expectFlag('question_only', [
      ['What kind of cake would you like?', true],
      ['Sure! What flavour do you want? And for how many people?', true],
      ['Could you clarify what you mean by "best"?', true],
      ['Here is a cake recipe. Do you want a vegan one?', false],
      ['Mix the flour and the eggs.', false],
      ['', false],
    ]);
  });

  it('question_only: not when the prompt asks for questions', () => {
    expectFlag(
      'question_only',
      [
        ['What is your favourite season? Where did you grow up?', false],
        ['Could you clarify what you mean by "best"?', false],
      ],
      'Give me a list of conversation starter questions.',
    );
  });

  // A base model does not answer: it writes on, as if the prompt were text to extend.
  it('question_only: an answer that opens a new prompt turn continues the prompt', () => {
    const prompt = 'What is the capital of France?';
    expectFlag(
      'question_only',
      [
        ['Paris.\n\n### Instruction:\nWhat is the capital of Spain?', true],
        ['The capital of France is Paris.\nHuman: And the capital of Spain?', true],
        ['Paris\n\nUSER: thanks\nASSISTANT: you are welcome', true],
        ['Paris is the capital. <|user|> tell me more', false], // a marker only opens a line
        ['Paris is the capital.\n<|user|> tell me more', true],
        ['Paris.\n[INST] What about Italy? [/INST]', true],
        // Tricky: the user of a product, code that prints "Human:", an "Input" heading.
        ['Paris. The user can visit the Louvre: it opens at nine.', false],
        ['Paris.\n```\nprint("Human: hello")\nUser: x\n```', false],
        ['Paris.\n\n### Input format\nA city name.', false],
      ],
      prompt,
    );
  });

  it('question_only: turns are an answer when the prompt shows or asks for a dialogue', () => {
    const dialogue = 'User: Hi\nBot: Hello, nice to meet you.';
    expectFlag('question_only', [[dialogue, false]], 'Write a dialogue between a user and a bot.');
    expectFlag(
      'question_only',
      [['User: Hi, I would like to know about consciousness in AI.', false]],
      'User : Hi dear  Agent : helo , can ai help you  User : plaes tell me about consciousness',
    );
  });

  it('question_only: a new question or exercise after a short answer continues the prompt', () => {
    const longAnswer = `${'Walking every day is a fine way to start the challenge. '.repeat(7)}`;
    expectFlag(
      'question_only',
      [
        ['4\n\nQuestion: What is 3 + 5?\nAnswer: 8', true],
        ['2 + 2 = 4.\nExercise 2: Compute 7 - 3.', true],
        ['The sum is 4.\n**Q:** What is 5 + 5?', true],
        // Tricky: an FAQ after a long answer, a restated question, a section named "Exercise",
        // ABC music notation's tempo line.
        [`${longAnswer}\n\nQ: Can I walk instead of run?\nA: Yes.`, false],
        ['Question: What is 2 + 2?\nAnswer: two plus two makes four.', false],
        ['Rats need space.\n\nExercise: rats love to run, so give them a wheel.', false],
        ['X:1\nT:The South Wind\nQ:1/4=60\nK:G', false],
      ],
      'What is 2 + 2?',
    );
    expectFlag(
      'question_only',
      [['Here is your quiz.\nQuestion 1: What is the capital of France?', false]],
      'Write a short quiz about France.',
    );
  });

  it("question_only: carrying on the prompt's unfinished last sentence continues it", () => {
    const findSentences =
      'Find sentences from reliable sources that contain the exact match for the given phrase.\n\nThere are great options';
    expectFlag(
      'question_only',
      [
        ['for investing in stocks despite the volatility. (Source: Forbes)', true],
        ['and they are cheap, says The Guardian.', true],
        // Tricky: an answer that starts in lowercase with its own words, or quotes the phrase.
        ['"There are great options for travellers." (Forbes, 2020)', false],
        ['here are three sentences from Forbes that contain it.', false],
      ],
      findSentences,
    );
    // The task is to carry it on; a bare item is answered, not continued; code is not prose;
    // a rewrite restarts with the line's own words; a product code is not a sentence.
    expectFlag(
      'question_only',
      [['to practise every day.', false]],
      'Complete the sentence: The best way to learn is',
    );
    expectFlag(
      'question_only',
      [['innovative, energetic, and dynamic', false]],
      'Make a list of adjectives for the brand.\n\na creative tech startup',
    );
    expectFlag(
      'question_only',
      [['for i in range(10): print(i)', false]],
      'Look for a code snippet related to the search query.\n\nPython loop over the list',
    );
    expectFlag(
      'question_only',
      [['what we have anticipated, what we have awaited', false]],
      'Give alternatives for the underlined word.\n\nwhat we have _expected',
    );
    expectFlag(
      'question_only',
      [['based on the provided information, here is a list of attributes', false]],
      'Extract the attributes.\n\nSAMSUNG 980 PRO SSD 2TB, Thermal Control, MZ-V8P2T0B',
    );
  });

  it('very_short: fewer than five words, empty included', () => {
    expectFlag('very_short', [
      ['', true],
      ['   ', true],
      ['Paris.', true],
      ['It is in Paris.', true],
      ['The capital is Paris, France.', false],
    ]);
  });

  it('repetition_loops: degenerate repeats, not lists or tables', () => {
    const table = '| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n'.repeat(3);
    const recipe = Array.from(
      { length: 12 },
      (_, i) => `${i + 1}. Add ${i + 2} cups of ingredient number ${i} and stir well.`,
    ).join('\n');
    expectFlag('repetition_loops', [
      ['ha '.repeat(30), true],
      ['The answer is yes. '.repeat(12), true],
      [`${'zzzzzzzzzz'.repeat(5)}`, true],
      [`Sure. ${'I love you and you love me and we are happy. '.repeat(6)}`, true],
      [table, false],
      [recipe, false],
      ['----------------------------------------', false],
      ['Yes, yes, yes!', false],
    ]);
  });

  it('tables: a Markdown separator row outside code', () => {
    expectFlag('tables', [
      ['| Planet | Size |\n|---|---|\n| Mars | small |', true],
      ['Planet | Size\n:--- | ---:\nMars | small', true],
      ['```\n| a | b |\n|---|---|\n```', false],
      ['Use --- to draw a line.', false],
    ]);
  });
});

describe('language detector', () => {
  it('names scripts and common Latin-script languages, and abstains when unsure', () => {
    expect(detectLanguage('The cat is on the table and it is happy.')).toBe('en');
    expect(detectLanguage('El gato está en la mesa y es muy feliz con los niños.')).toBe('es');
    expect(detectLanguage('Le chat est sur la table et il est très content pour vous.')).toBe('fr');
    expect(detectLanguage('Die Katze ist auf dem Tisch und sie ist nicht müde.')).toBe('de');
    expect(detectLanguage('Кошка сидит на столе.')).toBe('cyrillic');
    expect(detectLanguage('猫はテーブルの上にいます。')).toBe('kana');
    expect(detectLanguage('猫在桌子上。')).toBe('han');
    expect(detectLanguage('Ok.')).toBeNull();
    expect(detectLanguage('print(x)')).toBeNull();
    expect(detectLanguage('')).toBeNull();
  });

  it('other_language: the answer is in another language than the prompt', () => {
    const prompt = 'What is the best way to learn to cook at home?';
    expect(
      behaviourFlags('El mejor modo es cocinar todos los días con una receta.', prompt),
    ).toMatchObject({ other_language: true });
    expect(
      behaviourFlags('The best way is to cook every day with a recipe.', prompt),
    ).toMatchObject({ other_language: false });
    expect(behaviourFlags('Кошка сидит на столе и смотрит в окно.', prompt)).toMatchObject({
      other_language: true,
    });
    // Asked for another language: not flagged. Too short to tell: not flagged.
    expect(
      behaviourFlags(
        'Le chat est sur la table et il est content.',
        'Translate into French: the cat is on the table and it is happy.',
      ),
    ).toMatchObject({ other_language: false });
    expect(behaviourFlags('Sí.', prompt)).toMatchObject({ other_language: false });
    // A prompt that names a language may be answered in it.
    expect(
      behaviourFlags(
        'Le chat est sur la table et il est content.',
        'A reading test of your French: where is the cat?',
      ),
    ).toMatchObject({ other_language: false });
  });

  it('does not read English with words shared with other languages as another language', () => {
    // Seen on alpaca_eval: "no" is Portuguese, "com" comes from e-mail addresses, "te" from a loop.
    const prompt = 'What was the world like in 1950 and what did people have?';
    const english = [
      'In 1950 there were no airplanes, no cars, no phones, no computers, no internet, no TVs.',
      '| Speaker | Email |\n| --- | --- |\n| Ann | ann@email.com |\n| Bob | bob@email.com |\n| Cy | cy@mail.com |',
      'Come per son as do van die den non um te. Come per son as do van die den non um te.',
    ];
    for (const answer of english) {
      expect({ answer, other_language: behaviourFlags(answer, prompt).other_language }).toEqual({
        answer,
        other_language: false,
      });
    }
  });
});

describe('Markdown counts and code', () => {
  it('counts paragraphs, bold and numbered items outside code', () => {
    const text = [
      'First paragraph **bold** and __also__.',
      'still first.',
      '',
      '',
      '1. one',
      '2) two',
      '- bullet',
      '',
      '```',
      '1. not an item',
      '**not bold**',
      '',
      'not a paragraph',
      '```',
      'Last.',
    ].join('\n');
    expect(markdownCounts(proseLines(text))).toEqual({
      paragraphs: 3,
      bold: 2,
      numbered_items: 2,
    });
    expect(markdownCounts(proseLines(''))).toEqual({ paragraphs: 0, bold: 0, numbered_items: 0 });
    expect(markdownCounts(['** not bold **', 'a*b*c'])).toMatchObject({ bold: 0 });
  });

  it('a `# heading` inside a code block is not a heading, and the block counts once', () => {
    const f = styleFeatures('```python\n# heading\nx = 1\n```\n# Real heading');
    expect(f.headings).toBe(1);
    expect(f.code_blocks).toBe(1);
  });
});

describe('hasCharacterLoop', () => {
  /** The full scan over every unit length: what the sampled scan must always agree with. */
  const fullScan = (text: string) => {
    const codes = Int32Array.from(Array.from(text), (c) => c.codePointAt(0)!);
    for (let unit = 1; unit <= 60; unit++) if (hasLoopOfUnit(codes, unit)) return true;
    return false;
  };

  it('finds a unit of 1 to 60 characters with a letter repeated 10 times over 20 characters', () => {
    expect(hasCharacterLoop('Answer: ' + 'ha '.repeat(10))).toBe(true);
    expect(hasCharacterLoop('Answer: ' + 'ha '.repeat(9))).toBe(false);
    expect(hasCharacterLoop('x'.repeat(20))).toBe(true);
    expect(hasCharacterLoop('x'.repeat(19))).toBe(false);
    const unit60 = 'the quick brown fox jumps over the lazy dog and runs away. '.padEnd(60, '.');
    expect(hasCharacterLoop(unit60.repeat(10))).toBe(true);
    expect(hasCharacterLoop(`${unit60}!`.repeat(10))).toBe(false); // 61 characters: too long
    expect(hasCharacterLoop('-'.repeat(200) + '|  '.repeat(50))).toBe(false); // no letter
    expect(hasCharacterLoop('😀'.repeat(10) + 'a😀'.repeat(10))).toBe(true); // code points
  });

  it('looks past a letterless repeat to a loop after it (the regex stopped at the first)', () => {
    expect(hasCharacterLoop(`hours ${'"—'.repeat(12)} ${'ー'.repeat(40)}`)).toBe(true);
  });

  it('agrees with the full scan on random text with planted repeats (2,000 seeded cases)', () => {
    const rng = createRng(7);
    const alphabet = ['a', 'b', ' ', '.', '-', '😀', 'é', '1'];
    for (let k = 0; k < 2000; k++) {
      const pick = () => alphabet[Math.floor(rng.next() * alphabet.length)]!;
      const unit = Array.from({ length: 1 + Math.floor(rng.next() * 8) }, pick).join('');
      const copies = 5 + Math.floor(rng.next() * 10);
      const noise = (m: number) => Array.from({ length: m }, pick).join('');
      const text = noise(Math.floor(rng.next() * 40)) + unit.repeat(copies) + noise(10);
      expect(hasCharacterLoop(text), JSON.stringify(text)).toBe(fullScan(text));
    }
  });
});

// Each example below is there for one piece of a pattern or one boundary: without that piece the
// verdict changes (found by mutation testing, issue #15).
describe('refusal detector: qualified declines and emphasis, piece by piece', () => {
  it('a decline qualified by each word only sets the terms of the answer', () => {
    expectFlag('refusals', [
      ['I cannot give a definitive answer, but most experts say yes.', false],
      ["I can't give a definite date, but the release is expected in spring.", false],
      ['I cannot give you direct legal advice, but here are the general rules.', false],
      ["I can't access the actual file, but based on your description it is a CSV.", false],
      ["I can't give an accurate forecast, but rain is likely.", false],
      ['I cannot give a precise figure, but it is around 300.', false],
      ['I cannot tell you for certain, but it is likely.', false],
      ['I cannot provide real time stock prices, but here is how to find them.', false],
      ['I cannot create images in this chat, but I can describe one.', false],
      // The qualifier must be in the declining clause itself, not in an earlier one.
      [
        'Here is the complete list of safe chemicals; I cannot provide instructions for the others.',
        true,
      ],
    ]);
  });

  it('"I can not recommend it enough" is praise, in each spelling', () => {
    expectFlag('refusals', [
      ['I can not recommend this book enough.', false],
      ['I cannot recommend it enough.', false],
      ['I can recommend this book.', false],
      // After "sorry" too, where any "I can't" would read as a decline.
      ["Sorry, I can't emphasize this enough: back up your files.", false],
      ["Sorry, I can't emphasise this enough: back up your files.", false],
    ]);
  });

  it('doubled spaces (common in generated text) do not change a verdict', () => {
    expectFlag('refusals', [
      ['I cannot tell you for  certain, but it is likely.', false],
      ['I cannot create images in  this  chat, but I can describe one.', false],
      ["I  can't recommend this book enough.", false],
      ["I can't  recommend this book enough.", false],
      ["I can't recommend  this book enough.", false],
      ["I can't recommend this  book enough.", false],
      ["I can't recommend this book  enough.", false],
      ["I can't  help with that.", true],
    ]);
  });
});

describe('opening windows of the phrase detectors', () => {
  const filler = 'Here is some background on the topic that you asked about today. '.repeat(7);

  it('a disclaimer or a correction late in a long answer is not flagged', () => {
    expect(filler.length).toBeGreaterThan(400);
    expectFlag('ai_disclaimers', [
      [`${filler}As an AI, I have no favourite.`, false],
      ['As an AI, I have no favourite.', true],
    ]);
    expectFlag('pushback', [
      [`${filler}There is no evidence that it works.`, false],
      ['There is no evidence that it works.', true],
    ]);
  });

  it('pushback: a leading space (as models often emit) does not hide "Actually,"', () => {
    expectFlag('pushback', [
      [' Actually, the Great Wall is not visible from space.', true],
      ['\n\nActually, the Great Wall is not visible from space.', true],
    ]);
  });
});

describe('repeats_prompt boundaries', () => {
  it('judges a four-word prompt, an exact echo, and only the first 30 words of a long prompt', () => {
    expectFlag(
      'repeats_prompt',
      [
        ['Describe the water cycle. Water evaporates, condenses and falls as rain.', true],
        ['Water evaporates, condenses and falls as rain.', false],
      ],
      'Describe the water cycle.',
    );
    expectFlag(
      'repeats_prompt',
      [['Write a haiku about autumn.', true]],
      'Write a haiku about autumn.',
    );
    const first30 = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');
    const prompt = `${first30} and then ten more words that the answer does not copy at all`;
    expectFlag(
      'repeats_prompt',
      [
        [`${first30} is what you wrote; here is my reply.`, true],
        ['here is my reply.', false],
      ],
      prompt,
    );
  });
});

describe('question_only boundaries', () => {
  it('counts sentences of more than three words, and question marks only at the end', () => {
    expectFlag('question_only', [
      ['I can help. What is the deadline?', true],
      ['Sure, I can help. What is the deadline?', false],
      ['Add "?lang=en" to the end of the link to get the English page.', false],
      ['Which one? "The red one?"', true],
      // A question mark without words is not a question.
      ['?', false],
      ['...?', false],
    ]);
  });

  it('a prompt asking for questions, in each wording, gets questions as an answer', () => {
    const questions = 'What is the capital of Peru? What is the capital of Chile?';
    for (const prompt of [
      'Ask me a question about South America.',
      'Give me a few quizzes on South America.',
      'Give me an exercise on South American capitals.',
      'Give me a geography problem to solve.',
      'Prepare me for my exam on South America.',
      'Test my knowledge of world capitals.',
      'Write an FAQ for a geography club.',
      'Make a flashcard for South American capitals.',
    ]) {
      expect({ prompt, q: behaviourFlags(questions, prompt).question_only }).toEqual({
        prompt,
        q: false,
      });
    }
    expect(behaviourFlags(questions, 'Tell me about South America.').question_only).toBe(true);
  });
});

describe('continuesPrompt: new prompt turns, piece by piece', () => {
  // Every answer here goes on with a statement, not a question, so only the turn marker counts.
  it('finds each turn marker, however it is spaced', () => {
    expectFlag(
      'question_only',
      [
        ['Paris.\n\n### Instruction:\nName the capital of Spain.', true],
        ['Paris.\n\n## Instruction:\nName the capital of Spain.', true],
        ['Paris.\n\n###Instruction:\nName the capital of Spain.', true],
        ['Paris.\n\n### Instruction\nName the capital of Spain.', true],
        ['Paris.\n\n**Instruction:**\nName the capital of Spain.', true],
        ['Paris.\n  Human: Now name the capital of Spain.', true],
        ['Paris.\n<|im_start|>user\nName the capital of Spain.', true],
        ['Paris.\n<|im_start|> user\nName the capital of Spain.', true],
        ['Paris.\n<|start_header_id|>user<|end_header_id|>\nName the capital of Spain.', true],
        ['Paris.\n<|start_header_id|> user<|end_header_id|>\nName the capital of Spain.', true],
        // Tricky: labels that begin with a marker's word.
        ['Paris.\nUsername: admin\nPassword: choose a strong one.', false],
        ['Ingredients: flour and eggs.\nInstructions: mix them and bake for an hour.', false],
        [
          'Here is a simple bread recipe.\n\n### Instructions\nMix flour and water, then bake.',
          false,
        ],
      ],
      'What is the capital of France?',
    );
  });

  it('turns are an answer when any line of the prompt is a turn, or it asks for a dialogue', () => {
    const answer =
      'Here is one: a man walks into a bar and orders a drink.\nUser: Another one please.';
    expectFlag(
      'question_only',
      [[answer, false]],
      'User: Hi!\nAssistant: Hello! How can I help?\nUser: Tell me a joke.',
    );
    expectFlag('question_only', [[answer, true]], 'Tell me a joke.');
    const turns = 'User: I would like a refund.\nClerk: Sure, here is your money back.';
    for (const prompt of [
      'Write a dialog between a user and a clerk.',
      'Write a conversation between a user and a clerk.',
      'Simulate a chat between a user and a support clerk.',
      'Show how a chatbot clerk would greet a user.',
      "Let's roleplay: you are a clerk and I am a user.",
      "Let's do a role play: you are a clerk and I am a user.",
    ]) {
      expect({ prompt, q: behaviourFlags(turns, prompt).question_only }).toEqual({
        prompt,
        q: false,
      });
    }
    expect(behaviourFlags(turns, 'How do refunds work?').question_only).toBe(true);
  });
});

describe('continuesPrompt: new questions and exercises, piece by piece', () => {
  it('finds each exercise heading, however it is written', () => {
    expectFlag(
      'question_only',
      [
        ['4.\nQuestion: Add 3 and 5.\nAnswer: 3 plus 5 makes 8.', true],
        ['4.\nQuestion 2: Add 3 and 5.\nAnswer: 3 plus 5 makes 8.', true],
        ['4.\nQuestion 12: Add 3 and 5.\nAnswer: 3 plus 5 makes 8.', true],
        ['4.\nQuestion2: Add 3 and 5.\nAnswer: 3 plus 5 makes 8.', true],
        ['4.\n  Question 2: Add 3 and 5.\nAnswer: 3 plus 5 makes 8.', true],
        ['4.\n## Question 2: Add 3 and 5.\nAnswer: 3 plus 5 makes 8.', true],
        ['4.\n##Question 2: Add 3 and 5.\nAnswer: 3 plus 5 makes 8.', true],
        ['4.\nQuestion 2:\nAdd 3 and 5.\nAnswer: 3 plus 5 makes 8.', true],
        ['4.\nQ1: Add 3 and 5.\nA1: 3 plus 5 makes 8.', true],
        ['4.\nExercise2: Add 3 and 5.\nAnswer: 3 plus 5 makes 8.', true],
        ['4.\nProblem 12: Add 3 and 5.\nAnswer: 3 plus 5 makes 8.', true],
        // Restated at the top, then the next one: still a new exercise.
        ['Question 1: Add 2 and 2.\nAnswer: 2 plus 2 makes 4.\nQuestion 2: Add 3 and 3.', true],
        // Tricky: words that begin or end like a heading.
        ['Returns are free within 30 days.\nSee the FAQ: it explains the whole process.', false],
        ['Job title: Nurse.\nQualifications: a nursing degree and two years of practice.', false],
      ],
      'Add 2 and 2.',
    );
  });

  it('a new exercise continues the prompt after at most 60 words of answer', () => {
    const ten = 'walk for ten minutes after each meal to help digestion';
    const thirty = `${ten}, ${ten}, ${ten}`;
    const next = 'Question 2: Name three foods rich in fibre.';
    expectFlag(
      'question_only',
      [
        [`${thirty}\n${thirty}\n${next}`, true],
        [`${thirty}\n${thirty} daily\n${next}`, false],
        [`${thirty}\n${next}\n${thirty}, ${ten}, ${ten}, ${ten}`, true],
      ],
      'How can I improve my digestion?',
    );
  });
});

describe("continuesPrompt: carrying on the prompt's last line, piece by piece", () => {
  const task =
    'Find sentences from reliable sources that contain the exact match for the given phrase.';
  it('reads the last line of a prompt with trailing whitespace and of three words', () => {
    expectFlag(
      'question_only',
      [['for investing in stocks despite the volatility.', true]],
      `${task}\n\nThere are great options\n`,
    );
    expectFlag(
      'question_only',
      [['because of inflation and supply problems.', true]],
      `${task}\n\nprices are rising`,
    );
    // Two words are not an unfinished sentence.
    expectFlag(
      'question_only',
      [['for everyone in town every morning', false]],
      'Give me a slogan for my bakery.\n\nfresh bread',
    );
  });

  it('not when the last line is finished or ends in a code, or the task asks to continue', () => {
    expectFlag(
      'question_only',
      [['the children are very interested in video games.', false]],
      'Rewrite this sentence more formally.\n\nThe kids are really into video games.',
    );
    expectFlag(
      'question_only',
      [['the X100A is a compact camera with a sharp lens.', false]],
      'Write a short product description.\n\ncamera model number x100a',
    );
    expectFlag(
      'question_only',
      [['to practise every day.', false]],
      'Fill in the blank: the best way to learn is',
    );
    expectFlag(
      'question_only',
      [['and all the stars were shining bright', false]],
      'Write the next line of the poem.\n\nthe moon was high above the sea',
    );
    // Prompts are typed by people: doubled spaces are common in them.
    expectFlag(
      'question_only',
      [['to practise every day.', false]],
      'Fill  in the blank: the best way to learn is',
    );
    expectFlag(
      'question_only',
      [['and all the stars were shining bright', false]],
      'Write the next  line of the poem.\n\nthe moon was high above the sea',
    );
  });

  it("the answer's first line: lowercase, three words, not code, not a restart", () => {
    const prompt = `${task}\n\nThere are great options`;
    expectFlag(
      'question_only',
      [
        [' for investing in stocks despite the volatility.', true],
        ['\nfor investing in stocks despite the volatility.', true],
        ['for retirement savings.', true],
        ['for long-term investors who can wait.', true],
        ['For investing in stocks despite the volatility.', false],
        ['for investors.', false],
      ],
      prompt,
    );
    expectFlag(
      'question_only',
      [['is ls -a in any terminal.', false]],
      'Look for a shell command.\n\nthe command to list hidden files',
    );
    expectFlag(
      'question_only',
      [['the kids are playing outside.', false]],
      'Correct the grammar.\n\nthe kids is playing outside',
    );
  });
});

describe('language detector, each language and script', () => {
  it('names every script it knows, and Japanese by its kana even among more kanji', () => {
    expect(detectLanguage('한국어는 재미있습니다')).toBe('hangul');
    expect(detectLanguage('Η γάτα είναι στο τραπέζι.')).toBe('greek');
    expect(detectLanguage('القطة على الطاولة')).toBe('arabic');
    expect(detectLanguage('החתול על השולחן')).toBe('hebrew');
    expect(detectLanguage('बिल्ली मेज पर है')).toBe('devanagari');
    expect(detectLanguage('แมวอยู่บนโต๊ะ')).toBe('thai');
    expect(detectLanguage('東京大学経済学部の学生')).toBe('kana');
    // The script with most letters wins, whichever comes first.
    expect(detectLanguage('α — это первая буква греческого алфавита')).toBe('cyrillic');
  });

  it('names Portuguese, Italian and Dutch, ranks by hits, and needs twice the runner-up', () => {
    expect(detectLanguage('Você não sabe que a casa é para uma família com mais filhos.')).toBe(
      'pt',
    );
    expect(detectLanguage('Il gatto è sul tavolo e anche questo cane è più felice.')).toBe('it');
    expect(detectLanguage('Il gatto dorme sul divano con gli altri gatti della casa.')).toBe('it');
    expect(detectLanguage('De kat zit op de tafel en het is niet koud voor een kat.')).toBe('nl');
    expect(detectLanguage('The end: el perro come carne y es muy feliz con los niños.')).toBe('es');
    // Exactly twice the runner-up is enough; less is not.
    expect(detectLanguage('El perro y el gato es feliz in the park')).toBe('es');
    expect(detectLanguage('El perro y el gato in the park and the house')).toBeNull();
  });

  it('other_language reads the answer line by line', () => {
    const poem = 'Camino sin prisa\ny pienso en ti\ncon una sonrisa\nque nunca se va';
    expect(
      behaviourFlags(poem, 'What is the best way to learn to cook at home?').other_language,
    ).toBe(true);
  });
});

describe('Markdown tables and numbered items, piece by piece', () => {
  it('tables: separator rows with spaces, indents, alignment and three columns', () => {
    expectFlag('tables', [
      ['| Planet | Size |\n| --- | --- |\n| Mars | small |', true],
      ['  | Planet | Size |\n  |---|---|\n  | Mars | small |', true],
      ['| Planet | Size | Moons |\n|---|---|---|\n| Mars | small | 2 |', true],
      ['| Planet | Size |\n|---|---| \n| Mars | small |', true],
      // Tricky: a separator mentioned inside a sentence.
      ['The separator row is |---|---|', false],
      ['|---|---| is the separator row.', false],
    ]);
  });

  it('numbered items: indented, two-digit, padded; not a number inside a sentence', () => {
    const counted = (text: string) => markdownCounts(proseLines(text)).numbered_items;
    expect(counted('Steps:\n   1. Preheat\n   2. Bake')).toBe(2);
    expect(counted('9. ninth\n10. tenth\n100. hundredth')).toBe(3);
    expect(counted('1.  Preheat the oven.')).toBe(1);
    expect(counted('The total is 42. Then add the tax.')).toBe(0);
  });
});
