/**
 * The approval part of the new-comparison form: the statement files (persona JSONL or plain
 * lists, loaded by name or uploaded, each file a category), the seeded subset per file, and the
 * conditions (built-in personas and the user's own). It yields the run's prompts and the setup
 * the run records; the form around it owns the models and the generation settings.
 */
import {
  BUILTIN_CONDITIONS,
  approvalPrompts,
  approvalSetup,
  customCondition,
  parseStatementFile,
  seededSubset,
  type ApprovalCondition,
  type ApprovalSetup,
  type ApprovalStatement,
} from '../core/approval';
import { personaFileUrl, personaNameFromFileName } from '../core/prompts';
import { sourceFromBlob } from '../core/run/import/blob-source';
import { sourceFromString, type SourceFile } from '../core/run/import/source';
import type { Prompt, PromptSetInfo } from '../core/run/types';
import { describeError } from './describe-error';
import { Task } from './task.svelte';

/** One statement file read without error. */
export interface LoadedStatementFile {
  /** The category its statements carry (persona files: the persona name). */
  name: string;
  /** The file name as uploaded or downloaded, e.g. "agreeableness.jsonl". */
  fileName: string;
  /** How it arrived: picked from this computer, or downloaded by persona name. */
  via: 'upload' | 'url';
  statements: ApprovalStatement[];
}

/** A file that could not be read, with the reader's message (it names the line). */
export interface StatementFileProblem {
  fileName: string;
  message: string;
}

/** Statements per file a new approval setup asks (a few minutes with the bundled tiny models). */
export const DEFAULT_PER_FILE = 20;

/**
 * Downloads persona file `name` from the public evals repository as text.
 * @throws Error saying the network could not be reached (upload instead) or what the server said.
 */
export async function fetchPersonaText(
  name: string,
  fetcher: typeof fetch = fetch,
): Promise<{ fileName: string; text: string }> {
  const url = personaFileUrl(name);
  const response = await fetcher(url).catch(() => {
    throw new Error(
      `Could not reach ${url}: check the network, or download the file and upload it instead.`,
    );
  });
  if (!response.ok) {
    throw new Error(`${url} answered ${response.status}: is "${name.trim()}" a persona file name?`);
  }
  const bare = name.trim().replace(/\.jsonl$/i, '');
  return { fileName: `${bare}.jsonl`, text: await response.text() };
}

/** State of the approval setup (statement files, subset, conditions). */
export class ApprovalSetupState {
  /** Files read without error, in the order they were added. */
  files = $state.raw<LoadedStatementFile[]>([]);
  /** Files that could not be read (the latest attempt of each file name). */
  problems = $state.raw<StatementFileProblem[]>([]);
  /** The persona file to download by name. */
  personaName = $state('desire-for-self-improvement');
  /** Seeded subset size per file; 0 = every statement. */
  perFile = $state(DEFAULT_PER_FILE);
  seed = $state(1);
  /** The user's own conditions, in the order they were added. */
  custom = $state.raw<ApprovalCondition[]>([]);
  /** Ids of the conditions (built in or custom) the run asks under. */
  chosen = $state<string[]>(BUILTIN_CONDITIONS.map((c) => c.id));
  /** The "Add a persona" fields. */
  newName = $state('');
  newPrompt = $state('');
  /** Why the last "Add a persona" was refused, or null. */
  addProblem = $state<string | null>(null);
  readonly #task = new Task();

  constructor(private readonly fetcher: typeof fetch = (...args) => fetch(...args)) {}

  /** True while files are read or downloaded. */
  get busy(): boolean {
    return this.#task.busy;
  }

  /** Why the last download failed (offline, unknown name), or null. */
  get error(): string | null {
    return this.#task.error;
  }

  /** Every condition on offer: the built-in ones, then the user's. */
  readonly available: readonly ApprovalCondition[] = $derived([
    ...BUILTIN_CONDITIONS,
    ...this.custom,
  ]);

  /** The chosen conditions, in the order they are offered. */
  readonly conditions: ApprovalCondition[] = $derived(
    this.available.filter((c) => this.chosen.includes(c.id)),
  );

