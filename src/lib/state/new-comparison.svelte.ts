/**
 * The new-comparison form: models A and B (or one model with a different system prompt or
 * sampling), the prompt set, and the generation settings. Starting saves an empty run and
 * hands the API keys and credential-bearing base URLs (memory only) to the generation screen.
 * An approval evaluation is a prompt source of its own (see approval-setup.svelte.ts): its run
 * records the setup and asks each statement under each condition, greedy by default.
 */
import { getCapabilities, type Capabilities } from '../backends/capabilities';
import {
  isWebLlmModelCached,
  listWebLlmModels,
  type WebLlmModelInfo,
} from '../backends/llm/webllm-models';
import { newRun } from '../core/generate/new-run';
import {
  BUILTIN_PROMPT_SET,
  DEMO_PROMPT_SET,
  parsePastedPrompts,
  parsePersonaFile,
  parsePromptFile,
  samplePrompts,
  type ParsedPrompts,
} from '../core/prompts';
import { sourceFromBlob } from '../core/run/import/blob-source';
import { sourceFromString } from '../core/run';
import { splitUrlCredentials, stripUrlCredentials } from '../core/run/scrub-credentials';
import type { BackendKind, ModelSpec, Prompt, PromptSetInfo, Side } from '../core/run/types';
import type {
  FolderCheckOptions,
  LocalFolderInfo,
  LocalModelLayout,
} from '../core/local-model/types';
import type { AppState } from './app.svelte';
import { ApprovalSetupState, fetchPersonaText } from './approval-setup.svelte';
import type { PickedFolder } from './local-folders.svelte';
import { describeError } from './describe-error';
import type { RunSecrets } from './session-secrets.svelte';
import { Task } from './task.svelte';

/** Types the form's components need, re-exported so components stay off the backends layer. */
export type { Capabilities, WebLlmModelInfo };

/** A backend the user can generate with. */
export type GeneratingBackend = Exclude<BackendKind, 'imported'>;

/**
 * Where a transformers.js or WebLLM model comes from: its usual place (the bundled models, the
 * Hugging Face hub, WebLLM's catalogue or a URL) or a folder on this computer.
 */
export type ModelSource = 'hub' | 'folder';

/** One model as the form holds it; the key never leaves memory. */
export interface ModelChoice {
  backend: GeneratingBackend;
  modelId: string;
  baseUrl: string;
  apiKey: string;
  /** WebLLM custom model: the compiled model library (.wasm) URL. */
  modelLibUrl: string;
  systemPrompt: string;
  /** transformers.js and WebLLM only; unset means 'hub'. */
  source?: ModelSource;
  /** The folder picked for source 'folder' (its files stay on disk), or null. */
  folder?: PickedFolder | null;
}

/** What model B is. */
export type InterventionKind = 'other-model' | 'system-prompt' | 'sampling';

/** Where the prompts come from; 'approval' asks yes/no statements under conditions. */
export type PromptSourceChoice = 'builtin' | 'demo' | 'pasted' | 'upload' | 'persona' | 'approval';

/** The generation settings a prompt source suggests (the user may change them). */
export interface SourceSettings {
  samplesPerPrompt: number;
  temperature: number;
  maxTokens: number;
}

/**
 * An approval run's defaults: one greedy answer (temperature 0, so a rerun reads the same yes or
 * no) and a few tokens, since only the first word is read.
 */
export const APPROVAL_SETTINGS: Readonly<SourceSettings> = Object.freeze({
  samplesPerPrompt: 1,
  temperature: 0,
  maxTokens: 16,
});

const blankModel = (modelId: string): ModelChoice => ({
  backend: 'transformers',
  modelId,
  baseUrl: '',
  apiKey: '',
  modelLibUrl: '',
  systemPrompt: '',
  source: 'hub',
  folder: null,
});

/** Whether `backend` can load a model from a folder on this computer. */
export function canUseFolder(backend: GeneratingBackend): boolean {
  return backend === 'transformers' || backend === 'webllm';
}

