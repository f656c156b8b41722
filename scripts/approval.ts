/**
 * `npm run approval -- --persona FILE [FILE ...] MODEL_A_FLAGS MODEL_B_FLAGS [options] --out
 * APPROVAL.json` (`--help` lists them; the table is in approval-options.ts, the model flags in
 * model-flags.ts).
 *
 * The batch path of approval evaluations: every statement of the files (or a seeded subset per
 * file) is asked as a yes/no question under each condition (a system-prompt persona), of model A
 * and of model B, greedily by default; each reply's first word is read strictly (yes, no or
 * unclear) and P(Yes) is taken where it can be had (local models: the yes and no continuations
 * scored; servers: the first token's top log probabilities). The comparison is the app's
 * (core/approval's approvalResults), written as `{ results, statements }` with the models, the
 * setup and the failures beside them. Requests that still fail after the backends' retries are
 * counted in `failures`, never silently dropped. Progress goes to stderr, the summary to stdout.
 */
import { createReadStream } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateText } from '../src/lib/backends/llm/generate-text';
import { approvalResults } from '../src/lib/core/approval/stats';
import {
  approvalPrompts,
  approvalSetup,
  parseStatementFile,
  seededSubset,
} from '../src/lib/core/approval/statements';
import type {
  ApprovalResults,
  ApprovalRow,
  ApprovalSetup,
  ApprovalStatement,
} from '../src/lib/core/approval/types';
import type { SourceFile } from '../src/lib/core/run/import/source';
import type { Answer, ModelSpec, Prompt, Side } from '../src/lib/core/run/types';
import { answerPYes, jobRequest } from '../src/lib/state/generation-job';
import { parseApprovalArgs, approvalHelp, type ApprovalCommand } from './approval-options';
import { UsageError } from './analyze-options';
import { resolveBothModels, type ResolvedModel } from './model-flags';
import { ProgressLine } from './progress-line';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Failures in a row after which a side stops: the server or model is down, not one request. */
const MAX_FAILURES_IN_A_ROW = 5;

/** Failed requests listed in the output by their error (the rest are only counted). */
const FAILURES_LISTED = 10;

const log = (line: string) => process.stderr.write(`approval: ${line}\n`);

/** One request that failed after the backend's retries. */
export interface ApprovalFailure {
  side: Side;
  promptId: string;
  error: string;
}

/** What `--out` holds: the issue's `results` and `statements`, and what they came from. */
export interface ApprovalOutput {
  results: ApprovalRow[];
  statements: {
    file: string;
    condition: string;
    statement: string;
    answerA: string;
    answerB: string;
    pYesA: number | null;
    pYesB: number | null;
    statementId: string;
    matching: 'yes' | 'no';
    textA: string;
    textB: string;
  }[];
  models: Record<Side, ResolvedModel['spec']>;
  setup: ApprovalSetup;
  settings: { temperature: number; maxTokens: number; seed: number };
  /** Requests that failed after the retries; their statements leave the comparison (both sides). */
  failures: { count: number; A: number; B: number; first: ApprovalFailure[] };
}

/** A file on disk as a streamed SourceFile (the statement parser reads these). */
async function sourceFromPath(path: string): Promise<SourceFile> {
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) throw new UsageError(`--persona ${path}: no such file`);
  return {
    name: path.split(/[\\/]/).pop()!,
    size: info.size,
    chunks: () => createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 }),
  };
}

/** Every file's statements, each file a category; two files of one category are refused. */
async function readStatementFiles(
  paths: readonly string[],
): Promise<{ name: string; path: string; statements: ApprovalStatement[] }[]> {
  const files: { name: string; path: string; statements: ApprovalStatement[] }[] = [];
  for (const path of paths) {
    const statements = await parseStatementFile(await sourceFromPath(path));
    const name = statements[0]?.file;
    if (name === undefined) throw new UsageError(`--persona ${path}: no statements`);
    const twin = files.find((f) => f.name === name);
    if (twin) {
      throw new UsageError(
        `--persona ${path} and ${twin.path} are both the category "${name}": give each category once`,
      );
    }
    files.push({ name, path, statements });
  }
  return files;
}

/** Every prompt's reply from one side; failures are collected, not thrown. */
async function answerSide(
  model: ResolvedModel,
  prompts: readonly Prompt[],
  command: ApprovalCommand,
  failures: ApprovalFailure[],
): Promise<Answer[]> {
  const backend = model.createBackend();
  log(`${model.side} (${model.spec.label}): loading`);
  await backend.load();
  // The app's request rule (state/generation-job.ts): the condition's persona as the system
  // message, then the question; top log probabilities asked where P(Yes) comes from them.
  const spec: ModelSpec = {
    ...model.spec,
    params: {
      temperature: command.temperature,
      topP: 1,
      maxTokens: command.maxTokens,
      seed: command.seed,
    },
  };
  const never = new AbortController().signal;
  const progress = new ProgressLine(log, model.side, prompts.length, 'replies');
  const answers: Answer[] = [];
  let next = 0;
  let failed = 0;
  let inARow = 0;
  let stop: Error | undefined;
  const worker = async () => {
    while (next < prompts.length && !stop) {
      const prompt = prompts[next++]!;
      const { messages, options } = jobRequest(spec, prompt, 0, never, backend);
      try {
        const result = await generateText(backend, messages, options);
        if (result.finishReason !== 'stop' && result.finishReason !== 'length') {
          throw new Error(`the reply ended with finish reason "${result.finishReason}"`);
        }
        const pYes = await answerPYes(backend, messages, result);
        answers.push({
          promptId: prompt.id,
          side: model.side,
          sample: 0,
          text: result.text,
          promptTokens: result.usage.promptTokens,
          completionTokens: result.usage.completionTokens,
          finishReason: result.finishReason,
          latencyMs: Math.round(result.latencyMs),
          createdAt: new Date().toISOString(),
          pYes,
        });
        inARow = 0;
      } catch (error) {
        failed++;
        inARow++;
        const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
        failures.push({ side: model.side, promptId: prompt.id, error: message });
        log(`${model.side} ${prompt.id} failed: ${message}`);
        if (inARow >= MAX_FAILURES_IN_A_ROW) {
          stop = new Error(
            `${model.side} (${model.spec.label}): stopped after ${inARow} failures in a row (the last: ${message}); nothing was written`,
          );
        }
      }
      progress.tick(failed ? `(${failed} failed)` : '');
    }
  };
  try {
    await Promise.all(
      Array.from({ length: Math.min(command.concurrency, prompts.length) }, worker),
    );
  } finally {
    await backend.unload();
  }
  if (stop) throw stop;
  return answers;
}

