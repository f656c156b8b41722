import { describe, expect, it } from 'vitest';
import {
  base64ToBytes,
  base64ToFloat32,
  bytesToBase64,
  float32ToBase64,
} from '../../src/lib/core/run/float32-base64';
import { reviveTypedArrays, tagTypedArray } from '../../src/lib/core/run/typed-array-json';

function bitsOf(vector: Float32Array): number[] {
  return [...new Uint32Array(vector.buffer, vector.byteOffset, vector.length)];
}

describe('base64 of bytes', () => {
  it('matches Node’s Buffer encoding for every length and byte value', () => {
    for (let length = 0; length < 70; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 37 + length * 11) & 255);
      const expected = Buffer.from(bytes).toString('base64');
      expect(bytesToBase64(bytes)).toBe(expected);
      expect(base64ToBytes(expected)).toEqual(bytes);
    }
  });

  it('encodes large inputs in slices without losing bytes at the joins', () => {
    const bytes = Uint8Array.from({ length: 3 * 16384 * 2 + 5 }, (_, i) => (i * 7919) & 255);
    expect(bytesToBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
  });

  it.each(['abc', 'ab=c', 'A===', '====', 'AB?D', 'ÄBCD', 'AA==AAAA'])('rejects %j', (text) => {
    expect(base64ToBytes(text)).toBeNull();
  });
});

describe('float32 vectors', () => {
  it('writes little-endian float32 bytes', () => {
    // 1.0f is 0x3f800000: bytes 00 00 80 3f.
    expect(float32ToBase64(new Float32Array([1]))).toBe('AACAPw==');
    expect([...base64ToFloat32('AACAPgAAwL8AAEBA')!]).toEqual([0.25, -1.5, 3]);
  });

  it('round-trips bit for bit, including NaN, -0, infinities and subnormals', () => {
    const vector = new Float32Array([0.1, -0, NaN, Infinity, -Infinity, 1e-45, 3.4e38, -1 / 3]);
    const back = base64ToFloat32(float32ToBase64(vector))!;
    expect(back).toBeInstanceOf(Float32Array);
    expect(bitsOf(back)).toEqual(bitsOf(vector));
  });

  it('encodes only the view, not the whole underlying buffer', () => {
    const whole = new Float32Array([9, 1, 2, 9]);
    const view = whole.subarray(1, 3);
    expect([...base64ToFloat32(float32ToBase64(view))!]).toEqual([1, 2]);
  });

  it('decodes to a buffer of its own, so it can be transferred to a worker', () => {
    const back = base64ToFloat32(float32ToBase64(new Float32Array([1, 2, 3])))!;
    expect(back.byteOffset).toBe(0);
    expect(back.buffer.byteLength).toBe(12);
  });

  it('rejects base64 that is not a whole number of floats', () => {
    expect(base64ToFloat32('AAA=')).toBeNull(); // 2 bytes
    expect(base64ToFloat32('not base64!')).toBeNull();
    expect(base64ToFloat32('')).toEqual(new Float32Array(0));
  });
});

describe('typed arrays in free-form JSON', () => {
  it('tags typed arrays and revives them with their type and values', () => {
    const value = {
      a: new Float32Array([1.5, -2]),
      b: [new Int32Array([-1, 7]), { c: new Uint8Array([255, 0]) }],
      d: 'text',
      e: [1, 2],
    };
    const json = JSON.stringify(value, (_key, v: unknown) => tagTypedArray(v) ?? v);
    expect(json).toContain('"$typedArray":"Float32Array"');
    const revived = reviveTypedArrays(JSON.parse(json)) as typeof value;
    expect(revived.a).toBeInstanceOf(Float32Array);
    expect([...revived.a]).toEqual([1.5, -2]);
    expect(revived.b[0]).toBeInstanceOf(Int32Array);
    expect([...(revived.b[0] as Int32Array)]).toEqual([-1, 7]);
    expect((revived.b[1] as { c: Uint8Array }).c).toEqual(new Uint8Array([255, 0]));
    expect(revived.d).toBe('text');
    expect(revived.e).toEqual([1, 2]);
  });

  it('leaves look-alike objects it cannot decode alone', () => {
    const odd = { $typedArray: 'Float32Array', base64: 'AAA=' };
    expect(reviveTypedArrays(odd)).toBe(odd);
    const unknown = { $typedArray: 'BigInt64Array', base64: 'AAAAAAAAAAA=' };
    expect(reviveTypedArrays(unknown)).toBe(unknown);
  });
});
