/**
 * Typed arrays inside the free-form parts of a run (analysis results, hypothesis validations,
 * supervisor requests). JSON.stringify would turn a Float32Array into {"0":…,"1":…}, which
 * neither round-trips nor stays small, so they are written as a tagged base64 object and
 * revived on import. Bytes are the platform's (little-endian on every browser and Node host).
 */
import { base64ToBytes, bytesToBase64 } from './float32-base64';

/** The key that marks a tagged typed array in JSON. */
export const TYPED_ARRAY_TAG = '$typedArray';

const CONSTRUCTORS = {
  Float32Array,
  Float64Array,
  Int8Array,
  Int16Array,
  Int32Array,
  Uint8Array,
  Uint16Array,
  Uint32Array,
  Uint8ClampedArray,
} as const;

type TypedArrayName = keyof typeof CONSTRUCTORS;

/** A typed array as it appears in a run file. */
export interface TaggedTypedArray {
  [TYPED_ARRAY_TAG]: TypedArrayName;
  base64: string;
}

function typedArrayName(value: ArrayBufferView): TypedArrayName | null {
  for (const [name, Ctor] of Object.entries(CONSTRUCTORS)) {
    if (value instanceof Ctor) return name as TypedArrayName;
  }
  return null;
}

/** Returns the tagged JSON form of a typed array, or null for other values (DataView, BigInt arrays). */
export function tagTypedArray(value: unknown): TaggedTypedArray | null {
  if (!ArrayBuffer.isView(value)) return null;
  const name = typedArrayName(value);
  if (!name) return null;
  const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return { [TYPED_ARRAY_TAG]: name, base64: bytesToBase64(bytes) };
}

function untag(value: Record<string, unknown>): ArrayBufferView | null {
  const name = value[TYPED_ARRAY_TAG];
  if (typeof name !== 'string' || !(name in CONSTRUCTORS) || typeof value.base64 !== 'string') {
    return null;
  }
  const Ctor = CONSTRUCTORS[name as TypedArrayName];
  const bytes = base64ToBytes(value.base64);
  if (!bytes || bytes.length % Ctor.BYTES_PER_ELEMENT !== 0) return null;
  return new Ctor(bytes.buffer, 0, bytes.length / Ctor.BYTES_PER_ELEMENT);
}

/** Replaces tagged typed arrays anywhere inside `value` (returns a new structure where needed). */
export function reviveTypedArrays(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((item) => {
      const revived = reviveTypedArrays(item);
      if (revived !== item) changed = true;
      return revived;
    });
    return changed ? out : value;
  }
  const record = value as Record<string, unknown>;
  if (TYPED_ARRAY_TAG in record) {
    const view = untag(record);
    if (view) return view;
  }
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(record)) {
    const revived = reviveTypedArrays(item);
    if (revived !== item) changed = true;
    out[key] = revived;
  }
  return changed ? out : value;
}
