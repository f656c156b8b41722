/**
 * The model flags every command that takes models shares (`npm run generate` first):
 * `--a-bundled NAME` | `--a-folder DIR` | `--a-url URL --a-model NAME [--a-key-env VAR]`, and the
 * same for `b`. One parser, one set of messages, and one way to build each side's ChatBackend:
 * bundled models and folders run with transformers.js in this process (nothing leaves the
 * machine), a URL is an OpenAI-compatible server (vLLM, Ollama, llama.cpp, a hosted API).
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { lazyChatBackend } from '../src/lib/backends/llm/lazy-backend';
import { OpenAiBackend, splitOpenAiBaseUrl } from '../src/lib/backends/llm/openai';
import type { TransformersChatBackend } from '../src/lib/backends/llm/transformers';
import type { ChatBackend, ChatCapabilities } from '../src/lib/backends/llm/types';
import {
  checkModelFolder,
  folderIdentity,
  isIgnoredPath,
  type FolderCheck,
  type FolderEntry,
  type LocalModelPurpose,
  type OnnxDtype,
  ONNX_DTYPES,
} from '../src/lib/core/local-model';
import { BUNDLED_MODELS } from '../src/lib/core/models';
import type { ModelSpec, Side } from '../src/lib/core/run/types';
import { UsageError } from './analyze-options';

/** A side as its flags spell it. */
export type FlagSide = 'a' | 'b';

/** Where one side's model comes from, as the flags said it. */
export type ModelSource =
  | { kind: 'bundled'; name: string }
  | { kind: 'folder'; dir: string }
  | { kind: 'url'; url: string; model: string; keyEnv?: string };

/** The flag suffixes, in the order help lists them. */
const SUFFIXES = ['bundled', 'folder', 'url', 'model', 'key-env'] as const;

/** The bundled models that can generate (the embedder cannot). */
export const BUNDLED_CHAT_MODELS: readonly string[] = BUNDLED_MODELS.filter(
  (m) => m.kind === 'chat',
).map((m) => m.id);

/** The `--dtype` option of every command that loads models (an OptionTable entry). */
export const DTYPE_OPTION = {
  kind: 'choice',
  choices: ONNX_DTYPES,
  help: 'weight precision of --X-folder models, i.e. which onnx/model_<suffix>.onnx loads (default: the folder’s own, else fp32, else the first found)',
} as const;

/** parseArgs option definitions of the model flags of `sides`. */
export function modelFlagOptions(
  sides: readonly FlagSide[] = ['a', 'b'],
): Record<string, { type: 'string' }> {
  return Object.fromEntries(
    sides.flatMap((s) => SUFFIXES.map((suffix) => [`${s}-${suffix}`, { type: 'string' as const }])),
  );
}

/** The synopsis of one side's flags, e.g. `--a-bundled NAME | --a-folder DIR | ...`. */
export function modelFlagsUsage(side: FlagSide): string {
  return `--${side}-bundled NAME | --${side}-folder DIR | --${side}-url URL --${side}-model NAME [--${side}-key-env VAR]`;
}

/** Help lines describing the model flags (with `X` standing for a or b). */
export function modelFlagsHelp(): string[] {
  return [
    `  --X-bundled NAME     a model bundled with the app: ${BUNDLED_CHAT_MODELS.join(', ')}`,
    '  --X-folder DIR       a folder on this computer in the transformers.js layout (config.json, tokenizer.json, tokenizer_config.json, onnx/model*.onnx); checked before loading',
    '  --X-url URL          an OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1 (vLLM), http://127.0.0.1:11434/v1 (Ollama)',
    '  --X-model NAME       the model name the server serves (required with --X-url)',
    '  --X-key-env VAR      the environment variable holding the API key (never a flag: flags show in ps)',
    '  (X is a for model A, b for model B; each model takes exactly one of --X-bundled, --X-folder, --X-url)',
  ];
}

/**
 * Reads the model flags of `sides` from parseArgs values.
 * @throws UsageError naming the flag and what is allowed: no source or several for a side, an
 *   unknown bundled name, a URL that is not http(s), --X-model or --X-key-env without --X-url.
 */
