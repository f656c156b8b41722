/** Telling a queue's subscribers about a change without letting a broken one stop the queue. */

/**
 * Calls every listener with the snapshot and event. A listener that throws is a bug in a view:
 * the queue goes on, and the error is rethrown outside it (in a microtask) so it is still seen.
 */
export function notifyListeners<S, E>(
  listeners: ReadonlySet<(snapshot: S, event: E) => void>,
  snapshot: () => S,
  event: E,
): void {
  if (listeners.size === 0) return;
  const current = snapshot();
  for (const listener of listeners) {
    try {
      listener(current, event);
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}
