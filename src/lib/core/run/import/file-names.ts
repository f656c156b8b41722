/**
 * Telling chosen files apart. alpaca_eval keeps every model's answers in a file of the same
 * name (`results/<model>/model_outputs.json`), so a file's name alone cannot identify it in
 * the file list, in error messages or in the import report: its folder has to say it.
 */

const ALPACA_OUTPUTS_STEM = 'model_outputs';

/** Extensions the importer reads; other files found in a dropped folder are left out. */
const READABLE = /\.(json|jsonl|ndjson|csv|tsv|txt)$/i;

function segmentsOf(path: string): string[] {
  return path.split(/[\\/]+/).filter((s) => s !== '');
}

/**
 * A name for each path that no other path in the list shares: the shortest trailing part of
 * the path that is unique ("gpt4/model_outputs.json"), numbered for paths that are the same
 * ("model_outputs (1).json": two files of one name chosen without their folders).
 */
export function distinctFileNames(paths: readonly string[]): string[] {
  const segments = paths.map(segmentsOf);
  const tail = (i: number, k: number) => segments[i]!.slice(-k).join('/');
  const names = segments.map((own, i) => {
    for (let k = 1; k < own.length; k++) {
      const candidate = tail(i, k);
      if (segments.every((_, j) => j === i || tail(j, k) !== candidate)) return candidate;
    }
    return own.join('/') || paths[i]!;
  });
  return names.map((name, i) =>
    names.some((other, j) => j !== i && other === name) ? numbered(name, i + 1) : name,
  );
}

// "model_outputs (2).json", as browsers name a second download: the extension stays last,
// where format detection looks for it.
function numbered(name: string, n: number): string {
  const dot = name.lastIndexOf('.');
  const slash = name.lastIndexOf('/');
  return dot > slash + 1 ? `${name.slice(0, dot)} (${n})${name.slice(dot)}` : `${name} (${n})`;
}

/**
 * The model name a file stands for when its content names none: its distinct name without the
 * extension ("base/answers"), or for alpaca_eval's `<model>/model_outputs.json` the folder,
 * which is where alpaca_eval names the model.
 */
export function modelNameFromFileName(name: string): string {
  const segments = segmentsOf(name);
  const stem = (segments.at(-1) ?? name).replace(/\.[^.]+$/, '');
  const folder = segments.at(-2);
  if (stem === ALPACA_OUTPUTS_STEM && folder) return folder;
  return [...segments.slice(0, -1), stem].join('/');
}

/**
 * Which files found inside dropped or picked folders to import (indices into `paths`): the
 * readable ones, not hidden; and when there are alpaca_eval `model_outputs.json` files among
 * them, only those, since their folders also hold annotations and leaderboards.
 */
export function filesToImportFromFolders(paths: readonly string[]): number[] {
  const readable = paths
    .map((path, i) => ({ i, name: segmentsOf(path).at(-1) ?? '' }))
    .filter(({ name }) => READABLE.test(name) && !name.startsWith('.'));
  const outputs = readable.filter(({ name }) => name === `${ALPACA_OUTPUTS_STEM}.json`);
  return (outputs.length > 0 ? outputs : readable).map(({ i }) => i);
}
