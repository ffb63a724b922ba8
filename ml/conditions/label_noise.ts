// Label noise: replace a seeded, exactly sized set of train labels. Only labels
// change; the caller reuses the image buffer.
import type { LabelNoise } from "../types.ts";
import type { Rng } from "../rng.ts";
import { indicesByClass, roundCount, sample } from "./sample.ts";

export const CIFAR10_CLASSES = [
  "airplane",
  "automobile",
  "bird",
  "cat",
  "deer",
  "dog",
  "frog",
  "horse",
  "ship",
  "truck",
] as const;

/** The usual asymmetric map for CIFAR-10 (Patrini et al. 2017): similar-looking classes. */
const CIFAR10_FLIPS: [string, string][] = [
  ["truck", "automobile"],
  ["bird", "airplane"],
  ["deer", "horse"],
  ["cat", "dog"],
  ["dog", "cat"],
];

const norm = (s: string) => s.trim().toLowerCase();

/** Whether `classes` are CIFAR-10's, in any order and case. */
export function isCifar10(classes: string[]): boolean {
  const names = new Set(classes.map(norm));
  return classes.length === 10 && CIFAR10_CLASSES.every((c) => names.has(c));
}

/**
 * Where asymmetric noise sends each class's flipped labels, by class index; −1
 * for a class that keeps its labels. CIFAR-10 (by class names): the usual map;
 * any other set: class i → (i + 1) mod K.
 */
export function asymmetricTargets(classes: string[]): number[] {
  if (isCifar10(classes)) {
    const at = new Map(classes.map((c, i) => [norm(c), i]));
    const to = classes.map(() => -1);
    for (const [from, dest] of CIFAR10_FLIPS) to[at.get(from)!] = at.get(dest)!;
    return to;
  }
  return classes.map((_, i) => (i + 1) % classes.length);
}

/**
 * The given labels after noise, a new array (`labels`, the true ones, is left as is).
 * - symmetric: exactly round(rate · n) samples, drawn uniformly, each relabelled
 *   with a class drawn uniformly from the K − 1 other classes;
 * - asymmetric: in each source class c of `asymmetricTargets`, exactly
 *   round(rate · n_c) of its samples, drawn uniformly, get the mapped class (so on
 *   CIFAR-10 only 5 of the 10 classes are touched, and the overall flipped
 *   fraction is below `rate`).
 * Rounding is halves up. Needs K ≥ 2 (checkCondition says so).
 */
export function applyLabelNoise(
  labels: Uint8Array,
  classes: string[],
  noise: LabelNoise,
  rng: Rng,
): Uint8Array {
  const k = classes.length;
  const given = labels.slice();
  if (k < 2) throw new Error("label noise needs at least 2 classes");
  if (noise.kind === "symmetric") {
    const all = new Uint32Array(labels.length);
    for (let i = 0; i < all.length; i++) all[i] = i;
    for (const i of sample(rng, all, roundCount(noise.rate * labels.length))) {
      given[i] = (labels[i] + 1 + rng.int(k - 1)) % k;
    }
  } else if (noise.kind === "asymmetric") {
    const to = asymmetricTargets(classes);
    const byClass = indicesByClass(labels, k);
    for (let c = 0; c < k; c++) {
      if (to[c] < 0) continue;
      for (const i of sample(rng, byClass[c], roundCount(noise.rate * byClass[c].length))) {
        given[i] = to[c];
      }
    }
  } else {
    throw new Error(`unknown label noise kind ${JSON.stringify(noise.kind)}`);
  }
  return given;
}
