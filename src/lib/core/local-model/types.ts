/**
 * A model from a folder on the user's computer ("Model from this computer"): what the app knows
 * about the folder's files, what a run stores about it (never the files), and what the folder
 * check says. Shared by the browser (folder picker, service worker) and the command line.
 */

/** One file of a picked folder; `path` is relative to the folder (no leading folder name). */
export interface FolderEntry {
  path: string;
  size: number;
  /** Milliseconds since the epoch, where the platform gives it (browsers and Node do). */
  lastModified?: number;
}

/** Which model library a folder is laid out for. */
export type LocalModelLayout = 'transformers' | 'webllm';

/** What the folder's model is used for: chat models need a tokenizer (and, ideally, a chat template). */
export type LocalModelPurpose = 'chat' | 'embedder';

/** transformers.js weight precisions, each an `onnx/model_<suffix>.onnx` file. */
export type OnnxDtype = 'fp32' | 'fp16' | 'q8' | 'q4' | 'q4f16' | 'int8' | 'uint8' | 'bnb4';

/** What the folder is checked for. */
export interface FolderCheckOptions {
  layout: LocalModelLayout;
  purpose: LocalModelPurpose;
  /** transformers.js: the precision to load; unset, the first variant found (fp32 first). */
  dtype?: OnnxDtype;
}

/** One thing wrong with a folder: the file concerned and a sentence saying what to do. */
export interface FolderProblem {
  /** The file (or pattern, e.g. `onnx/model_q4.onnx`) that is missing or wrong. */
  file: string;
  message: string;
}

/** One ONNX weight file found in a transformers.js folder. */
export interface OnnxVariant {
  dtype: OnnxDtype;
  /** Path in the folder, e.g. `onnx/model_q4.onnx`. */
  file: string;
  /** Bytes, external data files (`.onnx_data`) included. */
  size: number;
}

/** The result of checking a folder before anything is loaded. */
export interface FolderCheck {
  /** True when nothing in `problems`: the model can be loaded. */
  ok: boolean;
  problems: FolderProblem[];
  /** Things worth knowing that do not stop the load (e.g. no chat template: plain prompts). */
  notes: string[];
  /** transformers.js: the ONNX variants found, fp32 first; empty for WebLLM folders. */
  onnxVariants: OnnxVariant[];
  /** The dtype that will be loaded (transformers.js), when one matches. */
  dtype?: OnnxDtype;
  /** Chat models: whether tokenizer_config.json has a chat template; null when not applicable. */
  chatTemplate: boolean | null;
  /** WebLLM: the compiled model library's path in the folder (`*.wasm`). */
  modelLib?: string;
}

/**
 * What a run remembers about a model picked from a folder: enough to say which folder to pick
 * again and to tell whether a re-picked folder is the same model. Never the files themselves.
 */
export interface LocalFolderInfo {
  /** The folder's name as picked (the last part of its path). */
  name: string;
  layout: LocalModelLayout;
  /** Sum of the file sizes, in bytes. */
  totalBytes: number;
  /** SHA-256 (hex) of the configuration and tokenizer files and the file list (see folder-identity.ts). */
  hash: string;
  /** Every file with its size, sorted by path. */
  files: { path: string; size: number }[];
  /** transformers.js: the precision the run used. */
  dtype?: OnnxDtype;
  /** WebLLM: the compiled model library's path in the folder. */
  modelLib?: string;
}
