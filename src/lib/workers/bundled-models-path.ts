/** Where the transformers.js workers find the bundled models, as seen from the page. */

/** Root-relative path of the bundled models folder, right for any deployment sub-path. */
export function bundledModelsPath(): string {
  return new URL(`${import.meta.env.BASE_URL}models/`, document.baseURI).pathname;
}
