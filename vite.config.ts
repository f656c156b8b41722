import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Cross-origin isolation lets threaded WASM (onnxruntime-web) use SharedArrayBuffer.
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

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
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['@huggingface/transformers', 'onnxruntime-web'] },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 6000,
  },
});
