/** The opened run: its prompts with A's and B's answers side by side, searchable and paged. */
import type { Supervision } from '../core/explain/explanation-of';
import type { Answer, Hypothesis, Prompt, Run } from '../core/run/types';
import { jobKey } from '../core/generate/jobs';
import { answersToCsv, runToLlmComparator, serializeRunFile } from '../core/run';
import { answersToJsonl } from '../core/run/export/answers-jsonl';
import { describeDroppedVectors } from '../core/analysis/imported-vectors';
import { describeDroppedAnalysis } from '../core/analysis/result-schema';
import type { AppState } from './app.svelte';
import { downloadFile, fileStem } from './download';
import { describeError } from './describe-error';
import { PagedSearch } from './paged-search.svelte';
import { Task } from './task.svelte';

/** One prompt with its answers from each side, samples in order. */
export interface PromptRow {
  prompt: Prompt;
  a: Answer[];
  b: Answer[];
}

/** Groups answers under their prompts, keeping prompt order and sample order. */
export function groupAnswers(prompts: Prompt[], answers: Answer[]): PromptRow[] {
  const rows = new Map<string, PromptRow>();
  for (const prompt of prompts) rows.set(prompt.id, { prompt, a: [], b: [] });
  for (const answer of answers) {
    const row = rows.get(answer.promptId);
    if (row) (answer.side === 'A' ? row.a : row.b).push(answer);
  }
  for (const row of rows.values()) {
    row.a.sort((x, y) => x.sample - y.sample);
    row.b.sort((x, y) => x.sample - y.sample);
  }
  return [...rows.values()];
}

/** State of the run screen. */
export class RunViewState {
  run = $state.raw<Run | null>(null);
  /** What was left out of the run (on import, or unreadable saved analyses), one sentence each. */
  notices = $state.raw<string[]>([]);
  /** Only prompts of this category; '' for all. */
  category = $state('');

