// Class imbalance: keep a seeded subset of each class's train images, so class
// sizes follow a long-tailed profile (Cui et al. 2019, "Class-Balanced Loss
// Based on Effective Number of Samples").
import type { Imbalance } from "../types.ts";
import type { Rng } from "../rng.ts";
import { floorCount, indicesByClass, sample } from "./sample.ts";

/**
 * Train images each class keeps, by class index (class 0 is the head):
 * - `exp`: ⌊n_max · ρ^(−i/(K−1))⌋ (CIFAR-10-LT; with ρ = 100, 5000 … 50);
 * - `step`: n_max for the first ⌈K/2⌉ classes, ⌊n_max/ρ⌋ for the rest.
 *
 * n_max is the largest actual class count, so the head class keeps all its
 * images and a balanced set gives the textbook counts; on an unbalanced set the
 * profile is still relative to its largest class. A class with fewer images than
 * its target keeps all it has (the result is then flatter than asked).
 */
export function imbalanceTargets(counts: number[], imbalance: Imbalance): number[] {
  const k = counts.length;
  const nMax = Math.max(0, ...counts);
  const { profile, ratio } = imbalance;
  return counts.map((have, i) => {
    let want: number;
    if (profile === "exp") {
      want = k === 1 ? nMax : floorCount(nMax * Math.pow(ratio, -i / (k - 1)));
    } else if (profile === "step") {
      want = i < Math.ceil(k / 2) ? nMax : floorCount(nMax / ratio);
    } else {
      throw new Error(`unknown imbalance profile ${JSON.stringify(profile)}`);
    }
    return Math.min(want, have);
  });
}

/**
 * The positions (ascending) of the images the imbalance keeps: for each class in
 * index order, `targets[c]` of its images drawn uniformly by `rng`.
 */
export function selectImbalanced(
  labels: ArrayLike<number>,
  targets: number[],
  rng: Rng,
): Uint32Array {
  const byClass = indicesByClass(labels, targets.length);
  const keep = new Uint8Array(labels.length);
  let kept = 0;
  for (let c = 0; c < targets.length; c++) {
    const chosen = targets[c] >= byClass[c].length
      ? byClass[c]
      : sample(rng, byClass[c], targets[c]);
    for (const i of chosen) keep[i] = 1;
    kept += chosen.length;
  }
  const out = new Uint32Array(kept);
  for (let i = 0, o = 0; i < keep.length; i++) if (keep[i]) out[o++] = i;
  return out;
}
