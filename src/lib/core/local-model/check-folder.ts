/**
 * The check a picked model folder gets before anything loads: every missing or wrong file is its
 * own problem naming the file and what to do, so the user fixes the folder once instead of
 * meeting one obscure library error after another. Pure: the caller lists the files and reads
 * the small JSON ones (a File in the browser, node:fs in the command line).
 */
import {
  describeVariants,
  externalDataChunkNames,
  externalDataFiles,
  findOnnxVariants,
  formatBytes,
  isOnnxDtype,
  onnxFileFor,
} from './onnx-variants';
import type {
  FolderCheck,
  FolderCheckOptions,
  FolderEntry,
  FolderProblem,
  LocalModelLayout,
  LocalModelPurpose,
  OnnxDtype,
} from './types';

/**
 * JSON files larger than this are checked for presence only: a big model's tokenizer.json can
 * reach tens of MB, and reading it in full here would double what the load itself reads.
 */
export const MAX_CHECKED_JSON_BYTES = 16_000_000;

/** Reads one file of the folder as UTF-8 text, by its path relative to the folder. */
export type ReadFolderText = (path: string) => Promise<string>;

/** A JSON file that is present but too large to parse here. */
const UNPARSED = Symbol('unparsed');

type JsonObject = Record<string, unknown>;

/** What every check step shares: the files, the reader and the results so far. */
interface Context {
  entries: readonly FolderEntry[];
  byPath: Map<string, FolderEntry>;
  readText: ReadFolderText;
  problems: FolderProblem[];
  notes: string[];
}

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const errorMessage = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0]!;

const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);
const dirName = (path: string) => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '');

/** Lists up to `max` items for a message, saying how many more there are. */
function listed(items: readonly string[], max = 6): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

async function readOrProblem(ctx: Context, path: string): Promise<string | undefined> {
  try {
    return await ctx.readText(path);
  } catch (error) {
    ctx.problems.push({
      file: path,
      message: `${path} could not be read (${errorMessage(error)}): check that the file is readable and pick the folder again`,
    });
    return undefined;
  }
}

/** A Git LFS pointer stands in for a large file when a repository was cloned without git-lfs. */
const LFS_POINTER = /^version https:\/\/git-lfs\.github\.com\/spec\//;
const MAX_LFS_POINTER_BYTES = 1024;

function lfsProblem(entry: FolderEntry): FolderProblem {
  return {
    file: entry.path,
    message: `${entry.path} is a Git LFS pointer (${entry.size} bytes), not the file itself: run "git lfs pull" in the folder (or download the file) and pick it again`,
  };
}

/** Adds a problem when a small file is a Git LFS pointer; true when it was. */
async function isLfsPointer(ctx: Context, entry: FolderEntry): Promise<boolean> {
  if (entry.size === 0 || entry.size > MAX_LFS_POINTER_BYTES) return false;
  const text = await ctx.readText(entry.path).catch(() => '');
  if (!LFS_POINTER.test(text)) return false;
  ctx.problems.push(lfsProblem(entry));
  return true;
}

/**
 * Reads and parses a JSON file. Missing: adds `{file: path, message: missing}` (unless missing
 * is null: optional file). Returns undefined when absent or broken (the problem is added),
 * UNPARSED when too large to parse here.
 */
async function readJson(
  ctx: Context,
  path: string,
  missing: string | null,
): Promise<unknown | typeof UNPARSED> {
  const entry = ctx.byPath.get(path);
  if (!entry) {
    if (missing !== null) ctx.problems.push({ file: path, message: missing });
    return undefined;
  }
  if (entry.size === 0) {
    ctx.problems.push({
      file: path,
      message: `${path} is empty: copy it again from the exported model`,
    });
    return undefined;
  }
  if (entry.size > MAX_CHECKED_JSON_BYTES) return UNPARSED;
  const text = await readOrProblem(ctx, path);
  if (text === undefined) return undefined;
  if (LFS_POINTER.test(text)) {
    ctx.problems.push(lfsProblem(entry));
    return undefined;
  }
  try {
    // A byte-order mark is legal in a file but not in JSON.parse.
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as unknown;
  } catch (error) {
    ctx.problems.push({
      file: path,
      message: `${path} is not valid JSON (${errorMessage(error)}): fix it or copy it again from the exported model`,
    });
    return undefined;
  }
}

/** The marker file of each layout: the folder's top must hold it. */
const MARKER: Record<LocalModelLayout, string> = {
  transformers: 'config.json',
  webllm: 'mlc-chat-config.json',
};

