/**
 * Named storage errors. IndexedDB reports failures as bare DOMExceptions whose names mean
 * nothing to a user; these carry a message that says what to do, and keep the original as
 * `cause` for the console.
 */

/** Base class of every error this module throws, so callers can catch storage failures at once. */
export class StorageError extends Error {
  override name = 'StorageError';
}

/** The browser refused a write because the site's storage quota is used up. */
export class StorageQuotaError extends StorageError {
  override name = 'StorageQuotaError';
  constructor(options?: ErrorOptions) {
    super(
      "The browser's storage for this site is full: delete old runs in the library or free disk space, then try again.",
      options,
    );
  }
}

/** Opening the database needs an upgrade that another open tab is holding up. */
export class StorageBlockedError extends StorageError {
  override name = 'StorageBlockedError';
  constructor(options?: ErrorOptions) {
    super(
      'Another Behaviour Diff tab is using an older version of the saved data: close other Behaviour Diff tabs and reload.',
      options,
    );
  }
}

/** IndexedDB is missing or forbidden (some private-browsing modes, disabled site data). */
export class StorageUnavailableError extends StorageError {
  override name = 'StorageUnavailableError';
  constructor(options?: ErrorOptions) {
    super(
      'This browser does not let Behaviour Diff save data (private browsing or blocked site data?): ' +
        'allow site data for this page or use a normal window. Runs can still be exported as files.',
      options,
    );
  }
}

/** The saved data belongs to a newer version of the app than the one running in this tab. */
export class StorageVersionError extends StorageError {
  override name = 'StorageVersionError';
  constructor(
    message = 'The saved data was upgraded by a newer version of Behaviour Diff in another tab: reload this page.',
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A run id that is not in the library. */
export class RunNotFoundError extends StorageError {
  override name = 'RunNotFoundError';
  constructor(readonly runId: string) {
    super(`No saved run has the id "${runId}": it may have been deleted in another tab.`);
  }
}

/** `create` was given a run whose id is already saved. */
export class RunExistsError extends StorageError {
  override name = 'RunExistsError';
  constructor(readonly runId: string) {
    super(`A run with the id "${runId}" is already saved: import it as a copy instead.`);
  }
}

/** A record that is malformed: either about to be written, or read back damaged from the store. */
export class InvalidRecordError extends StorageError {
  override name = 'InvalidRecordError';
}

/** Whether `error` is a DOMException-like value with the given name (works across realms). */
function hasName(error: unknown, ...names: string[]): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    'name' in error &&
    names.includes((error as { name: unknown }).name as string)
  );
}

/**
 * Maps a raw IndexedDB failure to one of the named errors above; anything unknown (and our
 * own errors) is returned unchanged so no information is lost.
 */
export function toStorageError(error: unknown): unknown {
  if (error instanceof StorageError) return error;
  // Firefox used its own name for quota failures before it adopted the standard one.
  if (hasName(error, 'QuotaExceededError', 'NS_ERROR_DOM_QUOTA_REACHED')) {
    return new StorageQuotaError({ cause: error });
  }
  if (hasName(error, 'VersionError')) {
    return new StorageVersionError(
      'The saved data was written by a newer version of Behaviour Diff: reload the page to get the latest version.',
      { cause: error },
    );
  }
  // Thrown synchronously by put() for functions, DOM nodes and the like inside a record.
  if (hasName(error, 'DataCloneError')) {
    return new InvalidRecordError(
      'Could not save: the data contains a value the browser cannot store (such as a function).',
      { cause: error },
    );
  }
  // Private modes and disabled site data surface as these on `open`.
  if (hasName(error, 'SecurityError')) return new StorageUnavailableError({ cause: error });
  return error;
}
