// Class-conditional flips by a fixed map, shared by asymmetric and pair-flip
// noise: in each source class c, exactly round(rate · n_c) of its samples
// (halves up), drawn uniformly, get class to[c]. Classes in index order.
import type { Rng } from "../../rng.ts";
import { indicesByClass, roundCount, sample } from "../sample.ts";

/** `truth` with the flips applied (a new array); to[c] < 0 leaves class c alone. */
export function flipByMap(truth: Uint8Array, to: number[], rate: number, rng: Rng): Uint8Array {
  const given = truth.slice();
  const byClass = indicesByClass(truth, to.length);
  for (let c = 0; c < to.length; c++) {
    if (to[c] < 0) continue;
    for (const i of sample(rng, byClass[c], roundCount(rate * byClass[c].length))) given[i] = to[c];
  }
  return given;
}