/**
 * A folder picked one level too high (or a folder of several models): the marker file is not at
 * the top but in sub-folders. Returns the problem, or null when the marker is at the top.
 */
function nestedFolderProblem(ctx: Context, layout: LocalModelLayout): FolderProblem | null {
  const marker = MARKER[layout];
  if (ctx.byPath.has(marker)) return null;
  const holders = [
    ...new Set(
      ctx.entries
        .filter((e) => baseName(e.path) === marker && e.path !== marker)
        .map((e) => dirName(e.path)),
    ),
  ].sort();
  if (holders.length === 1) {
    return {
      file: marker,
      message: `${marker} is not at the top of the folder picked but in its sub-folder "${holders[0]}": pick the folder "${holders[0]}" inside instead`,
    };
  }
  if (holders.length > 1) {
    return {
      file: marker,
      message: `${marker} is not at the top of the folder picked; the sub-folders ${listed(holders.map((h) => `"${h}"`))} each hold one: pick the one model folder you mean`,
    };
  }
  return null;
}

/** The optimum command that exports a finetune for this purpose. */
function exportCommand(purpose: LocalModelPurpose): string {
  const task = purpose === 'chat' ? 'text-generation-with-past' : 'feature-extraction';
  return `optimum-cli export onnx --model <finetune folder> --task ${task} <new folder>`;
}

const PYTORCH_WEIGHTS =
  /(^|\/)(pytorch_model.*\.bin|.*\.safetensors|.*\.pth?|tf_model\.h5|flax_model\.msgpack)$/;

/** The problem when no `onnx/model<suffix>.onnx` exists: says which common mistake it is. */
function noOnnxProblem(ctx: Context, purpose: LocalModelPurpose): FolderProblem {
  const file = 'onnx/model.onnx';
  const paths = ctx.entries.map((e) => e.path);
  const topOnnx = paths.filter((p) => !p.includes('/') && p.endsWith('.onnx'));
  if (topOnnx.length > 0) {
    const rename = topOnnx.some((p) => p.startsWith('decoder_model_merged'))
      ? ', renaming decoder_model_merged*.onnx to model*.onnx'
      : '';
    return {
      file,
      message: `${listed(topOnnx)} ${topOnnx.length === 1 ? 'is' : 'are'} at the top of the folder, but transformers.js reads ONNX weights from its onnx/ sub-folder: make an onnx/ folder and move ${topOnnx.length === 1 ? 'it' : 'them'} (and any .onnx_data files) into it${rename}`,
    };
  }
  const merged = paths.filter((p) => /^onnx\/decoder_model_merged[^/]*\.onnx$/.test(p));
  if (merged.length > 0) {
    return {
      file,
      message: `${listed(merged)}: that is an older optimum export's name, and transformers.js loads onnx/model.onnx. Rename decoder_model_merged.onnx to model.onnx (decoder_model_merged_quantized.onnx to model_quantized.onnx, .onnx_data files alike), or re-export with a current optimum: ${exportCommand(purpose)}`,
    };
  }
  if (paths.some((p) => /^onnx\/decoder_model\.onnx$/.test(p))) {
    return {
      file,
      message: `onnx/decoder_model.onnx is the old two-file export (without and with past), which transformers.js does not load: re-export with a current optimum: ${exportCommand(purpose)}, then move the .onnx files into an onnx/ sub-folder`,
    };
  }
  const otherOnnx = paths.filter((p) => p.startsWith('onnx/') && p.endsWith('.onnx'));
  if (otherOnnx.length > 0) {
    return {
      file,
      message: `onnx/ holds ${listed(otherOnnx)}, but transformers.js loads onnx/model.onnx (fp32) or onnx/model_<suffix>.onnx (_fp16, _quantized, _int8, _uint8, _q4, _q4f16, _bnb4): rename the file of the model's single-file export accordingly`,
    };
  }
  const checkpoint = paths.find((p) => PYTORCH_WEIGHTS.test(p));
  if (checkpoint) {
    return {
      file,
      message: `${checkpoint} is a PyTorch checkpoint, and transformers.js needs ONNX weights: export it with ${exportCommand(purpose)}, move the .onnx files it writes into an onnx/ sub-folder of <new folder>, and pick that folder`,
    };
  }
  return {
    file,
    message: `no ONNX weights: transformers.js needs onnx/model.onnx (or onnx/model_<suffix>.onnx for a quantized precision); export them with ${exportCommand(purpose)} and move the .onnx files into an onnx/ sub-folder`,
  };
}

