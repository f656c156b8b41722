/**
 * `npm run score -- MODEL_A_FLAGS MODEL_B_FLAGS --in FILE.jsonl --out SCORES.json [--top-k N]
 * [--batch N]` (`--help` lists them and the formats; the table is in score-options.ts, the
 * model flags in model-flags.ts).
 *
 * Contrastive scoring from the command line: every answer of the file, as the reply to its
 * prompt, is scored token by token under model A and model B (log probabilities, the
 * end-of-turn token included, and where both are local with one vocabulary the KL(B || A) of
 * their next-token distributions), with the answer's totals, llr and mean KL. Both models local:
 * one batched pass each (backends/llm/contrastive-score's scoreContrastive). A model given by
 * URL is scored through vLLM's prompt log probabilities (OpenAiPromptLogprobScorer), the other
 * side on its own, and the two token lists are paired (core/contrastive/divergence's
 * alignTokenLogprobs): no KL there. Nothing is written unless every answer scored. Progress goes
 * to stderr, the summary to stdout.
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OpenAiPromptLogprobScorer } from '../src/lib/backends/llm/prompt-logprobs';
import type { ContrastiveItem } from '../src/lib/backends/llm/worker-protocol';
import { pairSeparateScores } from '../src/lib/core/contrastive/divergence';
import type { ScoredText, TextScore } from '../src/lib/core/contrastive/types';
import { UsageError } from './analyze-options';
import { resolveBothModels, type ResolvedModel } from './model-flags';
import { ProgressLine } from './progress-line';
import { parseScoreArgs, parseScoreInput, scoreHelp, type ScoreCommand } from './score-options';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const log = (line: string) => process.stderr.write(`score: ${line}\n`);

/** A progress callback (done, total) feeding a ProgressLine, which counts one item a tick. */
function progressOf(line: ProgressLine): (done: number) => void {
  let ticked = 0;
  return (done) => {
    while (ticked < done) {
      ticked++;
      line.tick();
    }
  };
}

// Imported when a local model is used: transformers.js and onnxruntime take seconds to load, and
// --help, a bad line or two servers never need them.
const contrastiveScore = () => import('../src/lib/backends/llm/contrastive-score');

/** A local side's transformers.js backend, loaded. */
async function loadLocal(model: ResolvedModel) {
  const backend = await model.createLocalBackend!();
  log(`${model.side} (${model.spec.label}): loading`);
  await backend.load();
  return backend;
}

/** Both models local: one batched pass each, KL where the vocabulary is shared. */
async function scoreBothLocal(
  models: readonly [ResolvedModel, ResolvedModel],
  items: readonly ContrastiveItem[],
  command: ScoreCommand,
): Promise<TextScore[]> {
  const [{ scoreContrastive }, a, b] = await Promise.all([
    contrastiveScore(),
    loadLocal(models[0]),
    loadLocal(models[1]),
  ]);
  try {
    const progress = new ProgressLine(log, 'A+B', items.length, 'answers');
    const reply = await scoreContrastive(a, b, items, {
      topK: command.topK,
      batchSize: command.batchSize,
      onProgress: progressOf(progress),
    });
    if (!reply.sharedVocabulary) {
      log(
        'the two models have different tokenizers: kl is null, and logpA is null on every token of an answer A splits differently',
      );
    }
    return reply.scores;
  } finally {
    await Promise.all([a.unload(), b.unload()]);
  }
}

