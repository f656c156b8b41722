/**
 * The analysis panel of one run: the settings, the saved analyses and the one shown. Running an
 * analysis (embed, cache, analyse, save) is `analyseRun`'s work; this class gives it the app's
 * workers and mirrors its step, progress and error for the screen.
 */
import {
  embedWorkerRequest,
  folderEmbedderHash,
  folderEmbedderId,
  folderEmbedWorkerRequest,
} from './embed-request';
import { LocalFolderNeededError } from '../core/local-model/errors';
import type { FolderCheckOptions, LocalFolderInfo } from '../core/local-model/types';
import type { LocalFolders, PickedFolder } from './local-folders.svelte';
import { folderRecord } from './new-comparison.svelte';
import {
  analysisParams,
  BUNDLED_ANALYSIS_EMBEDDER,
  type AnalysisParams,
  type SENTENCE_ANALYSIS_EMBEDDER,
} from '../core/analysis';
import type { Run } from '../core/run/types';
import { OpenAiEmbedder } from '../backends/embed/openai';
import {
  analyseRun,
  savedAnalyses,
  type AnalysisRunContext,
  type LoadedEmbedder,
  type SavedAnalysis,
} from './analysis-runner';
import type { ProgressUpdate } from '../workers/rpc';
import type { AppState } from './app.svelte';
import { Task } from './task.svelte';
import { analysisWorker } from '../workers/analysis-client';
import { embedWorker } from '../workers/embed-client';

/**
 * Which embedder the user picked; an endpoint's real id depends on its URL and model, a
 * folder's on its identity (folderEmbedderId).
 */
export type EmbedderChoice =
  typeof BUNDLED_ANALYSIS_EMBEDDER | typeof SENTENCE_ANALYSIS_EMBEDDER | 'openai' | 'folder';

/** How an embedder's folder is checked: a transformers.js feature-extraction model. */
export const EMBEDDER_FOLDER_OPTIONS: Readonly<FolderCheckOptions> = Object.freeze({
  layout: 'transformers',
  purpose: 'embedder',
});

/** The analysis settings as saved: an embedder from a folder is recorded by its identity. */
type SavedSettings = Partial<AnalysisParams> & { embedderFolder?: LocalFolderInfo };

/** An OpenAI-compatible embeddings endpoint; the key is the session's (SessionSecrets). */
export interface EmbeddingEndpoint {
  baseUrl: string;
  model: string;
  apiKey: string;
}

/** State of the analysis panel of one run. */
export class AnalysisState {
  params = $state<AnalysisParams>(analysisParams());
  embedder = $state<EmbedderChoice>(BUNDLED_ANALYSIS_EMBEDDER);
  /** The endpoint's URL and model; its key is held with the session's other secrets. */
  endpoint = $state<Omit<EmbeddingEndpoint, 'apiKey'>>({
    baseUrl: '',
    model: 'text-embedding-3-small',
  });
  /** The folder picked for the 'folder' embedder in this tab, or null. */
  embedderFolder = $state.raw<PickedFolder | null>(null);
  /**
   * The folder the shown analysis's embedder came from (its params' `embedderFolder`), so a
   * reopened run can say which folder to pick to analyse again with it.
   */
  previousEmbedderFolder = $state.raw<LocalFolderInfo | null>(null);
  saved = $state.raw<SavedAnalysis[]>([]);
  /** The analysis shown: the newest, or one the user picked. */
  selectedId = $state<string | null>(null);
  /** Something the last analysis did that the user should know, e.g. vectors it replaced. */
  notice = $state<string | null>(null);
  readonly #task = new Task();

  readonly current = $derived(
    this.saved.find((s) => s.id === this.selectedId) ?? this.saved[0] ?? null,
  );

  constructor(private readonly app: AppState) {}

  /** The tab's picked folders (the embedder's folder is picked there). */
  get localFolders(): LocalFolders {
    return this.app.localFolders;
  }

  /**
   * The folder the 'folder' embedder will load: the one picked here, else one picked in this
   * tab with the previous analysis's identity; null when none.
   */
  get chosenFolder(): PickedFolder | null {
    if (this.embedderFolder) return this.embedderFolder;
    const previous = this.previousEmbedderFolder;
    return (previous && this.app.localFolders?.byHash(previous.hash)) ?? null;
  }

  /** What stops an analysis with the folder embedder, or null (also null for other embedders). */
  get folderProblem(): string | null {
    if (this.embedder !== 'folder') return null;
    const folder = this.chosenFolder;
    if (!folder) {
      const previous = this.previousEmbedderFolder;
      return previous
        ? new LocalFolderNeededError(previous, 'embedder').message
        : "Pick the embedder's folder on this computer.";
    }
    const first = folder.check.problems[0];
    return first ? `The folder "${folder.info.name}" cannot be loaded: ${first.message}` : null;
  }

  /** The embeddings endpoint's API key, kept in SessionSecrets (memory only). */
  get endpointApiKey(): string {
    return this.app.sessionSecrets.embeddingApiKey;
  }

  set endpointApiKey(key: string) {
    this.app.sessionSecrets.embeddingApiKey = key;
  }

  /** True while an analysis runs. */
  get busy(): boolean {
    return this.#task.busy;
  }

  /** The step under way, e.g. "Embedding answers". */
  get step(): string | null {
    return this.#task.step;
  }

  /** How far the current step is. */
  get progress(): ProgressUpdate | null {
    return this.#task.progress;
  }

