/**
 * The application root state: routing, theme, the run store and the workers, handed to
 * components through a typed context so no component reaches persistence or workers itself.
 */
import { createContext } from 'svelte';
import { openDb } from '../persistence/db';
import { RunRepository } from '../persistence/runs';
import { requestPersistentStorage } from '../persistence/storage';
import { demoRun } from '../core/generate/new-run';
import type { Side } from '../core/run/types';
import { Router } from './router.svelte';
import { ThemeState } from './theme.svelte';

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

/** Everything shared by the screens. */
export class AppState {
  readonly router = new Router();
  readonly theme = new ThemeState();
  /** A message about storage the user should see (e.g. persistence not granted), or null. */
  storageNotice = $state<string | null>(null);
  /**
   * API keys, base URLs with their credential parameters and custom model library URLs per run
   * and side. Memory only: they never go into IndexedDB, run files or URLs, so a reloaded page
   * asks for them again.
   */
  readonly secrets = new Map<string, Record<Side, RunSecrets>>();
  /** Runs created in this tab whose generation should start when their page opens. */
  readonly autostart = new Set<string>();
  #repo: Promise<RunRepository> | undefined;

  /** The run repository; opening failures are not cached, so a later call retries. */
  repo(): Promise<RunRepository> {
    this.#repo ??= openDb()
      .then((db) => new RunRepository(db))
      .catch((error: unknown) => {
        this.#repo = undefined;
        throw error;
      });
    return this.#repo;
  }

  /** Creates the offline demo run (tiny-base vs tiny-finetune) and opens it; generation starts there. */
  async startDemo(): Promise<void> {
    const run = demoRun(crypto.randomUUID(), new Date().toISOString());
    await (await this.repo()).create(run);
    this.autostart.add(run.id);
    this.router.go({ name: 'run', id: run.id });
  }

  /** Asks the browser to keep our data under storage pressure; says so when it refuses. */
  async askForPersistentStorage(): Promise<void> {
    const result = await requestPersistentStorage();
    if (result === 'denied') {
      this.storageNotice =
        'The browser may delete saved runs when disk space runs low. Export runs you want to keep.';
    }
  }
}

/** Reads and provides the AppState context. */
export const [getAppState, setAppState] = createContext<AppState>();
