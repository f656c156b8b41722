/**
 * Hash-based routing: a static site served from any path (even a sub-path) needs no
 * server rewrites when the route lives after `#`.
 */

/** Every screen of the app. */
export type Route =
  | { name: 'home' }
  | { name: 'library' }
  | { name: 'import' }
  | { name: 'new' }
  | { name: 'demo' }
  | { name: 'diagnostics' }
  | { name: 'run'; id: string };

/** Reads a route from a location hash such as `#/run/abc`. Unknown hashes go home. */
export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [head, id] = parts;
  switch (head) {
    case 'library':
    case 'import':
    case 'new':
    case 'demo':
    case 'diagnostics':
      return { name: head };
    case 'run':
      return id ? { name: 'run', id } : { name: 'library' };
    default:
      return { name: 'home' };
  }
}

/** Writes a route as a location hash. */
export function routeToHash(route: Route): string {
  return route.name === 'run' ? `#/run/${encodeURIComponent(route.id)}` : `#/${route.name}`;
}

/** The current route, kept in sync with `location.hash` (back/forward buttons work). */
export class Router {
  route = $state<Route>({ name: 'home' });

  constructor() {
    this.route = parseRoute(location.hash);
    window.addEventListener('hashchange', () => {
      this.route = parseRoute(location.hash);
    });
  }

  /** Navigates to `route`, adding a history entry. */
  go(route: Route): void {
    const hash = routeToHash(route);
    if (location.hash === hash) this.route = route;
    else location.hash = hash;
  }
}
