// What the losses that know the class balance derive from the run's train
// counts (LossContext.trainCounts: images per given label in the split trained on).
import type { LossContext } from "./plugin.ts";

/** Refuses counts that cannot be the run's: wrong length, negative or fractional, all zero. */
export function checkCounts(loss: string, ctx: LossContext): number[] {
  const { classes, trainCounts } = ctx;
  if (trainCounts.length !== classes) {
    throw new Error(
      `${loss}: trainCounts has ${trainCounts.length} entries for ${classes} classes`,
    );
  }
  if (!trainCounts.every((n) => Number.isInteger(n) && n >= 0)) {
    throw new Error(`${loss}: trainCounts must be non-negative integers`);
  }
  if (!trainCounts.some((n) => n > 0)) throw new Error(`${loss}: trainCounts are all zero`);
  return trainCounts;
}

/**
 * Class-balanced weights (Cui et al. 2019): w_c ∝ (1 − β) / (1 − β^{n_c}), the inverse of
 * the class's effective number of samples, scaled so the weights sum to the number of
 * classes, as in the authors' code.
 *
 * A class with no train images gets weight 0: its effective number is 0, so the formula
 * gives 1/0, and with no images it never appears as a training label anyway. The others
 * are scaled to sum to K' = the number of present classes (not K), so the mean weight over
 * the classes that can be trained on stays 1, and equal counts still give every present
 * class weight 1 (cb_ce = ce) however many classes are empty. (Evaluated on a split that
 * does hold an empty class, its samples count with weight 0.) β = 0 gives all ones.
 * Computed in float64; the caller turns them into float32.
 */
export function classBalancedWeights(counts: number[], beta: number): number[] {
  const raw = counts.map((n) => n > 0 ? (1 - beta) / (1 - Math.pow(beta, n)) : 0);
  const present = counts.filter((n) => n > 0).length;
  const sum = raw.reduce((a, b) => a + b, 0);
  return raw.map((w) => w * present / sum);
}

/**
 * The log class prior log(n_c / N) that balanced softmax (Ren et al. 2020) adds to the
 * logits. An empty class would give log 0 = −∞ (and NaN gradients): its count is floored
 * at 1, as if it had one image, the least a present class can have. N is the sum of the
 * floored counts; any N would do, since adding one constant to all logits leaves softmax
 * cross-entropy unchanged.
 */
export function logClassPrior(counts: number[]): number[] {
  const floored = counts.map((n) => Math.max(n, 1));
  const total = floored.reduce((a, b) => a + b, 0);
  return floored.map((n) => Math.log(n / total));
}
