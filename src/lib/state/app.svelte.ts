/**
 * The application root state: routing, theme, the run store and the workers, handed to
 * components through a typed context so no component reaches persistence or workers itself.
 */
import { createContext } from 'svelte';
import { openDb } from '../persistence/db';
import { RunRepository } from '../persistence/runs';
import { requestPersistentStorage } from '../persistence/storage';
import { Router } from './router.svelte';
import { ThemeState } from './theme.svelte';

/** Everything shared by the screens. */
export class AppState {
  readonly router = new Router();
  readonly theme = new ThemeState();
  /** A message about storage the user should see (e.g. persistence not granted), or null. */
  storageNotice = $state<string | null>(null);
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
