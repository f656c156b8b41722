/**
 * The application root state: routing, theme, the run store and the workers, handed to
 * components through a typed context so no component reaches persistence or workers itself.
 */
import { createContext } from 'svelte';
import { openDb } from '../persistence/db';
import { StorageUnavailableError, toStorageError } from '../persistence/errors';
import { installMemoryIndexedDb } from '../persistence/memory-db';
import { RunRepository } from '../persistence/runs';
import { settingsCanBeRemembered } from '../persistence/site-settings';
import { requestPersistentStorage } from '../persistence/storage';
import { demoRun } from '../core/generate/new-run';
import { Router } from './router.svelte';
import { LocalFolders } from './local-folders.svelte';
import { SessionSecrets } from './session-secrets.svelte';
import { ThemeState } from './theme.svelte';

/** Everything shared by the screens. */
export class AppState {
  readonly router = new Router();
  readonly theme = new ThemeState();
  /** A message about storage the user should see (e.g. persistence not granted), or null. */
  storageNotice = $state<string | null>(null);
  /**
   * Where runs are kept: `saved` in the browser's IndexedDB, `memory` in this tab only (the
   * browser blocks site storage); null until the store is first opened.
   */
  runStorage = $state<'saved' | 'memory' | null>(null);
  /** Whether settings (theme, teaching mode) are remembered across visits. */
  readonly settingsRemembered = settingsCanBeRemembered();
  /** API keys and other credentials, in this tab's memory only. */
  readonly sessionSecrets = new SessionSecrets();
  /** Model folders picked in this tab, served to the model libraries by the service worker. */
  readonly localFolders = new LocalFolders();
  /** Runs created in this tab whose generation should start when their page opens. */
  readonly autostart = new Set<string>();
  #repo: Promise<RunRepository> | undefined;

  /** The run repository; opening failures are not cached, so a later call retries. */
  repo(): Promise<RunRepository> {
    this.#repo ??= this.#openRepo().catch((error: unknown) => {
      this.#repo = undefined;
      throw error;
    });
    return this.#repo;
  }

  /** Opens the saved runs; where the browser refuses IndexedDB, a store in this tab's memory. */
  async #openRepo(): Promise<RunRepository> {
    try {
      const db = await openDb();
      this.runStorage = 'saved';
      return new RunRepository(db);
    } catch (error) {
      // Reading `indexedDB` itself can throw a bare SecurityError; that too means "refused".
      // Quota, version and blocked-upgrade errors are real storage: those are reported.
      if (!(toStorageError(error) instanceof StorageUnavailableError)) throw error;
      await installMemoryIndexedDb();
      const db = await openDb();
      this.runStorage = 'memory';
      return new RunRepository(db);
    }
  }

  /**
   * Says once, calmly, what is off when the browser blocks site storage; otherwise asks for
   * persistent storage (asking a browser that blocks storage would only add a second notice).
   */
  async checkStorage(): Promise<void> {
    // A failure to open is shown where runs are used (library, run page), not here.
    await this.repo().catch(() => undefined);
    const off: string[] = [];
    if (this.runStorage === 'memory') {
      off.push('runs last only until this tab is closed (export the ones to keep)');
    }
    if (!this.settingsRemembered) off.push('settings are not remembered');
    if (off.length > 0) {
      this.storageNotice = `This browser blocks site storage: ${off.join(' and ')}.`;
      return;
    }
    await this.askForPersistentStorage();
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