/** How many external data files config.json says a model file has, as transformers.js reads it. */
function externalDataChunks(setting: unknown, onnxFile: string): number {
  if (isObject(setting)) {
    const value = setting[baseName(onnxFile)] ?? setting['model'];
    return value === undefined ? 0 : Number(value) || 0;
  }
  return Number(setting) || 0;
}

/** The precision config.json's `transformers.js_config.dtype` asks for, if it names one. */
function configDtype(config: JsonObject | undefined): OnnxDtype | undefined {
  const tjs = config?.['transformers.js_config'];
  if (!isObject(tjs)) return undefined;
  const dtype = isObject(tjs.dtype) ? tjs.dtype.model : tjs.dtype;
  return isOnnxDtype(dtype) ? dtype : undefined;
}

async function checkOnnx(
  ctx: Context,
  options: FolderCheckOptions,
  config: JsonObject | undefined,
  result: FolderCheck,
): Promise<void> {
  const variants = findOnnxVariants(ctx.entries);
  result.onnxVariants = variants;
  if (variants.length === 0) {
    ctx.problems.push(noOnnxProblem(ctx, options.purpose));
    return;
  }
  // The model's own preferred precision wins over "fp32 first", as transformers.js does.
  const preferred = configDtype(config);
  const dtype =
    options.dtype ??
    (preferred && variants.some((v) => v.dtype === preferred) ? preferred : variants[0]!.dtype);
  const chosen = variants.find((v) => v.dtype === dtype);
  if (!chosen) {
    const file = onnxFileFor(dtype);
    ctx.problems.push({
      file,
      message: `${file} is missing, so the ${dtype} precision cannot load; this folder has ${describeVariants(variants)}: choose one of those, or export ${dtype} weights into onnx/`,
    });
    return;
  }
  result.dtype = dtype;
  const entry = ctx.byPath.get(chosen.file)!;
  if (entry.size === 0) {
    ctx.problems.push({
      file: chosen.file,
      message: `${chosen.file} is empty: copy it again from the export`,
    });
  } else {
    await isLfsPointer(ctx, entry);
  }
  const data = externalDataFiles(ctx.entries, chosen.file);
  const tjs = config?.['transformers.js_config'];
  const chunks = externalDataChunks(
    isObject(tjs) ? tjs.use_external_data_format : undefined,
    chosen.file,
  );
  if (data.length > 0 && chunks === 0 && config) {
    // Node's ONNX Runtime finds the data file next to the model itself; the browser's does not.
    ctx.problems.push({
      file: 'config.json',
      message: `${listed(data.map((d) => d.path))} ${data.length === 1 ? 'holds' : 'hold'} the weights of ${chosen.file}, but config.json's "transformers.js_config" has no "use_external_data_format", so transformers.js in the browser will not load ${data.length === 1 ? 'it' : 'them'}: add "use_external_data_format": ${data.length === 1 ? 'true' : data.length} to config.json's "transformers.js_config"`,
    });
  }
  for (const name of externalDataChunkNames(chosen.file, chunks)) {
    if (!ctx.byPath.has(name)) {
      ctx.problems.push({
        file: name,
        message: `${name} is missing: config.json's use_external_data_format says ${chosen.file} has ${chunks} external data file${chunks === 1 ? '' : 's'}; copy ${name} from the export`,
      });
    }
  }
}

/** True when tokenizer_config.json's `chat_template` holds a template (a string or named list). */
function hasChatTemplate(tokenizerConfig: JsonObject): boolean {
  const template = tokenizerConfig.chat_template;
  if (typeof template === 'string') return template.trim() !== '';
  return Array.isArray(template) && template.length > 0;
}

