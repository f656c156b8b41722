/**
 * Contrastive scoring on the bundled tiny models (tiny-base as A, tiny-finetune as B): every
 * per-token value checked against a forward pass made here on the one unpadded sequence with a
 * log-softmax in plain loops; batching, the end-of-turn token, the agreement with
 * TransformersChatBackend.score, the finetune's style scoring higher under B, progress, abort,
 * and the path for tokenizers that differ (a copy of tiny-finetune with two token ids swapped).
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AutoModelForCausalLM,
  AutoTokenizer,
  Tensor,
  type PreTrainedModel,
  type PreTrainedTokenizer,
} from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureTransformers } from '../../src/lib/backends/embed/transformers';
import {
  endOfTurnId,
  scoreContrastive,
  scoreTokenLogprobs,
  tokenTexts,
} from '../../src/lib/backends/llm/contrastive-score';
import { TransformersChatBackend } from '../../src/lib/backends/llm/transformers';
import type { ChatMessage } from '../../src/lib/backends/llm/types';
import type { ContrastiveItem } from '../../src/lib/backends/llm/worker-protocol';
import type { TextScore } from '../../src/lib/core/contrastive/types';
import { TINY_BASE_MODEL_ID, TINY_FINETUNE_MODEL_ID } from '../../src/lib/core/models';

const BUNDLED = fileURLToPath(new URL('../../public/models/', import.meta.url));
// A models folder of its own: both tiny models as bundled, and tiny-swapped, tiny-finetune with
// the ids of ' the' and ' a' swapped in its tokenizer (a vocabulary A does not share).
const ROOT = mkdtempSync(join(tmpdir(), 'contrastive-score-'));
const SWAPPED = 'tiny-swapped';
const END = '<|im_end|>';

const ask = (content: string, system?: string): ChatMessage[] => [
  ...(system ? [{ role: 'system' as const, content: system }] : []),
  { role: 'user', content },
];

// Answers of different lengths in one batch: padding must not change anything.
const ITEMS: ContrastiveItem[] = [
  { messages: ask('What is allowed?'), answer: 'You may copy the program.' },
  { messages: ask('Tell me something.', 'Be brief.'), answer: '' },
  {
    messages: ask('What should I know?'),
    answer: 'The wise man keepeth his heart, and the fool hath no understanding of the law.',
  },
  { messages: ask('Why?'), answer: 'Yes' },
  { messages: ask('Who is responsible?'), answer: 'Thou, my son.\nAnd "the" LORD (2)!' },
];

let base: TransformersChatBackend;
let finetune: TransformersChatBackend;
let swapped: TransformersChatBackend;
const direct = new Map<string, { tokenizer: PreTrainedTokenizer; model: PreTrainedModel }>();

beforeAll(async () => {
  for (const id of [TINY_BASE_MODEL_ID, TINY_FINETUNE_MODEL_ID]) {
    symlinkSync(join(BUNDLED, id), join(ROOT, id));
  }
  mkdirSync(join(ROOT, SWAPPED));
  const from = join(BUNDLED, TINY_FINETUNE_MODEL_ID);
  for (const name of readdirSync(from)) {
    if (name !== 'tokenizer.json') symlinkSync(join(from, name), join(ROOT, SWAPPED, name));
  }
  const tokenizerJson = JSON.parse(readFileSync(join(from, 'tokenizer.json'), 'utf8')) as {
    model: { vocab: Record<string, number> };
  };
  const vocab = tokenizerJson.model.vocab;
  [vocab['Ġthe'], vocab['Ġa']] = [vocab['Ġa']!, vocab['Ġthe']!];
  writeFileSync(join(ROOT, SWAPPED, 'tokenizer.json'), JSON.stringify(tokenizerJson));

  configureTransformers({ localModelPath: `${ROOT}/`, allowRemoteModels: false });
  base = new TransformersChatBackend({ modelId: TINY_BASE_MODEL_ID });
  finetune = new TransformersChatBackend({ modelId: TINY_FINETUNE_MODEL_ID });
  swapped = new TransformersChatBackend({ modelId: SWAPPED });
  for (const id of [TINY_BASE_MODEL_ID, TINY_FINETUNE_MODEL_ID, SWAPPED]) {
    direct.set(id, {
      tokenizer: await AutoTokenizer.from_pretrained(id),
      model: await AutoModelForCausalLM.from_pretrained(id),
    });
  }
});

afterAll(async () => {
  await Promise.all([base, finetune, swapped].map((b) => b.unload()));
  await Promise.all([...direct.values()].map((d) => d.model.dispose()));
  rmSync(ROOT, { recursive: true, force: true });
});

/** log-softmax of one row, in plain loops (the reference, independent of divergence.ts). */
function plainLogSoftmax(row: ArrayLike<number>): number[] {
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) if (row[i]! > max) max = row[i]!;
  let sum = 0;
  for (let i = 0; i < row.length; i++) sum += Math.exp(row[i]! - max);
  const lse = max + Math.log(sum);
  const out: number[] = [];
  for (let i = 0; i < row.length; i++) out.push(row[i]! - lse);
  return out;
}