export function readModelFlags(
  values: Readonly<Record<string, unknown>>,
  sides: readonly FlagSide[] = ['a', 'b'],
): Record<FlagSide, ModelSource> {
  const sources = {} as Record<FlagSide, ModelSource>;
  for (const s of sides) {
    const flag = (suffix: (typeof SUFFIXES)[number]) => {
      const value = values[`${s}-${suffix}`];
      if (value === undefined) return undefined;
      if (typeof value !== 'string' || value.trim() === '') {
        throw new UsageError(`--${s}-${suffix} needs a value`);
      }
      return value.trim();
    };
    const given = (['bundled', 'folder', 'url'] as const).filter((k) => flag(k) !== undefined);
    const model = s.toUpperCase();
    if (given.length === 0) {
      throw new UsageError(`model ${model} is missing: give ${modelFlagsUsage(s)}`);
    }
    if (given.length > 1) {
      throw new UsageError(
        `${given.map((k) => `--${s}-${k}`).join(' and ')} both given: model ${model} comes from exactly one of --${s}-bundled, --${s}-folder, --${s}-url`,
      );
    }
    for (const extra of ['model', 'key-env'] as const) {
      if (given[0] !== 'url' && flag(extra) !== undefined) {
        throw new UsageError(`--${s}-${extra} goes with --${s}-url, not --${s}-${given[0]}`);
      }
    }
    if (given[0] === 'bundled') {
      const name = flag('bundled')!;
      if (!BUNDLED_CHAT_MODELS.includes(name)) {
        throw new UsageError(
          `--${s}-bundled must be one of ${BUNDLED_CHAT_MODELS.join(', ')} (got "${name}"); a model of your own goes in --${s}-folder DIR`,
        );
      }
      sources[s] = { kind: 'bundled', name };
    } else if (given[0] === 'folder') {
      sources[s] = { kind: 'folder', dir: flag('folder')! };
    } else {
      const url = flag('url')!;
      let protocol = '';
      try {
        protocol = new URL(url).protocol;
      } catch {
        // Reported below with the allowed form.
      }
      if (protocol !== 'http:' && protocol !== 'https:') {
        throw new UsageError(
          `--${s}-url must be an http(s) URL such as http://127.0.0.1:8000/v1 (got "${url}")`,
        );
      }
      const name = flag('model');
      if (name === undefined) {
        throw new UsageError(
          `--${s}-url needs --${s}-model NAME (the model name the server serves)`,
        );
      }
      const keyEnv = flag('key-env');
      sources[s] = { kind: 'url', url, model: name, ...(keyEnv ? { keyEnv } : {}) };
    }
  }
  return sources;
}

