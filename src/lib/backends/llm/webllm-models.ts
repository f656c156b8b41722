/**
 * Model picker data for WebLLM: the prebuilt models that fit in a browser, custom MLC models,
 * and whether a model's weights are already in the browser's cache. WebLLM itself is imported
 * lazily: it is large, and the setup screen should not wait for it.
 */
import type { AppConfig, ModelRecord } from '@mlc-ai/web-llm';
import { ModelLoadError } from './errors';

/** What the model picker shows about one WebLLM model. */
export interface WebLlmModelInfo {
  modelId: string;
  /** GPU memory the model needs, as WebLLM measured it. */
  vramRequiredMB?: number;
  /** WebLLM marks models that run on low-resource devices (phones, integrated GPUs). */
  lowResourceRequired: boolean;
  /** Needs the `shader-f16` WebGPU feature (see `capabilities.shaderF16`). */
  needsShaderF16: boolean;
  /** Context window in tokens, when the record says. */
  contextWindow?: number;
  custom: boolean;
}

/** Which models to offer. */
export interface WebLlmModelFilter {
  /** Drop models needing more GPU memory than this (default 8192 MB, beyond most browsers). */
  maxVramMB?: number;
  /** False drops models that need shader-f16 (the adapter lacks it); undefined keeps them. */
  shaderF16?: boolean;
}

/** A user's own MLC-compiled model: weights on a web server plus its compiled WebGPU library. */
export interface CustomWebLlmModel {
  /** Id to show and load it by, e.g. "my-finetune-q4f32_1-MLC". */
  modelId: string;
  /** Folder URL of the MLC weights (with mlc-chat-config.json), e.g. a Hugging Face "resolve/main/" URL. */
  modelUrl: string;
  /** URL of the compiled model library (`.wasm`) matching the model's architecture and quantisation. */
  modelLibUrl: string;
  vramRequiredMB?: number;
  lowResourceRequired?: boolean;
}

/** Default ceiling of the picker: larger models do not load in a browser tab in practice. */
export const DEFAULT_MAX_VRAM_MB = 8192;

/**
 * Whether a model needs shader-f16: WebLLM lists the feature for some models only, but every
 * q4f16/q0f16 build computes in f16 and fails to load without it.
 */
export function needsShaderF16(
  record: Pick<ModelRecord, 'model_id' | 'required_features'>,
): boolean {
  return (
    /q[04]f16/i.test(record.model_id) || (record.required_features ?? []).includes('shader-f16')
  );
}

/** Picker entries for `records` (chat LLMs only: WebLLM's ModelType.LLM is 0 or absent). */
export function webLlmModelsFrom(
  records: readonly ModelRecord[],
  filter: WebLlmModelFilter = {},
  custom: ReadonlySet<string> = new Set(),
): WebLlmModelInfo[] {
  const maxVram = filter.maxVramMB ?? DEFAULT_MAX_VRAM_MB;
  const models: WebLlmModelInfo[] = [];
  for (const record of records) {
    if ((record.model_type ?? 0) !== 0) continue; // embedding and vision models
    if ((record.vram_required_MB ?? 0) > maxVram) continue;
    const f16 = needsShaderF16(record);
    if (filter.shaderF16 === false && f16) continue;
    const info: WebLlmModelInfo = {
      modelId: record.model_id,
      lowResourceRequired: record.low_resource_required ?? false,
      needsShaderF16: f16,
      custom: custom.has(record.model_id),
    };
    if (record.vram_required_MB !== undefined) info.vramRequiredMB = record.vram_required_MB;
    const context = record.overrides?.context_window_size;
    if (context !== undefined) info.contextWindow = context;
    models.push(info);
  }
  return models.sort(
    (a, b) =>
      (a.vramRequiredMB ?? Infinity) - (b.vramRequiredMB ?? Infinity) ||
      a.modelId.localeCompare(b.modelId),
  );
}

/** WebLLM's prebuilt models that fit the filter, smallest first. */
export async function listWebLlmModels(filter: WebLlmModelFilter = {}): Promise<WebLlmModelInfo[]> {
  const { prebuiltAppConfig } = await import('@mlc-ai/web-llm');
  return webLlmModelsFrom(prebuiltAppConfig.model_list, filter);
}

function httpUrl(modelId: string, what: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ModelLoadError(modelId, `the ${what} "${value}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ModelLoadError(modelId, `the ${what} must be an http(s) URL`);
  }
  return url.href;
}

/** WebLLM's record for a custom model; throws ModelLoadError when a URL is not usable. */
export function customModelRecord(custom: CustomWebLlmModel): ModelRecord {
  const record: ModelRecord = {
    model: httpUrl(custom.modelId, 'model URL', custom.modelUrl),
    model_id: custom.modelId,
    model_lib: httpUrl(custom.modelId, 'model library URL', custom.modelLibUrl),
  };
  if (!record.model_lib.endsWith('.wasm')) {
    throw new ModelLoadError(custom.modelId, 'the model library URL must point at a .wasm file');
  }
  if (custom.vramRequiredMB !== undefined) record.vram_required_MB = custom.vramRequiredMB;
  if (custom.lowResourceRequired !== undefined) {
    record.low_resource_required = custom.lowResourceRequired;
  }
  return record;
}

/** WebLLM's prebuilt app config plus the given custom models (a custom id replaces a prebuilt one). */
export async function webLlmAppConfig(
  custom: readonly CustomWebLlmModel[] = [],
): Promise<AppConfig> {
  const { prebuiltAppConfig } = await import('@mlc-ai/web-llm');
  const records = custom.map(customModelRecord);
  const ids = new Set(records.map((r) => r.model_id));
  return {
    ...prebuiltAppConfig,
    model_list: [...prebuiltAppConfig.model_list.filter((r) => !ids.has(r.model_id)), ...records],
  };
}

/** Whether the model's weights are already in the browser cache (no download needed). */
export async function isWebLlmModelCached(
  modelId: string,
  appConfig?: AppConfig,
): Promise<boolean> {
  const { hasModelInCache } = await import('@mlc-ai/web-llm');
  return hasModelInCache(modelId, appConfig);
}