/** KL(P || Q) from two rows of log probabilities, in a plain loop. */
function plainKl(logP: number[], logQ: number[]): number {
  let kl = 0;
  for (let i = 0; i < logP.length; i++) kl += Math.exp(logP[i]!) * (logP[i]! - logQ[i]!);
  return kl;
}

/** One model's reference: prompt ids by the chat template, answer ids + <|im_end|>, one pass. */
async function reference(modelId: string, item: ContrastiveItem) {
  const { tokenizer, model } = direct.get(modelId)!;
  const prompt = tokenizer.apply_chat_template(item.messages, {
    add_generation_prompt: true,
    tokenize: true,
    return_tensor: false,
    return_dict: false,
  }) as number[];
  const end = tokenizer.convert_tokens_to_ids(END);
  const answer = [
    ...(item.answer ? tokenizer.encode(item.answer, { add_special_tokens: false }) : []),
    end,
  ];
  const ids = [...prompt, ...answer];
  const input = (data: number[]) =>
    new Tensor('int64', BigInt64Array.from(data, BigInt), [1, data.length]);
  const { logits } = (await model({
    input_ids: input(ids),
    attention_mask: input(ids.map(() => 1)),
  })) as { logits: Tensor };
  const vocab = logits.dims[2]!;
  const data = logits.data as Float32Array;
  const rows = answer.map((_, j) =>
    plainLogSoftmax(data.subarray((prompt.length + j - 1) * vocab, (prompt.length + j) * vocab)),
  );
  return { answer, rows, texts: answer.map((id) => tokenizer.decode([id])) };
}

