import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

/**
 * The Content-Security-Policy of index.html's meta tag. The served header is read from it, so
 * the two cannot drift: the meta is what a host that sets no headers still enforces.
 */
function metaContentSecurityPolicy(): string {
  const html = readFileSync(fileURLToPath(new URL('./index.html', import.meta.url)), 'utf8');
  const policy = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i.exec(
    html,
  )?.[1];
  if (!policy || policy.includes('&')) {
    throw new Error(
      'index.html: expected <meta http-equiv="Content-Security-Policy" content="..."> with the ' +
        'policy written out plainly (no character references); the served CSP header is read from it.',
    );
  }
  return policy;
}

const baseHeaders = {
  // Cross-origin isolation lets threaded WASM (onnxruntime-web) use SharedArrayBuffer.
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'X-Content-Type-Options': 'nosniff',
  // The app links to model hubs and papers; none of them needs to know which page sent the user.
  'Referrer-Policy': 'no-referrer',
};

// No X-Frame-Options and no frame-ancestors: a course page may embed the demo in an iframe.
const previewHeaders = { ...baseHeaders, 'Content-Security-Policy': metaContentSecurityPolicy() };

const EMPTY_MODULE = '\0behaviour-diff:empty';

/** The service worker that serves picked model folders (src/lib/workers/local-models.sw.ts). */
const LOCAL_MODELS_SW_SOURCE = 'src/lib/workers/local-models.sw.ts';
/** Its URL next to index.html: a worker's scope can be no wider than its own folder. */
const LOCAL_MODELS_SW_FILE = 'local-models-sw.js';

/**
 * Emits the local-models service worker as one file at the site root (build), and serves it at
 * the same URL from the TypeScript source (dev), so registering `./local-models-sw.js` works in
 * both; the source has no imports, so the output is one self-contained script.
 */
function localModelsServiceWorker(): Plugin {
  return {
    name: 'behaviour-diff:local-models-sw',
    buildStart() {
      // Only the app's build: worker bundles run their own plugin pipeline.
      if (this.meta.watchMode === false && this.environment?.name === 'client') {
        this.emitFile({
          type: 'chunk',
          id: LOCAL_MODELS_SW_SOURCE,
          fileName: LOCAL_MODELS_SW_FILE,
        });
      }
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        if (req.url?.split('?')[0] !== `/${LOCAL_MODELS_SW_FILE}`) return next();
        server
          .transformRequest(`/${LOCAL_MODELS_SW_SOURCE}`)
          .then((result) => {
            res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
            res.setHeader('Cache-Control', 'no-cache');
            // The type checker's `export {}` would make the classic worker script fail to parse.
            res.end((result?.code ?? '').replace(/^export\s*\{\s*\};?\s*$/m, ''));
          })
          .catch(next);
      });
    },
  };
}

/**
 * Plotly's registry requires MapLibre's stylesheet for map subplots; our partial Plotly has no
 * map traces, so the 80 KB stylesheet is replaced by an empty module.
 */
function dropMapLibreCss(): Plugin {
  return {
    name: 'behaviour-diff:drop-maplibre-css',
    enforce: 'pre',
    resolveId: (id) => (id === 'maplibre-gl/dist/maplibre-gl.css' ? EMPTY_MODULE : null),
    load: (id) => (id === EMPTY_MODULE ? 'export {};' : null),
  };
}

export default defineConfig({
  // A relative base makes the built dist/ work from any sub-path without a rebuild.
  base: './',
  plugins: [svelte(), dropMapLibreCss(), localModelsServiceWorker()],
  // The dev server sends no CSP header: the page still gets the meta policy, but a header
  // would also cover Vite's dev-only modules and workers, which the built site never serves.
  server: { headers: baseHeaders },
  preview: { headers: previewHeaders },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['@huggingface/transformers', 'onnxruntime-web'] },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 6000,
  },
});