  readonly rows = $derived(this.run ? groupAnswers(this.run.prompts, this.run.answers) : []);
  readonly categories = $derived(
    [...new Set(this.rows.map((r) => r.prompt.category).filter((c): c is string => !!c))].sort(),
  );
  /** The prompt and answer search, and the page of prompts shown. */
  readonly #search = new PagedSearch<PromptRow>({
    items: () => this.rows,
    texts: (row) => [row.prompt.text, ...row.a.map((x) => x.text), ...row.b.map((x) => x.text)],
    keep: (row) => !this.category || row.prompt.category === this.category,
  });

  /** Loading the run: busy while it opens, and why it could not. */
  readonly #loading = new Task();

  constructor(private readonly app: AppState) {}

  /** True while the run is being opened. */
  get loading(): boolean {
    return this.#loading.busy;
  }

  /** Why the run could not be opened, or null. */
  get error(): string | null {
    return this.#loading.error;
  }

  /** The search text over prompts and answers. */
  get query(): string {
    return this.#search.query;
  }

  set query(query: string) {
    this.#search.query = query;
  }

  /** The page shown, from 0. */
  get page(): number {
    return this.#search.page;
  }

  set page(page: number) {
    this.#search.page = page;
  }

  /** Rows matching the search and category. */
  get filtered(): PromptRow[] {
    return this.#search.filtered;
  }

  /** Pages of matching rows (at least one). */
  get pageCount(): number {
    return this.#search.pageCount;
  }

  /** The rows on the page shown. */
  get visible(): PromptRow[] {
    return this.#search.visible;
  }

  /** Loads run `id` from the store; a newer load supersedes it, whichever finishes first. */
  async load(id: string): Promise<void> {
    await this.#loading.run(async ({ signal }) => {
      try {
        const repo = await this.app.repo();
        const { run, droppedAnalyses } = await repo.openChecked(id);
        const imported = repo.takeImportReport(id);
        if (signal.aborted) return;
        // An analysis dropped at import is not in the store, so it cannot be listed twice.
        this.notices = [
          ...describeDroppedVectors(imported?.droppedVectors ?? []),
          ...[...(imported?.droppedAnalyses ?? []), ...droppedAnalyses].map(
            describeDroppedAnalysis,
          ),
        ];
        this.run = run;
        this.page = 0;
      } catch (error) {
        // A superseded load's failure must not blank the run a newer load opened.
        if (signal.aborted) return;
        this.run = null;
        this.notices = [];
        throw error;
      }
    });
  }

  /** Shows newly generated answers (a stored answer for the same job replaces the old one). */
  addAnswers(answers: readonly Answer[]): void {
    const run = this.run;
    if (!run || answers.length === 0) return;
    const fresh = new Set(answers.map(jobKey));
    this.run = {
      ...run,
      answers: [...run.answers.filter((a) => !fresh.has(jobKey(a))), ...answers],
    };
  }

  /** Shows a supervisor's latest results: its explanation and hypotheses replace the shown ones. */
  applySupervision(supervision: Supervision): void {
    const run = this.run;
    if (!run) return;
    const id = supervision.explanation.id;
    this.run = {
      ...run,
      explanations: [...run.explanations.filter((e) => e.id !== id), supervision.explanation],
      hypotheses: [
        ...run.hypotheses.filter((h) => h.explanationId !== id),
        ...supervision.hypotheses,
      ],
    };
  }

  /**
   * Adds the user's own hypothesis to explanation `explanationId` (judged on its held-out prompts
   * when the supervisor continues), or replaces hypothesis `replaces`: an edited text gets a new
   * id, because judgements are keyed by hypothesis id and the old ones judged the old text.
   */
  async saveHypothesis(explanationId: string, text: string, replaces?: string): Promise<void> {
    const run = this.run;
    const trimmed = text.trim();
    if (!run || !trimmed) return;
    const repo = await this.app.repo();
    const hypothesis: Hypothesis = {
      id: `${explanationId}~user~${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`,
      text: trimmed,
      createdAt: new Date().toISOString(),
      source: 'user',
      explanationId,
    };
    await repo.putHypothesis(run.id, hypothesis);
    if (replaces) await repo.deleteHypothesis(run.id, replaces);
    const current = this.run ?? run;
    this.run = {
      ...current,
      hypotheses: [...current.hypotheses.filter((h) => h.id !== replaces), hypothesis],
    };
  }

  /** Deletes a hypothesis (the supervisor's or the user's); its judgements stay in the log. */
  async deleteHypothesis(id: string): Promise<void> {
    const run = this.run;
    if (!run) return;
    await (await this.app.repo()).deleteHypothesis(run.id, id);
    const current = this.run ?? run;
    this.run = { ...current, hypotheses: current.hypotheses.filter((h) => h.id !== id) };
  }

  /** Renames the open run. */
  async rename(name: string): Promise<void> {
    const run = this.run;
    const trimmed = name.trim();
    if (!run || !trimmed || trimmed === run.name) return;
    await (await this.app.repo()).rename(run.id, trimmed);
    this.run = { ...run, name: trimmed };
  }

  /**
   * Downloads the run as a run file, the answers as CSV (for spreadsheets) or JSONL (exact, for
   * tools), or LLM Comparator JSON. The run file is read from the store at that moment, so it
   * holds the analyses made since the page opened and every vector they used.
   */
  async export(kind: 'run' | 'csv' | 'jsonl' | 'llm-comparator'): Promise<void> {
    const run = this.run;
    if (!run) return;
    const stem = fileStem(run.name);
    if (kind === 'run') {
      try {
        const current = await (await this.app.repo()).exportRun(run.id);
        downloadFile(`${stem}.behaviour-diff.json`, serializeRunFile(current), 'application/json');
      } catch (error) {
        this.notices = [...this.notices, `Could not export the run file: ${describeError(error)}`];
      }
    } else if (kind === 'csv') {
      downloadFile(`${stem}.answers.csv`, answersToCsv(run), 'text/csv');
    } else if (kind === 'jsonl') {
      downloadFile(`${stem}.answers.jsonl`, answersToJsonl(run), 'application/jsonl');
    } else {
      const json = JSON.stringify(runToLlmComparator(run), null, 1);
      downloadFile(`${stem}.llm-comparator.json`, json, 'application/json');
    }
  }
}
