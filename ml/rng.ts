// Seeded, splittable PRNG. A run's seed fixes initialisation, shuffling and
// augmentation; each purpose and epoch gets its own stream, so resuming at
// epoch k replays exactly what an uninterrupted run would have drawn.

function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Small fast generator (sfc32) with 128 bits of state. */
export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  /** `seed` and any number of stream ids (purpose, epoch, ...). */
  constructor(seed: number, ...stream: number[]) {
    let h = splitmix32(seed >>> 0);
    for (const s of stream) h = splitmix32(h ^ splitmix32(s >>> 0));
    this.#a = h;
    this.#b = splitmix32(h ^ 1);
    this.#c = splitmix32(h ^ 2);
    this.#d = 1;
    for (let i = 0; i < 12; i++) this.uint32();
  }

  uint32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.uint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Fisher-Yates shuffle in place. */
  shuffle<T extends { length: number; [i: number]: number }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Uint32Array {
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }
}

/** Stream ids, so no two purposes share random numbers. */
export const Stream = {
  init: 1,
  shuffle: 2,
  augment: 3,
  subset: 4,
  synthetic: 5,
  imbalance: 6,
  noise: 7,
  validation: 8,
  /** A tuning stage's sampler (ml/tune/sampler.ts). */
  tune: 9,
} as const;