/** The folder layout a backend reads. */
export function folderLayout(backend: GeneratingBackend): LocalModelLayout {
  return backend === 'webllm' ? 'webllm' : 'transformers';
}

/** How a chat model's folder is checked for `backend` (the dtype the folder was last checked with). */
export function chatFolderOptions(
  backend: GeneratingBackend,
  folder?: PickedFolder | null,
): FolderCheckOptions {
  const options: FolderCheckOptions = { layout: folderLayout(backend), purpose: 'chat' };
  if (folder?.check.dtype) options.dtype = folder.check.dtype;
  return options;
}

/** The picked folder a model choice uses, or null (an API model, or none picked yet). */
export function choiceFolder(m: ModelChoice): PickedFolder | null {
  return m.source === 'folder' && canUseFolder(m.backend) ? (m.folder ?? null) : null;
}

/**
 * What a run records of a picked folder: a plain copy of its identity with the precision that
 * will load, never a file (the form's state proxies are not stored).
 */
export function folderRecord(folder: PickedFolder): LocalFolderInfo {
  const { name, layout, totalBytes, hash, files, modelLib } = folder.info;
  const dtype = folder.check.dtype ?? folder.info.dtype;
  const lib = folder.check.modelLib ?? modelLib;
  return {
    name,
    layout,
    totalBytes,
    hash,
    files: files.map((f) => ({ path: f.path, size: f.size })),
    ...(dtype ? { dtype } : {}),
    ...(lib ? { modelLib: lib } : {}),
  };
}

/** What is wrong with a choice's folder, or null when it can load (or is not a folder model). */
export function folderProblem(m: ModelChoice): string | null {
  if (m.source !== 'folder' || !canUseFolder(m.backend)) return null;
  const folder = m.folder;
  if (!folder) return "pick the model's folder on this computer.";
  if (folder.info.layout !== folderLayout(m.backend)) {
    return `the folder "${folder.info.name}" was checked for ${folder.info.layout === 'webllm' ? 'WebLLM' : 'transformers.js'}: pick it again for this library.`;
  }
  const first = folder.check.problems[0];
  if (first) {
    const more = folder.check.problems.length - 1;
    return `the folder "${folder.info.name}" cannot be loaded: ${first.message}${more > 0 ? ` (and ${more} more ${more === 1 ? 'problem' : 'problems'})` : ''}`;
  }
  return null;
}

/**
 * What the form says under a base URL that holds credentials (credential query parameters such
 * as `api_key`, or user:password): they are sent in this session only and never saved, and the
 * key belongs in the key field when there is one. Null for a URL without credentials.
 */
export function baseUrlNotice(baseUrl: string, hasKeyField: boolean): string | null {
  const { url, removedParams, removedUserInfo } = splitUrlCredentials(baseUrl.trim());
  const notes: string[] = [];
  if (removedParams.length > 0) {
    const names = removedParams.map((name) => `"${name}"`).join(', ');
    const one = removedParams.length === 1;
    notes.push(
      `${one ? 'The parameter' : 'The parameters'} ${names} of this URL ${one ? 'looks' : 'look'} ` +
        "like a credential: used for this session's requests only, never saved or exported. " +
        `The run keeps ${url}, so a reopened run sends no key.`,
    );
  }
  if (removedUserInfo) {
    notes.push(
      'A browser cannot send a user name and password written before the host; they are ' +
        'dropped and not saved.',
    );
  }
  if (notes.length === 0) return null;
  if (hasKeyField) notes.push('Put the API key in the API key field below instead.');
  return notes.join(' ');
}

/** Suggested model ids per backend, shown as the default when the backend changes. */
export const DEFAULT_MODEL_IDS: Record<GeneratingBackend, string> = {
  transformers: 'tiny-base',
  webllm: 'SmolLM2-360M-Instruct-q4f32_1-MLC',
  openai: 'gpt-4o-mini',
  anthropic: 'claude-3-5-haiku-latest',
};