  /** Why the last analysis failed, or null. */
  get error(): string | null {
    return this.#task.error;
  }

  /** Shows the analyses stored with the run. */
  load(run: Run): void {
    this.saved = savedAnalyses(run.analyses);
    this.selectedId = this.saved[0]?.id ?? null;
    const last = this.saved[0]?.result.params;
    if (last) {
      this.params = { ...last };
      this.embedder = last.embedderId.startsWith('openai:')
        ? 'openai'
        : folderEmbedderHash(last.embedderId)
          ? 'folder'
          : (last.embedderId as EmbedderChoice);
      const record = run.analyses.find((a) => a.id === this.saved[0]?.id);
      this.previousEmbedderFolder =
        this.embedder === 'folder' ? embedderFolderOf(record?.params) : null;
    }
  }

  /** Embeds and analyses `run` with the current settings, then saves the result. */
  async run(run: Run): Promise<void> {
    this.notice = null;
    const settings: SavedSettings = $state.snapshot(this.params);
    const folder = this.embedder === 'folder' ? this.chosenFolder : null;
    const problem = this.folderProblem;
    // Recorded with the analysis so a reopened run can say which folder its embedder was.
    if (folder && !problem) settings.embedderFolder = folderRecord(folder);
    const loadEmbedder = problem
      ? () => Promise.reject(new Error(problem))
      : this.#embedderLoader(folder);
    await this.#task.run(async (context) => {
      const outcome = await analyseRun(
        run,
        settings,
        {
          repo: await this.app.repo(),
          loadEmbedder,
          analyse: (request, { signal, progress }) =>
            analysisWorker.call('analyse', request, {
              signal,
              onProgress: progress,
              transfer: [request.vectors.data.buffer as ArrayBuffer],
            }),
        },
        context,
      );
      this.notice = outcome.notice;
      this.saved = [outcome.saved, ...this.saved];
      this.selectedId = outcome.saved.id;
    });
  }

  /**
   * Loads the embedder chosen now, as an analysis does (the approval view's statement clusters
   * embed with it too); rejects with the folder's problem when a folder is chosen but unusable.
   */
  loadChosenEmbedder(context: AnalysisRunContext): Promise<LoadedEmbedder> {
    const problem = this.folderProblem;
    if (problem) return Promise.reject(new Error(problem));
    return this.#embedderLoader(this.embedder === 'folder' ? this.chosenFolder : null)(context);
  }

  /**
   * Loads the embedder chosen now (a later change of choice does not affect this analysis):
   * transformers.js in the embed worker, or an HTTP endpoint.
   */
  #embedderLoader(
    folder: PickedFolder | null,
  ): (context: AnalysisRunContext) => Promise<LoadedEmbedder> {
    const choice = this.embedder;
    if (choice === 'folder' && folder) {
      const info = folder.info;
      const folders = this.app.localFolders;
      return (context) => loadFolderEmbedder(info, folders, context);
    }
    const endpoint = { ...$state.snapshot(this.endpoint), apiKey: this.endpointApiKey };
    return (context) => loadAppEmbedder(choice, endpoint, context);
  }

  /** Cancels the analysis in progress; nothing is saved. */
  cancel(): void {
    this.#task.cancel();
  }
}

/** The `embedderFolder` an analysis record's params hold, if it is one (files never are). */
function embedderFolderOf(params: Record<string, unknown> | undefined): LocalFolderInfo | null {
  const folder = params?.embedderFolder as Partial<LocalFolderInfo> | undefined;
  return folder && typeof folder.hash === 'string' && Array.isArray(folder.files)
    ? (folder as LocalFolderInfo)
    : null;
}

/** An embedder picked from a folder, in the embed worker, fetched through the service worker. */
async function loadFolderEmbedder(
  info: LocalFolderInfo,
  folders: LocalFolders,
  { signal, progress: onProgress }: AnalysisRunContext,
): Promise<LoadedEmbedder> {
  const request = await folderEmbedWorkerRequest(info, folders);
  await embedWorker.call('load', request, { signal, onProgress });
  return {
    embedderId: folderEmbedderId(info),
    embed: (batch) =>
      embedWorker.call('embed', { ...request, texts: batch }, { signal, onProgress }),
  };
}

/** The app's embedder for `choice`: transformers.js in the embed worker, or an HTTP endpoint. */
async function loadAppEmbedder(
  choice: EmbedderChoice,
  endpoint: EmbeddingEndpoint,
  { signal, progress: onProgress }: AnalysisRunContext,
): Promise<LoadedEmbedder> {
  if (choice === 'openai') {
    const { baseUrl, model, apiKey } = endpoint;
    if (!baseUrl.trim() || !model.trim())
      throw new Error('Enter the endpoint URL and the embedding model name.');
    const remote = new OpenAiEmbedder({
      baseUrl: baseUrl.trim(),
      model: model.trim(),
      apiKey: apiKey || undefined,
    });
    await remote.load();
    return {
      embedderId: remote.id,
      embed: (batch) =>
        remote.embed(batch, {
          signal,
          onProgress: (p) => onProgress({ phase: 'embedding', done: p.done, total: p.total }),
        }),
    };
  }
  const request = await embedWorkerRequest(choice.slice('transformers:'.length));
  await embedWorker.call('load', request, { signal, onProgress });
  return {
    embedderId: choice,
    embed: (batch) =>
      embedWorker.call('embed', { ...request, texts: batch }, { signal, onProgress }),
  };
}