async function checkTransformers(
  ctx: Context,
  options: FolderCheckOptions,
  result: FolderCheck,
): Promise<void> {
  const has = (path: string) => ctx.byPath.has(path);
  if (!has('config.json') && has('mlc-chat-config.json')) {
    ctx.problems.push({
      file: 'config.json',
      message:
        'config.json is missing and mlc-chat-config.json is there: this is a WebLLM (MLC) folder; choose WebLLM for it, or pick a folder in the transformers.js layout (config.json, tokenizer.json, onnx/model.onnx)',
    });
    return;
  }
  const rawConfig = await readJson(
    ctx,
    'config.json',
    "config.json is missing: it is the model's configuration; copy it from the folder the model was exported from",
  );
  let config: JsonObject | undefined;
  if (isObject(rawConfig)) {
    config = rawConfig;
    if (typeof config.model_type !== 'string' || config.model_type === '') {
      ctx.problems.push({
        file: 'config.json',
        message:
          'config.json has no "model_type", so transformers.js cannot tell which architecture to build: use the config.json written by the export (save_pretrained writes it)',
      });
    }
  } else if (rawConfig !== undefined && rawConfig !== UNPARSED) {
    ctx.problems.push({
      file: 'config.json',
      message: 'config.json does not hold a JSON object: use the config.json written by the export',
    });
  }
  await readJson(ctx, 'generation_config.json', null);

  const sentencepiece = ['tokenizer.model', 'vocab.json', 'spiece.model'].filter(has);
  await readJson(
    ctx,
    'tokenizer.json',
    `tokenizer.json is missing: transformers.js needs the fast tokenizer's tokenizer.json${sentencepiece.length ? ` (${listed(sentencepiece)} alone ${sentencepiece.length === 1 ? 'is' : 'are'} not read)` : ''}; write it with AutoTokenizer.from_pretrained(<finetune>).save_pretrained(<this folder>)`,
  );
  const tokenizerConfig = await readJson(
    ctx,
    'tokenizer_config.json',
    'tokenizer_config.json is missing: transformers.js reads the tokenizer settings from it; write it with AutoTokenizer.from_pretrained(<finetune>).save_pretrained(<this folder>)',
  );
  if (options.purpose === 'chat' && isObject(tokenizerConfig)) {
    result.chatTemplate = hasChatTemplate(tokenizerConfig);
    if (!result.chatTemplate) {
      result.notes.push(
        'no chat template: prompts are sent as plain text, turns separated by blank lines' +
          (has('chat_template.jinja')
            ? ` (chat_template.jinja is there, but transformers.js reads the template from tokenizer_config.json's "chat_template": copy it there to use it)`
            : ''),
      );
    }
  }
  await checkOnnx(ctx, options, config, result);
}

async function checkWebLlm(
  ctx: Context,
  options: FolderCheckOptions,
  result: FolderCheck,
): Promise<void> {
  const has = (path: string) => ctx.byPath.has(path);
  if (!has('mlc-chat-config.json') && has('config.json')) {
    ctx.problems.push({
      file: 'mlc-chat-config.json',
      message:
        'mlc-chat-config.json is missing and config.json is there: this looks like a transformers.js or Hugging Face folder; choose transformers.js for it, or compile the model for WebLLM (mlc_llm convert_weight, gen_config and compile)',
    });
    return;
  }
  if (options.purpose === 'embedder') {
    ctx.problems.push({
      file: 'mlc-chat-config.json',
      message:
        'the embedder runs with transformers.js: pick a folder in the transformers.js layout (config.json, tokenizer.json, onnx/model.onnx) instead of a WebLLM one',
    });
    return;
  }
  const mlc = await readJson(
    ctx,
    'mlc-chat-config.json',
    'mlc-chat-config.json is missing: write it with mlc_llm gen_config <model> --quantization <q> --conv-template <name> -o <this folder>',
  );
  if (isObject(mlc)) {
    result.chatTemplate = mlc.conv_template !== undefined && mlc.conv_template !== null;
    if (!result.chatTemplate) {
      ctx.problems.push({
        file: 'mlc-chat-config.json',
        message:
          'mlc-chat-config.json has no "conv_template", which WebLLM needs to build prompts: write it again with mlc_llm gen_config ... --conv-template <name>',
      });
    }
    const tokenizerFiles = mlc.tokenizer_files;
    if (!Array.isArray(tokenizerFiles) || !tokenizerFiles.every((f) => typeof f === 'string')) {
      ctx.problems.push({
        file: 'mlc-chat-config.json',
        message:
          'mlc-chat-config.json has no "tokenizer_files" list: write it again with mlc_llm gen_config, which copies the tokenizer files and lists them',
      });
    } else {
      for (const file of tokenizerFiles as string[]) {
        if (!has(file)) {
          ctx.problems.push({
            file,
            message: `${file} is missing: mlc-chat-config.json's tokenizer_files lists it; copy it from the model's original folder (mlc_llm gen_config copies it)`,
          });
        }
      }
      if (
        !tokenizerFiles.includes('tokenizer.json') &&
        !tokenizerFiles.includes('tokenizer.model')
      ) {
        ctx.problems.push({
          file: 'tokenizer.json',
          message: `WebLLM reads tokenizer.json or tokenizer.model, and mlc-chat-config.json's tokenizer_files (${listed(tokenizerFiles as string[]) || 'empty'}) names neither: add tokenizer.json to the folder and to tokenizer_files`,
        });
      }
    }
  } else if (mlc !== undefined && mlc !== UNPARSED) {
    ctx.problems.push({
      file: 'mlc-chat-config.json',
      message:
        'mlc-chat-config.json does not hold a JSON object: write it again with mlc_llm gen_config',
    });
  }

  const cache = await readJson(
    ctx,
    'ndarray-cache.json',
    'ndarray-cache.json is missing: it lists the weight shards; mlc_llm convert_weight writes it next to the params_shard_*.bin files, copy it from there',
  );
  if (cache !== undefined && cache !== UNPARSED) {
    const records = isObject(cache) ? cache.records : undefined;
    if (!Array.isArray(records) || records.length === 0) {
      ctx.problems.push({
        file: 'ndarray-cache.json',
        message:
          'ndarray-cache.json has no "records" (the list of weight shards): copy the one mlc_llm convert_weight wrote',
      });
    } else {
      checkShards(ctx, records);
    }
  }

  const libraries = ctx.entries.filter((e) => e.path.endsWith('.wasm')).map((e) => e.path);
  if (libraries.length === 0) {
    ctx.problems.push({
      file: '*.wasm',
      message:
        'no compiled model library (.wasm): compile one with mlc_llm compile <this folder>/mlc-chat-config.json --device webgpu -o <this folder>/model-webgpu.wasm',
    });
  } else if (libraries.length > 1) {
    ctx.problems.push({
      file: '*.wasm',
      message: `several model libraries (${listed(libraries)}): keep only the one compiled for this model (mlc_llm compile ... --device webgpu) in the folder`,
    });
  } else {
    result.modelLib = libraries[0];
  }
}