/** State of the new-comparison form. */
export class NewComparisonState {
  name = $state('');
  modelA = $state<ModelChoice>(blankModel('tiny-base'));
  intervention = $state<InterventionKind>('other-model');
  modelB = $state<ModelChoice>(blankModel('tiny-finetune'));
  /** B's sampling when the intervention is a sampling change. */
  samplingB = $state({ temperature: 1.2, topP: 1 });
  #promptSource = $state<PromptSourceChoice>('demo');
  /** The free-generation settings to restore when the user leaves the approval source. */
  #freeSettings: SourceSettings | null = null;
  /** Statement files, subset and conditions of an approval evaluation. */
  readonly approval = new ApprovalSetupState();
  pastedText = $state('');
  personaName = $state('desire-for-self-improvement');
  uploaded = $state.raw<{ name: string; parsed: ParsedPrompts } | null>(null);
  /** Use a seeded random subset of this many prompts (0 = all). */
  subset = $state(0);
  samplesPerPrompt = $state(3);
  temperature = $state(0.7);
  topP = $state(0.95);
  maxTokens = $state(128);
  seed = $state(1);
  capabilities = $state.raw<Readonly<Capabilities> | null>(null);
  webLlmModels = $state.raw<WebLlmModelInfo[]>([]);
  /** WebLLM model id -> already in the browser cache (no download needed). */
  cached = $state<Record<string, boolean>>({});
  /** Reading a prompt file, downloading a persona file, saving the run. */
  readonly #task = new Task();

  constructor(private readonly app: AppState) {}

  /** Where the prompts come from. */
  get promptSource(): PromptSourceChoice {
    return this.#promptSource;
  }

  /**
   * Choosing the approval source applies its settings (greedy, one sample, few tokens); leaving
   * it brings back the settings the form had before.
   */
  set promptSource(source: PromptSourceChoice) {
    const was = this.#promptSource;
    if (source === was) return;
    this.#promptSource = source;
    if (source === 'approval') {
      this.#freeSettings = this.#settings();
      this.#apply(APPROVAL_SETTINGS);
    } else if (was === 'approval' && this.#freeSettings) {
      this.#apply(this.#freeSettings);
      this.#freeSettings = null;
    }
  }