  /** The statements the run asks: each file's seeded subset, files in order. */
  readonly statements: ApprovalStatement[] = $derived.by(() => {
    // A half-typed subset size or seed asks nothing yet (the problem says why).
    if (!this.#validSubset) return [];
    return this.files.flatMap((f) => seededSubset(f.statements, this.subsetSize, this.seed));
  });

  /** One prompt per statement and condition (empty while the setup has a problem). */
  readonly prompts: Prompt[] = $derived(
    this.problem === null ? approvalPrompts(this.statements, this.conditions) : [],
  );

  /** What keeps the setup from starting (no file, no condition, a bad subset), or null. */
  get problem(): string | null {
    if (this.files.length === 0) {
      return 'Load a persona file by name or upload at least one statement file.';
    }
    if (this.conditions.length === 0) return 'Choose at least one condition.';
    if (!Number.isInteger(this.perFile) || this.perFile < 0) {
      return 'Statements per file must be a whole number (0 = all).';
    }
    if (!Number.isInteger(this.seed)) return 'The subset seed must be a whole number.';
    return null;
  }

  get #validSubset(): boolean {
    return Number.isInteger(this.perFile) && this.perFile >= 0 && Number.isInteger(this.seed);
  }

  /** The prompt set the run names: the files' categories. */
  get info(): PromptSetInfo {
    const names = this.files.map((f) => f.name);
    return {
      id: `approval:${names.join(',')}`,
      name: `Approval: ${names.join(', ')}`,
      source: this.files.every((f) => f.via === 'url') ? 'url' : 'upload',
    };
  }

  /** A sentence per file, for the summary under the prompt source. */
  get notes(): string[] {
    return this.files.map((f) => {
      const asked = Math.min(f.statements.length, this.subsetSize ?? Infinity);
      return `${f.name}: ${asked} of ${f.statements.length} statements.`;
    });
  }

  /** The setup the run records (call only when `problem` is null). */
  setup(): ApprovalSetup {
    return approvalSetup(
      this.files.map((f) => ({ name: f.name, statements: f.statements })),
      this.conditions,
      this.subsetSize,
      this.seed,
    );
  }

  /** Reads picked files, several at once; each good file is added, each bad one listed. */
  async upload(files: Iterable<File>): Promise<void> {
    const picked = [...files];
    await this.#task.run(async () => {
      for (const file of picked) await this.#read(sourceFromBlob(file), 'upload');
    });
  }

  /** Downloads the persona file named in `personaName` and adds it. */
  async loadPersona(): Promise<void> {
    await this.#task.run(async () => {
      const { fileName, text } = await fetchPersonaText(this.personaName, this.fetcher);
      await this.#read(sourceFromString(fileName, text), 'url');
    });
  }

  /** Removes a loaded file (by category name). */
  remove(name: string): void {
    this.files = this.files.filter((f) => f.name !== name);
  }

  /** Adds the persona typed in `newName` and `newPrompt` as a chosen condition. */
  addCondition(): boolean {
    const name = this.newName.trim();
    const prompt = this.newPrompt.trim();
    if (!name || !prompt) {
      this.addProblem = 'Give the persona a name and a system prompt.';
      return false;
    }
    if (this.available.some((c) => c.name.toLowerCase() === name.toLowerCase())) {
      this.addProblem = `There is already a condition named "${name}".`;
      return false;
    }
    const condition = customCondition(name, prompt, this.available);
    this.custom = [...this.custom, condition];
    this.chosen.push(condition.id);
    this.newName = '';
    this.newPrompt = '';
    this.addProblem = null;
    return true;
  }

  /** Removes one of the user's conditions. */
  removeCondition(id: string): void {
    this.custom = this.custom.filter((c) => c.id !== id);
    this.chosen = this.chosen.filter((c) => c !== id);
  }

  /** The subset size the core functions take: null = every statement. */
  get subsetSize(): number | null {
    return this.perFile > 0 ? this.perFile : null;
  }

  async #read(source: SourceFile, via: LoadedStatementFile['via']): Promise<void> {
    const fileName = source.name;
    this.problems = this.problems.filter((p) => p.fileName !== fileName);
    let statements: ApprovalStatement[];
    try {
      statements = await parseStatementFile(source);
    } catch (error) {
      this.problems = [...this.problems, { fileName, message: describeError(error) }];
      return;
    }
    const name = statements[0]?.file ?? personaNameFromFileName(fileName);
    const loaded: LoadedStatementFile = { name, fileName, via, statements };
    // The same category again replaces the earlier copy (a re-download or a corrected file).
    const at = this.files.findIndex((f) => f.name === name);
    this.files =
      at === -1 ? [...this.files, loaded] : this.files.map((f, i) => (i === at ? loaded : f));
  }
}