/** Each shard ndarray-cache.json names must be present with the size it records. */
function checkShards(ctx: Context, records: unknown[]): void {
  const seen = new Set<string>();
  for (const [i, record] of records.entries()) {
    const dataPath = isObject(record) ? record.dataPath : undefined;
    if (typeof dataPath !== 'string' || dataPath === '') {
      ctx.problems.push({
        file: 'ndarray-cache.json',
        message: `ndarray-cache.json's record ${i + 1} has no "dataPath": copy the file mlc_llm convert_weight wrote`,
      });
      continue;
    }
    if (seen.has(dataPath)) continue;
    seen.add(dataPath);
    const nbytes = isObject(record) ? record.nbytes : undefined;
    const entry = ctx.byPath.get(dataPath);
    if (!entry) {
      ctx.problems.push({
        file: dataPath,
        message: `${dataPath} is missing${typeof nbytes === 'number' ? ` (${formatBytes(nbytes)})` : ''}: ndarray-cache.json lists it as a weight shard; copy it from the folder mlc_llm convert_weight wrote`,
      });
    } else if (typeof nbytes === 'number' && entry.size !== nbytes) {
      ctx.problems.push({
        file: dataPath,
        message: `${dataPath} is ${entry.size} bytes but ndarray-cache.json says ${nbytes}: the copy is incomplete or from another conversion; copy it again`,
      });
    }
  }
}

/**
 * Checks a folder's files for `options.layout` and `options.purpose`; reads only the small JSON
 * files (and files small enough to be Git LFS pointers) through `readText`.
 */
export async function checkModelFolder(
  entries: readonly FolderEntry[],
  options: FolderCheckOptions,
  readText: ReadFolderText,
): Promise<FolderCheck> {
  const ctx: Context = {
    entries,
    byPath: new Map(entries.map((e) => [e.path, e])),
    readText,
    problems: [],
    notes: [],
  };
  const result: FolderCheck = {
    ok: false,
    problems: ctx.problems,
    notes: ctx.notes,
    onnxVariants: [],
    chatTemplate: null,
  };
  if (entries.length === 0) {
    ctx.problems.push({
      file: MARKER[options.layout],
      message: `the folder is empty (hidden files are ignored): pick the folder that holds ${MARKER[options.layout]} and the model's other files`,
    });
  } else {
    const nested = nestedFolderProblem(ctx, options.layout);
    if (nested) ctx.problems.push(nested);
    else if (options.layout === 'transformers') await checkTransformers(ctx, options, result);
    else await checkWebLlm(ctx, options, result);
  }
  result.ok = ctx.problems.length === 0;
  return result;
}
