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
  plugins: [svelte(), dropMapLibreCss()],
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