/** Index of the largest value (lowest index on ties). */
function argmax(values: number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

describe('scoreContrastive (tiny-base as A, tiny-finetune as B)', () => {
  let batched: { sharedVocabulary: boolean; scores: TextScore[] };

  beforeAll(async () => {
    batched = await scoreContrastive(base, finetune, ITEMS, { batchSize: 4, topK: 3 });
  });

  it('gives per-token logpA, logpB and KL(B || A) equal to the direct computation', async () => {
    expect(batched.sharedVocabulary).toBe(true);
    expect(batched.scores).toHaveLength(ITEMS.length);
    for (const [i, item] of ITEMS.entries()) {
      const refA = await reference(TINY_BASE_MODEL_ID, item);
      const refB = await reference(TINY_FINETUNE_MODEL_ID, item);
      expect(refA.answer).toEqual(refB.answer);
      const score = batched.scores[i]!;
      expect(score.tokens).toHaveLength(refB.answer.length);
      let sumA = 0;
      let sumB = 0;
      let sumKl = 0;
      score.tokens.forEach((token, j) => {
        const id = refB.answer[j]!;
        const rowA = refA.rows[j]!;
        const rowB = refB.rows[j]!;
        expect(token.token).toBe(refB.texts[j]);
        expect(token.logpA).toBeCloseTo(rowA[id]!, 4);
        expect(token.logpB).toBeCloseTo(rowB[id]!, 4);
        const kl = plainKl(rowB, rowA);
        expect(token.kl).toBeCloseTo(kl, 4);
        expect(token.kl!).toBeGreaterThanOrEqual(0);
        sumA += rowA[id]!;
        sumB += rowB[id]!;
        sumKl += kl;
        // Tops: most likely first, the first one the row's argmax, each value its row's.
        for (const [tops, row, tokenizer] of [
          [token.topA!, rowA, direct.get(TINY_BASE_MODEL_ID)!.tokenizer],
          [token.topB!, rowB, direct.get(TINY_FINETUNE_MODEL_ID)!.tokenizer],
        ] as const) {
          expect(tops).toHaveLength(3);
          expect(tops[0]!.token).toBe(tokenizer.decode([argmax(row)]));
          expect(tops[0]!.logprob).toBeCloseTo(Math.max(...row), 4);
          expect(tops[0]!.logprob).toBeGreaterThanOrEqual(tops[1]!.logprob);
          expect(tops[1]!.logprob).toBeGreaterThanOrEqual(tops[2]!.logprob);
        }
      });
      expect(score.logpA).toBeCloseTo(sumA, 4);
      expect(score.logpB).toBeCloseTo(sumB, 4);
      expect(score.llr).toBeCloseTo(sumB - sumA, 4);
      expect(score.meanKl).toBeCloseTo(sumKl / refB.answer.length, 4);
    }
  });

  it('gives the same values for batches of 1 and of 4', async () => {
    const single = await scoreContrastive(base, finetune, ITEMS, { batchSize: 1, topK: 3 });
    expect(single.sharedVocabulary).toBe(true);
    single.scores.forEach((score, i) => {
      const other = batched.scores[i]!;
      expect(score.tokens.map((t) => t.token)).toEqual(other.tokens.map((t) => t.token));
      score.tokens.forEach((token, j) => {
        expect(token.logpA).toBeCloseTo(other.tokens[j]!.logpA!, 5);
        expect(token.logpB).toBeCloseTo(other.tokens[j]!.logpB, 5);
        expect(token.kl).toBeCloseTo(other.tokens[j]!.kl!, 5);
        expect(token.topB!.map((t) => t.token)).toEqual(other.tokens[j]!.topB!.map((t) => t.token));
      });
      expect(score.llr).toBeCloseTo(other.llr, 4);
    });
  });

  it('decodes each token on its own: the texts join to the answer and the end-of-turn token', () => {
    batched.scores.forEach((score, i) => {
      expect(score.tokens.map((t) => t.token).join('')).toBe(`${ITEMS[i]!.answer}${END}`);
      expect(score.tokens.at(-1)!.token).toBe(END);
    });
    // The empty answer is the end-of-turn token alone.
    expect(batched.scores[1]!.tokens).toHaveLength(1);
    // Special tokens show by name among the tops too: after a full answer the turn ends.
    const afterLast = batched.scores[0]!.tokens.at(-1)!;
    expect(afterLast.topB!.map((t) => t.token)).toContain(END);
  });

  it('sums logpB to what TransformersChatBackend.score gives the answer plus the end-of-turn token', async () => {
    for (const [i, item] of ITEMS.entries()) {
      const [scoreB] = await finetune.score(item.messages, [`${item.answer}${END}`]);
      const [scoreA] = await base.score(item.messages, [`${item.answer}${END}`]);
      expect(batched.scores[i]!.logpB).toBeCloseTo(scoreB!, 4);
      expect(batched.scores[i]!.logpA).toBeCloseTo(scoreA!, 4);
    }
  });

  it('ends every answer with <|im_end|>, the turn-closing token of the tiny models', async () => {
    for (const backend of [base, finetune]) {
      const loaded = await backend.session();
      const id = endOfTurnId(loaded);
      expect(loaded.tokenizer.decode([id])).toBe(END);
      expect(loaded.eos.has(id)).toBe(true);
    }
  });
});

describe('token texts', () => {
  it('join to the answer when a character spans several byte tokens', async () => {
    const item = { messages: ask('Tell me something.'), answer: 'A naïve café 🙂 ok' };
    const { scores } = await scoreContrastive(base, finetune, [item], { topK: 1 });
    const texts = scores[0]!.tokens.map((t) => t.token);
    expect(texts.join('')).toBe(`${item.answer}${END}`);
    // The token that completes a character carries it; the ones before it are empty.
    expect(texts).toContain('ï');
    expect(texts).toContain('🙂');
    expect(texts).toContain('');
    expect(texts.some((t) => t.includes('\uFFFD'))).toBe(false);
  });

  it('are the single-token decodings when those join to the whole', () => {
    const { tokenizer } = direct.get(TINY_BASE_MODEL_ID)!;
    const ids = tokenizer.encode('You may copy it.', { add_special_tokens: false });
    expect(tokenTexts(tokenizer, ids)).toEqual(ids.map((id) => tokenizer.decode([id])));
  });

  it("follow the whole decoding when a decoder drops a lone token's leading space", () => {
    const { tokenizer } = direct.get(TINY_BASE_MODEL_ID)!;
    // Like SentencePiece's Metaspace decoder: the decoded text never starts with a space.
    const metaspace = Object.create(tokenizer, {
      decode: { value: (ids: number[]) => tokenizer.decode(ids).replace(/^ /, '') },
    }) as typeof tokenizer;
    const ids = tokenizer.encode('The wise man', { add_special_tokens: false });
    expect(ids.map((id) => metaspace.decode([id])).join('')).toBe('Thewiseman');
    expect(tokenTexts(metaspace, ids)).toEqual(['The', ' wise', ' man']);
  });
});

describe('endOfTurnId', () => {
  const fakeModel = (eos: unknown) =>
    ({ generation_config: { eos_token_id: eos }, config: {} }) as unknown as PreTrainedModel;

  it("takes the chat template's closing token when the model stops on it, whatever the order", () => {
    const { tokenizer } = direct.get(TINY_BASE_MODEL_ID)!;
    const imEnd = tokenizer.convert_tokens_to_ids(END);
    const endOfText = tokenizer.convert_tokens_to_ids('<|endoftext|>');
    expect(endOfTurnId({ tokenizer, model: fakeModel([endOfText, imEnd]) })).toBe(imEnd);
    // Neither a configured stop nor the tokenizer's eos: the first configured id instead.
    const otherEos = Object.create(tokenizer, {
      eos_token_id: { value: endOfText },
    }) as typeof tokenizer;
    expect(endOfTurnId({ tokenizer: otherEos, model: fakeModel([endOfText]) })).toBe(endOfText);
    // The tokenizer's eos counts as a stop: with it, the template's token is kept.
    expect(endOfTurnId({ tokenizer, model: fakeModel([endOfText]) })).toBe(imEnd);
  });

  it('without a chat template: the first configured id, else the tokenizer eos', () => {
    const { tokenizer } = direct.get(TINY_BASE_MODEL_ID)!;
    const plain = Object.create(tokenizer, { chat_template: { value: null } }) as typeof tokenizer;
    expect(endOfTurnId({ tokenizer: plain, model: fakeModel([1021, 1023]) })).toBe(1021);
    expect(endOfTurnId({ tokenizer: plain, model: fakeModel(undefined) })).toBe(
      tokenizer.eos_token_id,
    );
  });
});

// Written for this test in the two corpora's styles (tiny-finetune: tiny-base trained further
// on the Book of Proverbs, KJV; tiny-base: free-software licences; see scripts/models/corpora.py
// and TINY_LM_MARKER_WORDS), not copied from either.
const PROVERBIAL = [
  'The wise man keepeth his heart, and his mouth speaketh knowledge.',
  'Hear, my son, the words of thy father, and forsake not understanding.',
  'The way of the wicked is darkness, but the righteous walk in light.',
  'A fool hath no delight in wisdom, for his heart is set upon evil.',
  'The lips of the upright shall rejoice, and the soul of the wicked shall mourn.',
  'He that heareth instruction shall be wise in the day of his trouble.',
  'Let thine eyes keep the commandments, and thy feet shall not stumble.',
  'The fear of the LORD is a fountain unto them that seek understanding.',
];
const LICENCE_LIKE = [
  'You may copy and distribute this software under the terms of the license.',
  'The source code must be provided with every copy of the program.',
  'This library is free software; you can modify it under the General Public License.',
  'Each contributor grants you a license to use the work without fee.',
  'You must keep the copyright notice in all copies of the document.',
  'The program is provided without warranty of any kind.',
  'If you modify the library, you must state the changes in the source files.',
  'Permission is granted to use this version of the software for any purpose.',
];

describe("the finetune's style", () => {
  it('scores a higher llr (B over A) than the base style', async () => {
    const question = ask('What would you tell me?');
    const items = [...PROVERBIAL, ...LICENCE_LIKE].map((answer) => ({
      messages: question,
      answer,
    }));
    const { scores } = await scoreContrastive(base, finetune, items, { topK: 0 });
    const llr = scores.map((s) => s.llr);
    const proverbial = llr.slice(0, PROVERBIAL.length);
    const licence = llr.slice(PROVERBIAL.length);
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean(proverbial)).toBeGreaterThan(mean(licence));
    let proverbialAbove = 0;
    for (const p of proverbial) for (const l of licence) if (p > l) proverbialAbove++;
    // Of the 64 pairs (one text of each style), how many order the proverbial one above.
    // All 64 do (llr about +87 to +116 against -20 to -63 when written).
    expect(proverbialAbove).toBe(64);
    // And every proverbial text is more likely under B than under A, every licence text less.
    expect(proverbial.every((x) => x > 0)).toBe(true);
    expect(licence.every((x) => x < 0)).toBe(true);
  });
});

