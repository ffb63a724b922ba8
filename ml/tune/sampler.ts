// Points in the unit cube for a tuning stage's trials: a Sobol sequence (the
// default), a Halton sequence, or plain random numbers. Each is seeded: the
// quasi-random ones by a random shift modulo 1 (a Cranley–Patterson rotation,
// which keeps their even spread), drawn from the project's own generator, so
// the same seed gives the same points on every machine. No npm package does
// this (none found for Sobol or Halton that is kept up), so it is here, checked
// against SciPy's unscrambled `qmc.Sobol` and `qmc.Halton` (tools/make_tune_fixtures.py).
import { Rng, Stream } from "../rng.ts";

export const SAMPLERS = ["sobol", "halton", "random"] as const;
export type SamplerName = typeof SAMPLERS[number];

/**
 * Joe and Kuo's direction numbers (new-joe-kuo-6.21201) for dimensions 2..12:
 * degree s, coefficients a, initial m_1..m_s. Dimension 1 is van der Corput's.
 */
const JOE_KUO: [number, number, number[]][] = [
  [1, 0, [1]],
  [2, 1, [1, 3]],
  [3, 1, [1, 3, 1]],
  [3, 2, [1, 1, 1]],
  [4, 1, [1, 1, 3, 3]],
  [4, 4, [1, 3, 5, 13]],
  [5, 2, [1, 1, 5, 5, 17]],
  [5, 4, [1, 1, 5, 5, 5]],
  [5, 7, [1, 1, 7, 11, 19]],
  [5, 11, [1, 1, 5, 1, 1]],
  [5, 13, [1, 1, 1, 3, 11]],
];

/** Most dimensions each sampler supports. */
export const MAX_DIMS: Record<SamplerName, number> = {
  sobol: JOE_KUO.length + 1,
  halton: 12,
  random: 64,
};

const BITS = 32;

/** Direction numbers V_1..V_32 of one Sobol dimension (0-based: dimension 0 is base 2). */
function directions(dim: number): Uint32Array {
  const v = new Uint32Array(BITS);
  if (dim === 0) {
    for (let k = 0; k < BITS; k++) v[k] = (1 << (BITS - 1 - k)) >>> 0;
    return v;
  }
  const [s, a, m] = JOE_KUO[dim - 1];
  for (let k = 0; k < s; k++) v[k] = (m[k] << (BITS - 1 - k)) >>> 0;
  for (let k = s; k < BITS; k++) {
    let x = (v[k - s] ^ (v[k - s] >>> s)) >>> 0;
    for (let j = 1; j < s; j++) if ((a >>> (s - 1 - j)) & 1) x = (x ^ v[k - j]) >>> 0;
    v[k] = x;
  }
  return v;
}

/** Point `i` (from 0) of the unscrambled Sobol sequence, SciPy's order (Gray code). */
export function sobolPoint(i: number, dims: number): number[] {
  const gray = (i ^ (i >>> 1)) >>> 0;
  const out: number[] = [];
  for (let d = 0; d < dims; d++) {
    const v = directions(d);
    let x = 0;
    for (let k = 0; k < BITS; k++) if ((gray >>> k) & 1) x = (x ^ v[k]) >>> 0;
    out.push(x / 2 ** BITS);
  }
  return out;
}

const PRIMES = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37];

/** Point `i` (from 0) of the unscrambled Halton sequence (radical inverses in the first primes). */
export function haltonPoint(i: number, dims: number): number[] {
  return PRIMES.slice(0, dims).map((b) => {
    let f = 1, x = 0;
    for (let n = i; n > 0; n = Math.floor(n / b)) {
      f /= b;
      x += f * (n % b);
    }
    return x;
  });
}

/** `n` points in [0, 1)^dims for the sampler and seed: the same on every call. */
export function unitPoints(
  sampler: SamplerName,
  n: number,
  dims: number,
  seed: number,
): number[][] {
  if (dims > MAX_DIMS[sampler]) {
    throw new Error(`${sampler}: at most ${MAX_DIMS[sampler]} dimensions (got ${dims})`);
  }
  const rng = new Rng(seed, Stream.tune, SAMPLERS.indexOf(sampler));
  if (sampler === "random") {
    return Array.from({ length: n }, () => Array.from({ length: dims }, () => rng.float()));
  }
  const shift = Array.from({ length: dims }, () => rng.float());
  const point = sampler === "sobol" ? sobolPoint : haltonPoint;
  return Array.from({ length: n }, (_, i) => point(i, dims).map((x, d) => (x + shift[d]) % 1));
}
