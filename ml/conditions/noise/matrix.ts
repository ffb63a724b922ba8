// A human label set's matrix twin (Wei et al. 2022's comparison): class-
// conditional noise with the same class-level transition matrix as the set, but
// drawn at random within each class, so only the dependence on the image is
// gone. Counts are exact, so the flips matrix is a function of the class sizes.
import { z } from "zod";
import type { Rng } from "../../rng.ts";
import { noiseKind } from "../plugin.ts";
import { indicesByClass } from "../sample.ts";
import { checkLabelSet, labelSetOf } from "./human.ts";

/**
 * counts[i][j]: samples of true class i whose label in `set` is j, over the
 * split the run starts from (before any imbalance). Row i over its sum is the
 * transition matrix's row: P(human label j | true class i).
 */
export function transitionCounts(truth: ArrayLike<number>, set: ArrayLike<number>, k: number) {
  const counts = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < truth.length; i++) counts[truth[i]][set[i]]++;
  return counts;
}

/**
 * The twin's exact count per (i → j) for a class of `n` samples whose
 * transition row (counts, any scale) is `row`: n · row_j / Σrow, rounded by
 * largest remainder so the row sums to n (floors first; the leftover units go
 * to the largest fractional parts, ties to the lower class index). An empty
 * row (a class the set never saw) keeps its labels. Where n is the row's own
 * size (no imbalance), these are exactly the set's counts.
 */
export function twinCounts(row: number[], n: number): number[] {
  const total = row.reduce((a, b) => a + b, 0);
  if (total === 0) return row.map(() => 0);
  // Integer arithmetic: n·row_j = q·total + r, so no float ever decides a tie.
  const out = row.map((c) => Math.floor((n * c) / total));
  const rem = row.map((c, j) => ({ j, r: (n * c) % total }));
  let left = n - out.reduce((a, b) => a + b, 0);
  rem.sort((a, b) => b.r - a.r || a.j - b.j);
  for (let t = 0; left > 0; t++, left--) out[rem[t].j]++;
  return out;
}

/**
 * Given labels for `labels` (true, after any imbalance): in each class i, a
 * uniform random permutation of its samples (from `rng`), the first
 * twinCounts[i][0] of them labelled 0, the next twinCounts[i][1] labelled 1, and
 * so on. `matrix` is transitionCounts of the label set.
 */
export function applyMatrixNoise(labels: Uint8Array, matrix: number[][], rng: Rng): Uint8Array {
  const k = matrix.length;
  const given = labels.slice();
  const byClass = indicesByClass(labels, k);
  for (let i = 0; i < k; i++) {
    const members = rng.shuffle(byClass[i].slice());
    const counts = twinCounts(matrix[i], members.length);
    if (counts.every((c) => c === 0)) continue; // an unseen class keeps its labels
    let at = 0;
    for (let j = 0; j < k; j++) {
      for (let c = 0; c < counts[j]; c++) given[members[at++]] = j;
    }
  }
  return given;
}

const SET_OF_LIKE = /^human:(.+)$/;

export const matrix = noiseKind({
  name: "matrix",
  title: "matrix twin of a label set",
  description: "Class-conditional noise with a label set's class-level transition matrix, " +
    "drawn per seed with exact counts: the set's noise without its dependence on the image.",
  schema: z.strictObject({
    kind: z.literal("matrix"),
    like: z.string().regex(
      /^human:[A-Za-z0-9_-]{1,64}$/,
      'expected "human:<label set>", e.g. "human:worse"',
    ).describe('"human:<label set>": whose transition matrix to draw from')
      .meta({ examples: ["human:worse"], metavar: "human:SET" }),
  }),
  label: (s) => `matrix twin of ${s.like}`,
  check: (s, ctx) => checkLabelSet("like", s.like.replace(SET_OF_LIKE, "$1"), ctx.labelSets),
  apply(spec, { split, classes, truth }, rng) {
    // The matrix is the set's over the split as given (before the imbalance).
    const set = labelSetOf(split, spec.like.replace(SET_OF_LIKE, "$1"));
    return applyMatrixNoise(truth, transitionCounts(split.labels, set, classes.length), rng);
  },
});