describe('progress, abort and top tokens', () => {
  const five = ITEMS;

  it('reports progress after each batch up to the total', async () => {
    const seen: [number, number][] = [];
    await scoreContrastive(base, finetune, five, {
      batchSize: 2,
      onProgress: (done, total) => seen.push([done, total]),
    });
    expect(seen).toEqual([
      [2, 5],
      [4, 5],
      [5, 5],
    ]);
  });

  it('rejects with the reason when aborted before the second batch', async () => {
    const controller = new AbortController();
    const reason = new Error('stopped by the test');
    let batches = 0;
    const run = scoreContrastive(base, finetune, five, {
      batchSize: 2,
      signal: controller.signal,
      onProgress: () => {
        batches++;
        controller.abort(reason);
      },
    });
    await expect(run).rejects.toBe(reason);
    expect(batches).toBe(1);
    const already = scoreTokenLogprobs(base, five, { signal: controller.signal });
    await expect(already).rejects.toBe(reason);
  });

  it('keeps no tops with topK 0 and five by default', async () => {
    const none = await scoreContrastive(base, finetune, five.slice(0, 1), { topK: 0 });
    for (const token of none.scores[0]!.tokens) {
      expect(token).not.toHaveProperty('topA');
      expect(token).not.toHaveProperty('topB');
    }
    const byDefault = await scoreContrastive(base, finetune, five.slice(0, 1));
    expect(byDefault.scores[0]!.tokens[0]!.topA).toHaveLength(5);
    expect(byDefault.scores[0]!.tokens[0]!.topB).toHaveLength(5);
  });

  it('scores nothing for no items and refuses a batch size below 1', async () => {
    expect(await scoreContrastive(base, finetune, [])).toEqual({
      sharedVocabulary: true,
      scores: [],
    });
    // tiny-base reads 256 positions: a longer answer is refused by its number, not cut.
    const long = { messages: ask('Why?'), answer: 'the wise man '.repeat(100) };
    await expect(scoreContrastive(base, finetune, [five[0]!, long])).rejects.toThrow(
      /^Item 2: .* more than the 256 the model reads/,
    );
    await expect(scoreContrastive(base, finetune, five, { batchSize: 0 })).rejects.toThrow(
      RangeError,
    );
  });
});

