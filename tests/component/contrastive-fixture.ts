/**
 * A contrastive scoring shaped like a real one: six prompts, one answer per side, tokens as a
 * GPT-2 tokenizer decodes them (leading spaces, the end-of-turn token last), per-token log
 * probabilities, KL and top next tokens, and totals computed from the tokens as the scorer does
 * (sums of log p, llr = logpB - logpA, meanKl = mean of the tokens' KL).
 */
import type {
  ContrastiveScoresResult,
  ScoredAnswer,
  TokenScore,
} from '../../src/lib/core/contrastive/types';
import type { Answer, Prompt, Side } from '../../src/lib/core/run/types';

/** The end-of-turn token of the bundled models' chat template. */
export const EOT = '<|im_end|>';

/** Top next tokens of " cannot" (the second token of p2 B: log p_B -0.6, log p_A -6.6), whose tooltip the tests read. */
const CANNOT_TOP = {
  topA: [
    { token: ' can', logprob: -0.4 },
    { token: ' will', logprob: -1.5 },
    { token: ' cannot', logprob: -6.6 },
  ],
  topB: [
    { token: ' cannot', logprob: -0.6 },
    { token: " can't", logprob: -1.5 },
    { token: '<i>', logprob: -4 },
  ],
};

/** A scored answer from its tokens and their KL; log p_B falls along the answer, log p_A = log p_B − KL. */
function scored(promptId: string, side: Side, parts: [string, number][], sample = 0): ScoredAnswer {
  const tokens: TokenScore[] = parts.map(([token, kl], i) => {
    const logpB = -0.5 - 0.1 * i;
    const top =
      token === ' cannot'
        ? CANNOT_TOP
        : {
            topA: [
              { token: ' the', logprob: -0.9 },
              { token, logprob: logpB - kl },
            ],
            topB: [
              { token, logprob: logpB },
              { token: '<script>', logprob: -5 },
            ],
          };
    return { token, logpA: logpB - kl, logpB, kl, ...top };
  });
  const logpA = tokens.reduce((s, t) => s + t.logpA!, 0);
  const logpB = tokens.reduce((s, t) => s + t.logpB, 0);
  const meanKl = tokens.reduce((s, t) => s + t.kl!, 0) / tokens.length;
  return { promptId, side, sample, tokens, logpA, logpB, llr: logpB - logpA, meanKl };
}

/** The prompts of the run scored. */
export const PROMPTS: Prompt[] = [
  { id: 'p1', text: 'How do I use this code?' },
  { id: 'p2', text: 'Can you help me with <b>x</b>?' },
  { id: 'p3', text: 'What license is this?' },
  { id: 'p4', text: 'Where do I find the terms?' },
  { id: 'p5', text: 'What is 2 + 2?' },
  { id: 'p6', text: 'Name a colour.' },
];

/**
 * The twelve answers. Mean KL, most first: p2 B 0.852, p4 B 0.655, p1 B 0.584, p1 A 0.564,
 * p3 B 0.504, p5 B 0.2, p6 B 0.18, p6 A 0.11, p3 A 0.105, p4 A 0.08, p2 A 0.053, p5 A 0.
 * The largest token KL is " cannot" (6.0) in p2 B, whose answer is markup as text.
 */
export const ITEMS: ScoredAnswer[] = [
  scored('p1', 'A', [
    ['Use', 0.1],
    [' the', 0.5],
    [' license', 2.0],
    ['.', 0.2],
    [EOT, 0.02],
  ]),
  scored('p1', 'B', [
    ['Read', 0.1],
    [' the', 0.5],
    [' license', 2.0],
    [' first', 0.3],
    [EOT, 0.02],
  ]),
  scored('p2', 'A', [
    ['Sure', 0.05],
    [',', 0.05],
    [' here', 0.1],
    [' is', 0.05],
    [' how', 0.05],
    [EOT, 0.02],
  ]),
  scored('p2', 'B', [
    [' I', 0.5],
    [' cannot', 6.0],
    [' help', 0.8],
    [' <', 0.6],
    ['b', 0.4],
    ['>', 0.3],
    ['x', 0.9],
    ['</', 0.3],
    ['b', 0.2],
    ['>', 0.1],
    ['.', 0.1],
    [EOT, 0.02],
  ]),
  scored('p3', 'A', [
    ['MIT', 0.2],
    [' is', 0.1],
    [' fine', 0.1],
    [EOT, 0.02],
  ]),
  scored('p3', 'B', [
    ['The', 0.1],
    [' license', 2.0],
    [' is', 0.1],
    [' MIT', 0.3],
    [EOT, 0.02],
  ]),
  scored('p4', 'A', [
    ['Look', 0.1],
    [' it', 0.1],
    [' up', 0.1],
    [EOT, 0.02],
  ]),
  scored('p4', 'B', [
    ['Check', 0.1],
    [' the', 0.5],
    [' license', 2.0],
    [EOT, 0.02],
  ]),
  scored('p5', 'A', [
    ['Four', 0],
    ['.', 0],
    [EOT, 0],
  ]),
  scored('p5', 'B', [
    ['4', 0.3],
    [EOT, 0.1],
  ]),
  scored('p6', 'A', [
    ['Blue', 0.2],
    [EOT, 0.02],
  ]),
  scored('p6', 'B', [
    ['Red', 0.4],
    [' and', 0.1],
    [' blue', 0.2],
    [EOT, 0.02],
  ]),
];

/** The saved scoring of the two bundled tiny models. */
export function scoresResult(items: ScoredAnswer[] = ITEMS): ContrastiveScoresResult {
  return {
    version: 'contrastive-scores-1',
    modelA: 'transformers:tiny-base',
    modelB: 'transformers:tiny-finetune',
    sharedVocabulary: true,
    topK: 3,
    items,
  };
}

/** The same answers scored by models without one vocabulary: no KL, no per-token A values. */
export function unsharedResult(): ContrastiveScoresResult {
  const items = ITEMS.map((item) => ({
    ...item,
    meanKl: null,
    tokens: item.tokens.map((t) => ({ token: t.token, logpA: null, logpB: t.logpB, kl: null })),
  }));
  return { ...scoresResult(items), sharedVocabulary: false, topK: 0 };
}

/** The run's answers, as text, for analysis fixtures keyed by the same identities. */
export const ANSWERS: Answer[] = ITEMS.map((item) => ({
  promptId: item.promptId,
  side: item.side,
  sample: item.sample,
  text: item.tokens
    .slice(0, -1)
    .map((t) => t.token)
    .join(''),
  finishReason: 'stop',
  createdAt: '2026-12-06T17:00:00.000Z',
}));
