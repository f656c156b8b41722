/**
 * What `--embedder` names, for `npm run analyze`: the bundled embedder, a local folder in the
 * transformers.js layout, or a model on the hub. A hub model that is not cached needs a
 * download; when the hub cannot be reached the error says so and how to work offline.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { env } from '@huggingface/transformers';
import type { TransformersSource } from '../src/lib/backends/embed/transformers';
import type { FolderProblem } from '../src/lib/core/local-model';
import { checkFolderOnDisk } from './model-flags';

/** The files a model folder needs (transformers.js layout, fp32 weights). */
export const MODEL_FOLDER_FILES = ['config.json', 'tokenizer.json', 'onnx/model.onnx'] as const;

/** How the CLI loads the embedder it was given. */
export interface CliEmbedderChoice {
  /** What transformers.js is asked for: a bundled folder name, an absolute folder, or a hub id. */
  modelId: string;
  source: TransformersSource;
  kind: 'bundled' | 'folder' | 'hub';
}

const isDirectory = (path: string) =>
  stat(path).then(
    (info) => info.isDirectory(),
    () => false,
  );

/** A problem that only says a needed file is absent (the core check's plain wording for it). */
const plainlyMissing = (p: FolderProblem) =>
  (MODEL_FOLDER_FILES as readonly string[]).includes(p.file) &&
  p.message.startsWith(p.file === 'onnx/model.onnx' ? 'no ONNX weights' : `${p.file} is missing`);

/**
 * The core folder check's problems in one line. Only absent files: the short list of what the
 * layout needs; anything more specific (a PyTorch checkpoint, an older export's file names,
 * broken JSON, another precision): the check's own sentences, which say what to do.
 */
export function folderProblemsText(problems: readonly FolderProblem[]): string {
  if (problems.every(plainlyMissing)) {
    return `the folder is not in the transformers.js layout, it lacks ${problems.map((p) => p.file).join(', ')} (needs ${MODEL_FOLDER_FILES.join(', ')})`;
  }
  return `the folder cannot be loaded: ${problems.map((p) => p.message).join('; ')}`;
}

const looksLikePath = (value: string) => /^(\.{1,2}[\\/]|[\\/]|~)|\\/.test(value) || value === '.';

/**
 * Resolves `--embedder VALUE`; `modelsRoot` is the folder of the bundled models.
 * @throws Error when VALUE is a path that is not a folder, or a folder failing the core check
 *   (core/local-model/check-folder.ts, the same check the app and `npm run generate` use).
 */
export async function chooseEmbedder(
  value: string,
  modelsRoot: string,
): Promise<CliEmbedderChoice> {
  const localModelPath = modelsRoot.endsWith('/') ? modelsRoot : `${modelsRoot}/`;
  if (value === 'bundled') {
    return {
      modelId: 'bundled-embedder',
      source: { localModelPath, allowRemoteModels: false },
      kind: 'bundled',
    };
  }
  // An existing folder wins over a hub id of the same shape ("models/mine" could be either).
  if (await isDirectory(value)) {
    const folder = resolve(value);
    // The embedder loads fp32 weights (TransformersEmbedder's default), so that is what is checked.
    const { check } = await checkFolderOnDisk(folder, 'embedder', 'fp32');
    if (!check.ok) throw new Error(`--embedder ${value}: ${folderProblemsText(check.problems)}`);
    // An absolute path is never a valid hub id, so transformers.js reads it from disk as it is.
    return {
      modelId: folder,
      source: { localModelPath, allowRemoteModels: false },
      kind: 'folder',
    };
  }
  if (looksLikePath(value)) {
    throw new Error(
      `--embedder ${value}: no such folder (a local embedder is a folder holding ${MODEL_FOLDER_FILES.join(', ')})`,
    );
  }
  return { modelId: value, source: { localModelPath, allowRemoteModels: true }, kind: 'hub' };
}

/**
 * Where hub models are downloaded from: `HF_ENDPOINT` when set (a mirror, as huggingface_hub
 * reads it), else transformers.js's default. Returns the host in use.
 */
export function useHubEndpoint(endpoint = process.env.HF_ENDPOINT): string {
  if (endpoint) env.remoteHost = endpoint.endsWith('/') ? endpoint : `${endpoint}/`;
  return env.remoteHost;
}

/** Network error codes that mean "the host could not be reached", as Node reports them. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** The network failure in `error`'s cause chain (Node's fetch says only "fetch failed"), if any. */
function unreachableReason(error: unknown): string | null {
  let fetchFailed = false;
  for (let e = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return code;
    if (e.message === 'fetch failed') fetchFailed = true;
  }
  return fetchFailed ? 'fetch failed' : null;
}

/**
 * The error to show when loading a hub embedder failed: a hub that cannot be reached becomes
 * "a download is needed" with the offline alternative; any other error is returned unchanged.
 */
export function explainHubLoadError(error: unknown, modelId: string, host: string): unknown {
  const reason = unreachableReason(error);
  if (reason === null) return error;
  return new Error(
    `--embedder ${modelId}: a download is needed: the model is not cached here and the hub (${host}) cannot be reached (${reason}). ` +
      `Run once with network access, or give --embedder a local folder in the transformers.js layout (${MODEL_FOLDER_FILES.join(', ')}), or --embedder bundled`,
    { cause: error },
  );
}