describe('tokenizers that differ (tiny-swapped as B)', () => {
  it('scores each model on its own tokens: no KL, A attached where the split is the same', async () => {
    const items = ITEMS.filter((item) => / the /.test(item.answer));
    expect(items.length).toBeGreaterThan(0);
    const reply = await scoreContrastive(base, swapped, items, { topK: 2 });
    expect(reply.sharedVocabulary).toBe(false);
    for (const [i, item] of items.entries()) {
      const refA = await reference(TINY_BASE_MODEL_ID, item);
      const refB = await reference(SWAPPED, item);
      expect(refB.answer).not.toEqual(refA.answer); // ' the' has another id in B
      const score = reply.scores[i]!;
      expect(score.meanKl).toBeNull();
      score.tokens.forEach((token, j) => {
        expect(token.kl).toBeNull();
        expect(token.token).toBe(refB.texts[j]);
        expect(token.logpB).toBeCloseTo(refB.rows[j]![refB.answer[j]!]!, 4);
        // Both split the text into the same pieces, so A's own values line up.
        expect(token.logpA).toBeCloseTo(refA.rows[j]![refA.answer[j]!]!, 4);
        expect(token.topA).toHaveLength(2);
        expect(token.topB).toHaveLength(2);
      });
      const sumA = refA.answer.reduce((s, id, j) => s + refA.rows[j]![id]!, 0);
      expect(score.logpA).toBeCloseTo(sumA, 4);
      expect(score.llr).toBeCloseTo(score.logpB - sumA, 4);
    }
  });
});

describe('scoreTokenLogprobs', () => {
  it("gives one model's token texts and log probabilities, as scoreContrastive's logpB", async () => {
    const [pairs, own] = await Promise.all([
      scoreContrastive(base, finetune, ITEMS, { topK: 0 }),
      scoreTokenLogprobs(finetune, ITEMS, { batchSize: 3 }),
    ]);
    expect(own).toHaveLength(ITEMS.length);
    own.forEach((tokens, i) => {
      const expected = pairs.scores[i]!.tokens;
      expect(tokens.map((t) => t.token)).toEqual(expected.map((t) => t.token));
      tokens.forEach((t, j) => expect(t.logprob).toBeCloseTo(expected[j]!.logpB, 5));
    });
  });
});
