// Counting and seeded sampling shared by the conditions: all work on index
// arrays, never on image bytes.
import type { Rng } from "../rng.ts";

/**
 * Slack for counts computed in float64 from decimal inputs: 0.35 · 10 is
 * 3.4999999999999996 and 0.29 · 100 is 28.999999999999996, yet the user meant
 * 3.5 and 29. Far below any real fraction of an image.
 */
const SLACK = 1e-9;

/** ⌊x⌋, reading x as the decimal the inputs meant (see SLACK). */
export function floorCount(x: number): number {
  return Math.floor(x + SLACK);
}

/** x rounded to the nearest integer, halves up (JS Math.round), with the same slack. */
export function roundCount(x: number): number {
  return Math.floor(x + 0.5 + SLACK);
}

/** Images per class; throws on a label outside [0, classes). */
export function classCounts(labels: ArrayLike<number>, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (!(y < classes)) throw new Error(`label ${y} at ${i} is outside [0, ${classes})`);
    counts[y]++;
  }
  return counts;
}

/** The positions of each class's samples, ascending (a counting sort). */
export function indicesByClass(labels: ArrayLike<number>, classes: number): Uint32Array[] {
  const counts = classCounts(labels, classes);
  const out = counts.map((n) => new Uint32Array(n));
  const fill = new Array<number>(classes).fill(0);
  for (let i = 0; i < labels.length; i++) out[labels[i]][fill[labels[i]]++] = i;
  return out;
}

/**
 * `k` distinct entries of `pool`, chosen uniformly by `rng` (a partial
 * Fisher-Yates on a copy, so O(n) to copy and O(k) draws).
 */
export function sample(rng: Rng, pool: Uint32Array, k: number): Uint32Array {
  const a = pool.slice();
  const n = a.length;
  if (k > n) throw new Error(`cannot draw ${k} of ${n}`);
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a.subarray(0, k);
}
