// The validation split: a seeded, class-stratified hold-out by given label,
// drawn from the conditioned train split as a practitioner's would be (they see
// only the given labels).
import type { Rng } from "../rng.ts";
import { indicesByClass, roundCount, sample } from "./sample.ts";

/**
 * Images held out of a class of `n` (by given label): round(valFraction · n),
 * halves up, but never the class's last image, so every class that has images
 * keeps at least one to train on. The total is the sum of these per-class counts
 * (so on a balanced set it is K · round(valFraction · n_c)).
 */
export function valCountFor(n: number, valFraction: number): number {
  return n === 0 ? 0 : Math.min(roundCount(valFraction * n), n - 1);
}

/** Positions (each ascending) of the samples trained on and held out. */
export function stratifiedHoldout(
  given: Uint8Array,
  classes: number,
  valFraction: number,
  rng: Rng,
): { train: Uint32Array; val: Uint32Array } {
  const byClass = indicesByClass(given, classes);
  const held = new Uint8Array(given.length);
  let nVal = 0;
  for (const members of byClass) {
    for (const i of sample(rng, members, valCountFor(members.length, valFraction))) held[i] = 1;
    nVal += valCountFor(members.length, valFraction);
  }
  const train = new Uint32Array(given.length - nVal);
  const val = new Uint32Array(nVal);
  for (let i = 0, t = 0, v = 0; i < given.length; i++) {
    if (held[i]) val[v++] = i;
    else train[t++] = i;
  }
  return { train, val };
}
