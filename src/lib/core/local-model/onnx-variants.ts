/**
 * transformers.js's ONNX file names: which `onnx/model<suffix>.onnx` each precision loads and
 * which external data files (`.onnx_data`, `.onnx_data_1`, ...) go with it. The suffixes are
 * transformers.js's own (DEFAULT_DTYPE_SUFFIX_MAPPING in its src/utils/dtypes.js); q2/q1 are
 * left out because OnnxDtype, the app's choice of precisions, does not offer them.
 */
import type { FolderEntry, OnnxDtype, OnnxVariant } from './types';

/** File-name suffix of each precision, as transformers.js appends it to `model`. */
export const ONNX_DTYPE_SUFFIX: Readonly<Record<OnnxDtype, string>> = Object.freeze({
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
});

/** Every precision, in the order variants are listed and the default one is picked (fp32 first). */
export const ONNX_DTYPES: readonly OnnxDtype[] = Object.freeze(
  Object.keys(ONNX_DTYPE_SUFFIX) as OnnxDtype[],
);

/** True when `value` names a precision of OnnxDtype. */
export function isOnnxDtype(value: unknown): value is OnnxDtype {
  return typeof value === 'string' && Object.hasOwn(ONNX_DTYPE_SUFFIX, value);
}

/** The ONNX file a precision loads, e.g. `onnx/model_q4.onnx` (`onnx/model.onnx` for fp32). */
export function onnxFileFor(dtype: OnnxDtype): string {
  return `onnx/model${ONNX_DTYPE_SUFFIX[dtype]}.onnx`;
}

/** The external data file names transformers.js asks for: `X.onnx_data`, `X.onnx_data_1`, ... */
export function externalDataChunkNames(onnxFile: string, chunks: number): string[] {
  return Array.from({ length: chunks }, (_, i) => `${onnxFile}_data${i === 0 ? '' : `_${i}`}`);
}

/** True when `path` is an external data file of `onnxFile` (`X.onnx_data` or `X.onnx_data_N`). */
function isDataOf(path: string, onnxFile: string): boolean {
  const prefix = `${onnxFile}_data`;
  if (!path.startsWith(prefix)) return false;
  const rest = path.slice(prefix.length);
  return rest === '' || /^_\d+$/.test(rest);
}

/** The external data files present for `onnxFile`, sorted by path. */
export function externalDataFiles(
  entries: readonly FolderEntry[],
  onnxFile: string,
): FolderEntry[] {
  return entries
    .filter((e) => isDataOf(e.path, onnxFile))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * The ONNX weight variants in a transformers.js folder, fp32 first; each size counts its
 * external data files, since that is what a load reads.
 */
export function findOnnxVariants(entries: readonly FolderEntry[]): OnnxVariant[] {
  const byPath = new Map(entries.map((e) => [e.path, e]));
  const variants: OnnxVariant[] = [];
  for (const dtype of ONNX_DTYPES) {
    const file = onnxFileFor(dtype);
    const entry = byPath.get(file);
    if (!entry) continue;
    const data = externalDataFiles(entries, file).reduce((sum, e) => sum + e.size, 0);
    variants.push({ dtype, file, size: entry.size + data });
  }
  return variants;
}

/** Bytes as people read them: "1.9 MB", "312 MB", "4.2 GB", "812 bytes". */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} bytes`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;
  return `${(bytes / 1e9).toFixed(1)} GB`;
}

/** "fp32 (onnx/model.onnx, 1.9 MB), q4 (onnx/model_q4.onnx, 0.6 MB)": the variants, for messages. */
export function describeVariants(variants: readonly OnnxVariant[]): string {
  return variants.map((v) => `${v.dtype} (${v.file}, ${formatBytes(v.size)})`).join(', ');
}
