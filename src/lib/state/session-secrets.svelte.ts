/**
 * Where this tab keeps credentials: API keys, base URLs with credential parameters and custom
 * model library URLs per run and side, and the embeddings endpoint's key. Memory only: they never
 * go into IndexedDB, run files, exports or URLs, so a reload forgets them; nothing asks for them
 * again, and an endpoint that needs a key then refuses (AuthError).
 */
import type { Side } from '../core/run/types';

/** What a run's backends need that must never be stored. */
export interface RunSecrets {
  apiKey?: string;
  modelLibUrl?: string;
  /**
   * The base URL as typed, when it held credential query parameters (`?api_key=…`): the run
   * stores it without them, this session's requests use it with them. Absent otherwise, because
   * it replaces the stored base URL when the backend is built.
   */
  baseUrl?: string;
}

/** The session's credentials, held for as long as the tab lives. */
export class SessionSecrets {
  readonly #runs = new Map<string, Record<Side, RunSecrets>>();
  /** The OpenAI-compatible embeddings endpoint's API key, typed on the analysis panel. */
  embeddingApiKey = $state('');

  /** What run `runId`'s two sides need beyond their stored specs, if this tab was given it. */
  forRun(runId: string): Readonly<Record<Side, RunSecrets>> | undefined {
    return this.#runs.get(runId);
  }

  /** Keeps what run `runId`'s sides need for this session (the form hands it over on start). */
  keepForRun(runId: string, secrets: Record<Side, RunSecrets>): void {
    this.#runs.set(runId, secrets);
  }
}
