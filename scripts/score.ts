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
import type { TransformersChatBackend } from '../src/lib/backends/llm/transformers';
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
): Promise<(TextScore | string)[]> {
  const [{ scoreContrastive }, a, b] = await Promise.all([
    contrastiveScore(),
    loadLocal(models[0]),
    loadLocal(models[1]),
  ]);
  try {
    const skipped = await skippedItems([a, b], items);
    const kept = items.filter((_, i) => skipped[i] === null);
    const progress = new ProgressLine(log, 'A+B', kept.length, 'answers');
    const reply = await scoreContrastive(a, b, kept, {
      topK: command.topK,
      batchSize: command.batchSize,
      onProgress: progressOf(progress),
    });
    if (!reply.sharedVocabulary) {
      log(
        'the two models have different tokenizers: kl is null, and logpA is null on every token of an answer A splits differently',
      );
    }
    const scores = [...reply.scores];
    return skipped.map((reason) => reason ?? scores.shift()!);
  } finally {
    await Promise.all([a.unload(), b.unload()]);
  }
}

/**
 * Why each item cannot be scored under the local models (too long for one of them), or null: such
 * an item is left out and written with the reason instead of stopping the whole file.
 */
async function skippedItems(
  models: readonly TransformersChatBackend[],
  items: readonly ContrastiveItem[],
): Promise<(string | null)[]> {
  const { unscorableItems } = await contrastiveScore();
  const reasons = await Promise.all(models.map((m) => unscorableItems(m, items)));
  return items.map((_, i) => {
    const reason = reasons.map((r) => r[i]).find((r) => r !== null) ?? null;
    if (reason) log(`line ${i + 1}: left out: ${reason}`);
    return reason;
  });
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

/** An input line that could not be scored (too long for a local model), with the reason. */
interface SkippedText {
  prompt: string;
  answer: string;
  skipped: string;
  tokens: [];
  logpA: null;
  logpB: null;
  llr: null;
  meanKl: null;
}

/** The output item of one input line, in the documented field order; top lists only when asked. */
function scoredText(
  line: { prompt: string; answer: string },
  score: TextScore | string,
  topK: number,
): ScoredText | SkippedText {
  if (typeof score === 'string') {
    return {
      prompt: line.prompt,
      answer: line.answer,
      skipped: score,
      tokens: [],
      logpA: null,
      logpB: null,
      llr: null,
      meanKl: null,
    };
  }
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
  const llrs = output.items.flatMap((item) => (item.llr === null ? [] : [item.llr]));
  const left = output.items.length - llrs.length;
  console.log(
    `score: ${llrs.length} answers${left ? ` (${left} left out: too long)` : ''}, A (${models[0].spec.label}) vs B (${models[1].spec.label}): mean llr ${llrs.length ? mean(llrs).toFixed(3) : '-'}, mean KL ${kls.length ? mean(kls).toFixed(3) : '-'}; ${seconds} s -> ${out}`,
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
