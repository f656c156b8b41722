/** Turning any thrown value into one sentence a user can act on. */
import { RemoteError } from '../workers/rpc';

/** A user-facing message for `error`, keeping the specific text of named errors. */
export function describeError(error: unknown): string {
  if (error instanceof RemoteError || error instanceof Error) {
    if (error.name === 'AbortError') return 'Cancelled.';
    return error.message || error.name;
  }
  return String(error);
}
