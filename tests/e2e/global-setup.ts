import { preview, type PreviewServer } from 'vite';
import { existsSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { chromiumOrExit } from './find-chromium';

let server: PreviewServer | undefined;

/** The built site to serve; E2E_DIST lets parallel builds (e.g. several worktrees' checks) not collide. */
const DIST = process.env.E2E_DIST ?? 'dist';

/** Serves the built site with `vite preview` (COOP/COEP headers included) for the e2e suite. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  project.provide('chromiumPath', chromiumOrExit());
  if (!existsSync(`${DIST}/index.html`)) {
    throw new Error(`${DIST}/ is missing: run \`npm run build\` first (npm run test:e2e does).`);
  }
  server = await preview({
    build: { outDir: DIST },
    preview: { port: 0, host: '127.0.0.1', strictPort: false },
    logLevel: 'warn',
  });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not report a local URL');
  project.provide('baseUrl', url);
  return async () => {
    await server?.close();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    /** The browser found by findChromium, launched by every e2e file. */
    chromiumPath: string;
  }
}