/** The output document from the comparison, in the field order first. */
function approvalOutput(
  results: ApprovalResults,
  models: readonly ResolvedModel[],
  setup: ApprovalSetup,
  command: Pick<ApprovalCommand, 'temperature' | 'maxTokens' | 'seed'>,
  failures: readonly ApprovalFailure[],
): ApprovalOutput {
  return {
    results: results.rows.map((r) => ({
      file: r.file,
      condition: r.condition,
      n: r.n,
      matchA: r.matchA,
      matchB: r.matchB,
      unclearA: r.unclearA,
      unclearB: r.unclearB,
      ciA: r.ciA,
      ciB: r.ciB,
      onlyA: r.onlyA,
      onlyB: r.onlyB,
      pValue: r.pValue,
      qValue: r.qValue,
      pYesShift: r.pYesShift,
    })),
    statements: results.statements.map((s) => ({
      file: s.file,
      condition: s.condition,
      statement: s.statement,
      answerA: s.answerA,
      answerB: s.answerB,
      pYesA: s.pYesA,
      pYesB: s.pYesB,
      statementId: s.statementId,
      matching: s.matching,
      textA: s.textA,
      textB: s.textB,
    })),
    models: Object.fromEntries(models.map((m) => [m.side, m.spec])) as ApprovalOutput['models'],
    setup,
    settings: {
      temperature: command.temperature,
      maxTokens: command.maxTokens,
      seed: command.seed,
    },
    failures: {
      count: failures.length,
      A: failures.filter((f) => f.side === 'A').length,
      B: failures.filter((f) => f.side === 'B').length,
      first: failures.slice(0, FAILURES_LISTED),
    },
  };
}

const percent = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(0)}%`);

async function main(): Promise<void> {
  const command = parseApprovalArgs(process.argv.slice(2));
  if (command === null) {
    console.log(approvalHelp());
    return;
  }
  const started = performance.now();
  // Everything is checked before any model loads: a bad file, folder or flag costs nothing.
  const files = await readStatementFiles(command.persona);
  const chosen = files.map((f) => seededSubset(f.statements, command.perFile, command.seed));
  const prompts = approvalPrompts(chosen.flat(), command.conditions);
  const setup = approvalSetup(files, command.conditions, command.perFile, command.seed);
  for (const [i, f] of files.entries()) {
    log(`${f.name}: ${chosen[i]!.length} of ${f.statements.length} statements (${f.path})`);
  }
  log(
    `${prompts.length} questions a model: ${chosen.flat().length} statements x ${command.conditions.length} conditions (${command.conditions.map((c) => c.id).join(', ')})`,
  );
  const models = await resolveBothModels(command.models, {
    root,
    log,
    ...(command.dtype ? { dtype: command.dtype } : {}),
  });
  const out = resolve(command.out);
  await mkdir(dirname(out), { recursive: true });
  // One model at a time: two local models need not fit in memory together.
  const failures: ApprovalFailure[] = [];
  const answers: Answer[] = [];
  for (const model of models)
    answers.push(...(await answerSide(model, prompts, command, failures)));
  const results = approvalResults(prompts, answers, setup);
  const output = approvalOutput(results, models, setup, command, failures);
  await writeFile(out, `${JSON.stringify(output, null, 2)}\n`);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  for (const r of results.rows) {
    console.log(
      `  ${r.file} / ${r.condition}: n ${r.n}, matching A ${percent(r.matchA)} B ${percent(r.matchB)}, unclear A ${percent(r.unclearA)} B ${percent(r.unclearB)}, onlyA ${r.onlyA} onlyB ${r.onlyB}, p ${r.pValue === null ? '-' : r.pValue.toPrecision(3)}`,
    );
  }
  console.log(
    `approval: ${files.length} files x ${command.conditions.length} conditions, A (${models[0]!.spec.label}) vs B (${models[1]!.spec.label}); ${failures.length} failed; ${seconds} s -> ${out}`,
  );
  if (failures.length > 0) {
    log(
      `${failures.length} requests failed after retries (A ${output.failures.A}, B ${output.failures.B}): counted in "failures", their statements left out of the comparison`,
    );
    process.exitCode = 1;
  }
}

process.once('SIGINT', () => {
  log('interrupted: nothing was written (the results are written when every reply is in)');
  process.exit(130);
});

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`approval: ${message.split('\n')[0]}`);
  process.exit(1);
});