/** One side's tokens with their log probabilities, from a server or a local model. */
async function sideTokens(
  model: ResolvedModel,
  items: readonly ContrastiveItem[],
  command: ScoreCommand,
): Promise<{ token: string; logprob: number }[][]> {
  const progress = progressOf(new ProgressLine(log, model.side, items.length, 'answers'));
  const { source } = model;
  if (source.kind === 'url') {
    // resolveModel has checked that the variable is set.
    const apiKey = source.keyEnv ? process.env[source.keyEnv] : undefined;
    const scorer = new OpenAiPromptLogprobScorer({
      baseUrl: source.url,
      model: source.model,
      pageOrigin: null,
      ...(apiKey ? { apiKey } : {}),
    });
    log(`${model.side} (${model.spec.label}): prompt log probabilities from ${scorer.id}`);
    return scorer.scoreTokens(items, { onProgress: progress });
  }
  const [{ scoreTokenLogprobs }, backend] = await Promise.all([
    contrastiveScore(),
    loadLocal(model),
  ]);
  try {
    return await scoreTokenLogprobs(backend, items, {
      batchSize: command.batchSize,
      onProgress: progress,
    });
  } finally {
    await backend.unload();
  }
}

/** A model given by URL on either side: each side scored alone, the token lists paired. */
async function scoreSeparately(
  models: readonly [ResolvedModel, ResolvedModel],
  items: readonly ContrastiveItem[],
  command: ScoreCommand,
): Promise<TextScore[]> {
  // One side at a time: a local model need not share memory with anything.
  const tokensA = await sideTokens(models[0], items, command);
  const tokensB = await sideTokens(models[1], items, command);
  return items.map((_, i) => pairSeparateScores(tokensA[i]!, tokensB[i]!));
}

/** The output item of one input line, in the documented field order; top lists only when asked. */
function scoredText(
  line: { prompt: string; answer: string },
  score: TextScore,
  topK: number,
): ScoredText {
  return {
    prompt: line.prompt,
    answer: line.answer,
    tokens: score.tokens.map((t) => ({
      token: t.token,
      logpA: t.logpA,
      logpB: t.logpB,
      kl: t.kl,
      ...(topK > 0 && t.topA ? { topA: t.topA } : {}),
      ...(topK > 0 && t.topB ? { topB: t.topB } : {}),
    })),
    logpA: score.logpA,
    logpB: score.logpB,
    llr: score.llr,
    meanKl: score.meanKl,
  };
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

async function main(): Promise<void> {
  const command = parseScoreArgs(process.argv.slice(2));
  if (command === null) {
    console.log(scoreHelp());
    return;
  }
  const started = performance.now();
  // Everything is checked before any model loads: a bad line, folder or flag costs nothing.
  const info = await stat(command.in).catch(() => null);
  if (!info?.isFile()) throw new UsageError(`--in ${command.in}: no such file`);
  const lines = parseScoreInput(await readFile(command.in, 'utf8'), command.in);
  const items: ContrastiveItem[] = lines.map((l) => ({
    messages: [{ role: 'user', content: l.prompt }],
    answer: l.answer,
  }));
  const models = await resolveBothModels(command.models, {
    root,
    log,
    ...(command.dtype ? { dtype: command.dtype } : {}),
  });
  const out = resolve(command.out);
  await mkdir(dirname(out), { recursive: true });
  log(`${items.length} answers from ${command.in}`);
  const scores = models.every((m) => m.createLocalBackend)
    ? await scoreBothLocal(models, items, command)
    : await scoreSeparately(models, items, command);
  const output = { items: lines.map((line, i) => scoredText(line, scores[i]!, command.topK)) };
  // One item a line: a valid JSON document that stays readable and greppable when large.
  await writeFile(
    out,
    `{"items": [\n${output.items.map((item) => JSON.stringify(item)).join(',\n')}\n]}\n`,
  );
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const kls = output.items.flatMap((item) => (item.meanKl === null ? [] : [item.meanKl]));
  console.log(
    `score: ${items.length} answers, A (${models[0].spec.label}) vs B (${models[1].spec.label}): mean llr ${mean(output.items.map((item) => item.llr)).toFixed(3)}, mean KL ${kls.length ? mean(kls).toFixed(3) : '-'}; ${seconds} s -> ${out}`,
  );
}

process.once('SIGINT', () => {
  log('interrupted: nothing was written (the scores are written when every answer is in)');
  process.exit(130);
});

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`score: ${message.split('\n')[0]}`);
  process.exit(1);
});
