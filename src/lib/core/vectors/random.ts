/** Seeded pseudo-random generator: reproducible streams from a 32-bit seed. */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal deviate (Box-Muller, caches the second value). */
  gaussian(): number;
}

/** splitmix32 step: spreads a user seed so nearby seeds give unrelated streams. */
function splitmix32(state: number): [number, number] {
  state = (state + 0x9e3779b9) | 0;
  let z = state;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [state, (z ^ (z >>> 16)) >>> 0];
}

/** Creates a xoshiro128** generator seeded (via splitmix32) from `seed`. */
export function createRng(seed: number): Rng {
  let sm = seed >>> 0;
  let a: number, b: number, c: number, d: number;
  [sm, a] = splitmix32(sm);
  [sm, b] = splitmix32(sm);
  [sm, c] = splitmix32(sm);
  [, d] = splitmix32(sm);
  if ((a | b | c | d) === 0) a = 1; // xoshiro must not start all-zero
  let spare = 0;
  let hasSpare = false;

  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };
  const next = (): number => nextUint32() / 4294967296;
  return {
    next,
    nextUint32,
    int: (n: number) => Math.floor(next() * n),
    gaussian: () => {
      if (hasSpare) {
        hasSpare = false;
        return spare;
      }
      // 1 - next() lies in (0, 1], so the log is finite.
      const u = 1 - next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      hasSpare = true;
      return r * Math.cos(2 * Math.PI * v);
    },
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Shuffles `arr` in place (Fisher-Yates) and returns it. */
export function shuffle<T extends { length: number; [i: number]: unknown }>(arr: T, rng: Rng): T {
  for (let i = arr.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = arr[i];
    arr[i] = arr[j];
    arr[j] = tmp;
  }
  return arr;
}

/** Fills a new Float32Array of length n with standard normal deviates. */
export function gaussianArray(n: number, rng: Rng): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.gaussian();
  return out;
}

/** Draws k distinct integers from [0, n) (k <= n), in random order. */
export function sampleWithoutReplacement(n: number, k: number, rng: Rng): Uint32Array {
  if (k > n) throw new Error(`sampleWithoutReplacement: k ${k} > n ${n}`);
  const out = new Uint32Array(k);
  if (k * 4 > n) {
    const all = new Uint32Array(n);
    for (let i = 0; i < n; i++) all[i] = i;
    // Partial Fisher-Yates: only the first k positions are needed.
    for (let i = 0; i < k; i++) {
      const j = i + rng.int(n - i);
      const tmp = all[i]!;
      all[i] = all[j]!;
      all[j] = tmp;
    }
    out.set(all.subarray(0, k));
    return out;
  }
  const seen = new Set<number>();
  let m = 0;
  while (m < k) {
    const x = rng.int(n);
    if (!seen.has(x)) {
      seen.add(x);
      out[m++] = x;
    }
  }
  return out;
}