/** Every file under `dir` (ignored files left out: `.git/`, `.DS_Store`, ...), sorted by path. */
export async function listFolder(dir: string): Promise<FolderEntry[]> {
  const paths = (await readdir(dir, { recursive: true })) as string[];
  const entries: FolderEntry[] = [];
  for (const raw of paths) {
    const path = raw.replace(/\\/g, '/');
    if (isIgnoredPath(path)) continue;
    const info = await stat(join(dir, path)).catch(() => null);
    if (info?.isFile()) entries.push({ path, size: info.size, lastModified: info.mtimeMs });
  }
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** A folder's files and the core check of them, read from disk. */
export async function checkFolderOnDisk(
  dir: string,
  purpose: LocalModelPurpose,
  dtype?: OnnxDtype,
): Promise<{ entries: FolderEntry[]; check: FolderCheck }> {
  const entries = await listFolder(dir);
  const check = await checkModelFolder(
    entries,
    { layout: 'transformers', purpose, ...(dtype ? { dtype } : {}) },
    (path) => readFile(join(dir, path), 'utf8'),
  );
  return { entries, check };
}

/** One side's model, checked and ready to load. */
export interface ResolvedModel {
  side: Side;
  source: ModelSource;
  /** What output files and runs record about the model (never a key, never the files). */
  spec: Pick<ModelSpec, 'label' | 'backend' | 'modelId' | 'baseUrl' | 'localFolder'>;
  /** Folder models: what the check found worth saying (e.g. no chat template). */
  notes: string[];
  /** Builds the backend; nothing is loaded until its `load` or first `generate`. */
  createBackend(): ChatBackend;
  /**
   * Bundled and folder models only: the transformers.js backend itself (not loaded yet), for
   * work that needs more than a ChatBackend (contrastive scoring reads its logits).
   */
  createLocalBackend?: () => Promise<TransformersChatBackend>;
}

/** What resolving a model needs besides the flags. */
export interface ResolveModelOptions {
  /** The repository root (bundled models are in `<root>/public/models/`). */
  root: string;
  /** Where --X-key-env is looked up; defaults to process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Precision for folder models; unset, the folder's own (or the first variant, fp32 first). */
  dtype?: OnnxDtype;
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isDirectory() ?? false;
}

/** A transformers.js backend reading `folder` from disk, with the hub switched off. */
async function localBackend(
  root: string,
  folder: string,
  dtype?: OnnxDtype,
): Promise<TransformersChatBackend> {
  // Imported here, not at the top: onnxruntime takes seconds to load, and a run whose answers
  // are all written already, or that only talks to servers, never needs it.
  const [{ TransformersChatBackend }, { configureTransformers }] = await Promise.all([
    import('../src/lib/backends/llm/transformers'),
    import('../src/lib/backends/embed/transformers'),
  ]);
  configureTransformers({
    localModelPath: join(root, 'public', 'models') + '/',
    allowRemoteModels: false,
  });
  // An absolute path is never a valid hub id, so transformers.js reads it from disk as it is.
  return new TransformersChatBackend({
    modelId: folder,
    device: 'cpu',
    ...(dtype ? { dtype } : {}),
  });
}

// Local models are created on first use (lazyChatBackend), so resolving and checking a folder
// costs no import of onnxruntime; once created they can score (P(Yes) of approval runs).
const LOCAL_CAPABILITIES: ChatCapabilities = {
  logprobs: false,
  batching: false,
  needsWebGpu: false,
};

/**
 * Checks one side's model and says how to build it. Folders get the core folder check (every
 * problem named) and their identity (name, size, hash, file list) before anything loads.
 * @throws UsageError for a folder that is missing or fails the check, a WebLLM folder (it needs
 *   a browser with WebGPU), or a --X-key-env variable that is not set.
 */
export async function resolveModel(
  side: Side,
  source: ModelSource,
  options: ResolveModelOptions,
): Promise<ResolvedModel> {
  const s = side.toLowerCase();
  switch (source.kind) {
    case 'bundled': {
      const folder = join(options.root, 'public', 'models', source.name);
      const createLocalBackend = () => localBackend(options.root, folder);
      return {
        side,
        source,
        spec: { label: source.name, backend: 'transformers', modelId: source.name },
        notes: [],
        createBackend: () =>
          lazyChatBackend(`transformers:${source.name}`, LOCAL_CAPABILITIES, createLocalBackend),
        createLocalBackend,
      };
    }
    case 'folder': {
      const folder = resolve(source.dir);
      const flag = `--${s}-folder ${source.dir}`;
      if (!(await isDirectory(folder))) throw new UsageError(`${flag}: no such folder`);
      const top = await readdir(folder);
      if (top.includes('mlc-chat-config.json') && !top.includes('config.json')) {
        throw new UsageError(
          `${flag}: a WebLLM (MLC) folder runs in the browser only (it needs WebGPU); the command line runs folders in the transformers.js layout (config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx)`,
        );
      }
      const { entries, check } = await checkFolderOnDisk(folder, 'chat', options.dtype);
      if (!check.ok) {
        throw new UsageError(
          `${flag}: the folder cannot be loaded: ${check.problems.map((p) => p.message).join('; ')}`,
        );
      }
      const info = await folderIdentity(
        basename(folder),
        entries,
        async (path) => new Uint8Array(await readFile(join(folder, path))),
        { layout: 'transformers', ...(check.dtype ? { dtype: check.dtype } : {}) },
      );
      const createLocalBackend = () => localBackend(options.root, folder, check.dtype);
      return {
        side,
        source,
        spec: { label: info.name, backend: 'transformers', modelId: info.name, localFolder: info },
        notes: check.notes,
        createBackend: () =>
          lazyChatBackend(`transformers:${info.name}`, LOCAL_CAPABILITIES, createLocalBackend),
        createLocalBackend,
      };
    }
    case 'url': {
      const env = options.env ?? process.env;
      const apiKey = source.keyEnv ? env[source.keyEnv] : undefined;
      if (source.keyEnv && !apiKey) {
        throw new UsageError(
          `--${s}-key-env ${source.keyEnv}: the environment variable ${source.keyEnv} is not set (or empty)`,
        );
      }
      // The recorded base URL leaves out the query string, where gateways put credentials.
      const { base } = splitOpenAiBaseUrl(source.url);
      return {
        side,
        source,
        spec: { label: source.model, backend: 'openai', modelId: source.model, baseUrl: base },
        notes: [],
        createBackend: () =>
          new OpenAiBackend({
            baseUrl: source.url,
            model: source.model,
            pageOrigin: null,
            ...(apiKey ? { apiKey } : {}),
          }),
      };
    }
  }
}

/**
 * Resolves A's and then B's model flags, logging each model's notes: every command checks both
 * models (folders, flags) before it loads or sends anything.
 */
export async function resolveBothModels(
  sources: Record<FlagSide, ModelSource>,
  options: ResolveModelOptions & { log: (line: string) => void },
): Promise<[ResolvedModel, ResolvedModel]> {
  const { log, ...resolveOptions } = options;
  const resolved: ResolvedModel[] = [];
  for (const [side, source] of [
    ['A', sources.a],
    ['B', sources.b],
  ] as const) {
    const model = await resolveModel(side, source, resolveOptions);
    for (const note of model.notes) log(`model ${side} (${model.spec.label}): ${note}`);
    resolved.push(model);
  }
  return [resolved[0]!, resolved[1]!];
}