  #settings(): SourceSettings {
    return {
      samplesPerPrompt: this.samplesPerPrompt,
      temperature: this.temperature,
      maxTokens: this.maxTokens,
    };
  }

  #apply(settings: SourceSettings): void {
    this.samplesPerPrompt = settings.samplesPerPrompt;
    this.temperature = settings.temperature;
    this.maxTokens = settings.maxTokens;
  }

  /** True while a file is read or the run is saved. */
  get busy(): boolean {
    return this.#task.busy;
  }

  /** Why the last file or the start failed, or null. */
  get error(): string | null {
    return this.#task.error;
  }

  /** Probes the browser and lists the WebLLM models it can run. */
  async probe(): Promise<void> {
    this.capabilities = await getCapabilities();
    if (this.capabilities.webgpu) {
      this.webLlmModels = await listWebLlmModels({ shaderF16: this.capabilities.shaderF16 }).catch(
        () => [],
      );
    }
  }

  /** Looks up (once) whether a WebLLM model's weights are already downloaded. */
  async checkCached(modelId: string): Promise<void> {
    if (modelId in this.cached || !this.webLlmModels.some((m) => m.modelId === modelId)) return;
    const cached = await isWebLlmModelCached(modelId).catch(() => false);
    this.cached = { ...this.cached, [modelId]: cached };
  }

  /** Prompts from the current source (before the subset), or an error message. */
  readonly basePrompts:
    { prompts: Prompt[]; info: PromptSetInfo; notes: string[] } | { error: string } = $derived.by(
    () => {
      switch (this.promptSource) {
        case 'builtin':
          return { prompts: BUILTIN_PROMPT_SET.prompts, info: BUILTIN_PROMPT_SET.info, notes: [] };
        case 'demo':
          return { prompts: DEMO_PROMPT_SET.prompts, info: DEMO_PROMPT_SET.info, notes: [] };
        case 'pasted': {
          if (!this.pastedText.trim()) return { error: 'Paste at least one prompt, one per line.' };
          try {
            const parsed = parsePastedPrompts(this.pastedText);
            return {
              prompts: parsed.prompts,
              info: { id: 'pasted', name: 'Pasted prompts', source: 'pasted' },
              notes: reportNotes(parsed),
            };
          } catch (error) {
            return { error: describeError(error) };
          }
        }
        case 'approval': {
          const problem = this.approval.problem;
          if (problem) return { error: problem };
          return {
            prompts: this.approval.prompts,
            info: this.approval.info,
            notes: this.approval.notes,
          };
        }
        case 'upload':
        case 'persona':
          if (!this.uploaded)
            return {
              error:
                this.promptSource === 'upload' ? 'Choose a prompt file.' : 'Load a persona file.',
            };
          return {
            prompts: this.uploaded.parsed.prompts,
            info: {
              id: this.uploaded.name,
              name: this.uploaded.name,
              source: this.promptSource === 'upload' ? 'upload' : 'url',
            },
            notes: reportNotes(this.uploaded.parsed),
          };
      }
    },
  );

  /** The prompts the run will use, after the seeded subset (approval: subset per file instead). */
  readonly prompts: Prompt[] = $derived.by(() => {
    const base = this.basePrompts;
    if ('error' in base) return [];
    return this.subset > 0 && this.promptSource !== 'approval'
      ? samplePrompts(base.prompts, this.subset, this.seed).prompts
      : base.prompts;
  });

  /** Number of answers to generate. */
  readonly jobCount = $derived(this.prompts.length * this.samplesPerPrompt * 2);

  /** Reads an uploaded prompt file (TXT, CSV, JSONL or a persona JSONL). */
  async upload(file: File): Promise<void> {
    await this.#task.run(async () => {
      const parsed = await parsePromptFile(sourceFromBlob(file));
      this.uploaded = { name: file.name, parsed };
    });
  }

  /** Downloads an Anthropic model-written-evals persona file by name. */
  async loadPersona(): Promise<void> {
    await this.#task.run(async () => {
      const { fileName, text } = await fetchPersonaText(this.personaName);
      this.uploaded = {
        name: fileName,
        parsed: await parsePersonaFile(sourceFromString(fileName, text)),
      };
    });
  }

  /** The two model specs the run will record (never with API keys). */
  specs(): Record<Side, ModelSpec> {
    const params = {
      temperature: this.temperature,
      topP: this.topP,
      maxTokens: this.maxTokens,
      seed: this.seed,
    };
    const spec = (m: ModelChoice, overrides: Partial<ModelSpec> = {}): ModelSpec => {
      const folder = choiceFolder(m);
      if (folder) {
        // A folder model is named by its folder; the run keeps its identity, never its files.
        return {
          label: folder.info.name,
          backend: m.backend,
          modelId: folder.info.name,
          ...(m.systemPrompt.trim() ? { systemPrompt: m.systemPrompt } : {}),
          params,
          localFolder: folderRecord(folder),
          ...overrides,
        };
      }
      return {
        label: m.modelId,
        backend: m.backend,
        modelId: m.modelId.trim(),
        // Credentials typed into the URL stay in memory (see start), never in the stored run.
        ...(m.baseUrl.trim() ? { baseUrl: stripUrlCredentials(m.baseUrl.trim()) } : {}),
        ...(m.systemPrompt.trim() ? { systemPrompt: m.systemPrompt } : {}),
        params,
        ...overrides,
      };
    };
    const A = spec(this.modelA);
    if (this.intervention === 'system-prompt') {
      return {
        A,
        B: spec(this.modelA, {
          label: `${A.label} + system prompt`,
          systemPrompt: this.modelB.systemPrompt,
        }),
      };
    }
    if (this.intervention === 'sampling') {
      const { temperature, topP } = this.samplingB;
      return {
        A,
        B: spec(this.modelA, {
          label: `${A.label} @ T=${temperature}`,
          params: { ...params, temperature, topP },
        }),
      };
    }
    const B = spec(this.modelB);
    if (B.label === A.label) B.label = `${B.label} (B)`;
    return { A, B };
  }

  /** What is wrong with the form, or null when it can start. */
  readonly problem: string | null = $derived.by(() => {
    const base = this.basePrompts;
    if ('error' in base) return base.error;
    for (const [side, m] of [
      ['A', this.modelA],
      ['B', this.modelB],
    ] as const) {
      if (side === 'B' && this.intervention !== 'other-model') continue;
      if (m.source === 'folder' && canUseFolder(m.backend)) {
        const unavailable = this.app.localFolders?.unavailable;
        if (unavailable) return `Model ${side}: ${unavailable}`;
        const wrong = folderProblem(m);
        if (wrong) return `Model ${side}: ${wrong}`;
      } else if (!m.modelId.trim()) return `Model ${side}: enter a model id.`;
      if (m.backend === 'openai' && !m.baseUrl.trim())
        return `Model ${side}: enter the endpoint URL, e.g. http://localhost:11434/v1.`;
      if (m.backend === 'anthropic' && !m.apiKey)
        return `Model ${side}: Anthropic needs an API key.`;
      if (m.backend === 'webllm' && this.capabilities && !this.capabilities.webgpu) {
        return `Model ${side}: this browser has no WebGPU, so WebLLM cannot run; choose transformers.js (CPU) or an API.`;
      }
    }
    if (this.intervention === 'system-prompt' && !this.modelB.systemPrompt.trim())
      return "Enter B's system prompt.";
    if (this.samplesPerPrompt < 1 || this.maxTokens < 1)
      return 'Samples and max tokens must be at least 1.';
    return null;
  });

  /** Records the folder picked for side `side` (after its check, or another dtype's). */
  setFolder(side: Side, folder: PickedFolder): void {
    const m = side === 'A' ? this.modelA : this.modelB;
    m.source = 'folder';
    m.folder = folder;
  }

  /** Saves the new run and returns its id; keys go to the session's secrets (memory only). */
  async start(): Promise<string | null> {
    const id = await this.#task.run(async () => {
      const problem = this.problem;
      if (problem) throw new Error(problem);
      const base = this.basePrompts as { info: PromptSetInfo };
      const models = this.specs();
      const approval = this.promptSource === 'approval';
      const label = `${models.A.label} vs ${models.B.label}`;
      const run = newRun({
        id: crypto.randomUUID(),
        name: this.name.trim() || (approval ? `Approval: ${label}` : label),
        now: new Date().toISOString(),
        models,
        promptSet: base.info,
        prompts: this.prompts,
        samplesPerPrompt: this.samplesPerPrompt,
      });
      if (approval) run.approval = this.approval.setup();
      const repo = await this.app.repo();
      await repo.create(run);
      const keyB = this.intervention === 'other-model' ? this.modelB : this.modelA;
      this.app.sessionSecrets.keepForRun(run.id, {
        A: runSecrets(this.modelA),
        B: runSecrets(keyB),
      });
      return run.id;
    });
    return id ?? null;
  }
}

/** What a side's backend needs beyond its stored spec; see RunSecrets. */
function runSecrets(m: ModelChoice): RunSecrets {
  const secrets: RunSecrets = {
    apiKey: m.apiKey || undefined,
    modelLibUrl: m.modelLibUrl || undefined,
  };
  // Set only when it differs: it replaces the stored base URL when the backend is built.
  const typed = m.baseUrl.trim();
  if (typed && splitUrlCredentials(typed).removedParams.length > 0) secrets.baseUrl = typed;
  return secrets;
}

function reportNotes(parsed: ParsedPrompts): string[] {
  const notes = [...parsed.report.warnings];
  if (parsed.report.duplicates.length)
    notes.push(`${parsed.report.duplicates.length} duplicate prompts were left out.`);
  if (parsed.report.emptyLines.length)
    notes.push(`${parsed.report.emptyLines.length} empty lines were skipped.`);
  return notes;
}
