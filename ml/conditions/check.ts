// Checks a condition against a data set before any work, so a run that cannot
// do what it asks fails with a message naming the field.
import type { Condition } from "../types.ts";
import { checkLabelSet } from "./human_noise.ts";
import { imbalanceTargets } from "./imbalance.ts";

/**
 * null when `condition` and `valFraction` can be applied to a train split with
 * `classCounts` images per class (of `classes`), else an error naming the field,
 * e.g. `condition.imbalance.ratio: leaves class "truck" with 0 images`. The schema
 * bounds are re-checked too (cheap), so prepareTrain is safe on its own.
 */
export function checkCondition(
  condition: Condition,
  classCounts: number[],
  classes: string[],
  valFraction: number,
  /** The data set's label sets (human and matrix noise name one). */
  labelSets: string[] = [],
): string | null {
  if (classCounts.length !== classes.length) {
    return `classCounts: ${classCounts.length} counts for ${classes.length} classes`;
  }
  if (!(valFraction >= 0 && valFraction < 1)) {
    return `valFraction: must be in [0, 1), got ${valFraction}`;
  }
  const { labelNoise, imbalance } = condition;
  if (imbalance) {
    if (imbalance.profile !== "exp" && imbalance.profile !== "step") {
      return `condition.imbalance.profile: must be "exp" or "step", got ${
        JSON.stringify(imbalance.profile)
      }`;
    }
    if (!(imbalance.ratio >= 1 && Number.isFinite(imbalance.ratio))) {
      return `condition.imbalance.ratio: must be a number ≥ 1, got ${imbalance.ratio}`;
    }
    const targets = imbalanceTargets(classCounts, imbalance);
    // A class that was already empty is the data's doing, not the ratio's.
    const emptied = classes.filter((_, c) => targets[c] === 0 && classCounts[c] > 0);
    if (emptied.length > 0) {
      const names = emptied.map((c) => JSON.stringify(c)).join(", ");
      return `condition.imbalance.ratio: leaves ${emptied.length === 1 ? "class" : "classes"} ` +
        `${names} with 0 images (largest class ${Math.max(...classCounts)}, ` +
        `${imbalance.profile} profile, ratio ${imbalance.ratio})`;
    }
  }
  if (labelNoise?.kind === "human") {
    return checkLabelSet("condition.labelNoise.set", labelNoise.set, labelSets);
  }
  if (labelNoise?.kind === "matrix") {
    const m = /^human:(.+)$/.exec(labelNoise.like);
    if (!m) {
      return `condition.labelNoise.like: expected "human:<label set>", got "${labelNoise.like}"`;
    }
    return checkLabelSet("condition.labelNoise.like", m[1], labelSets);
  }
  if (labelNoise) {
    if (labelNoise.kind !== "symmetric" && labelNoise.kind !== "asymmetric") {
      return `condition.labelNoise.kind: must be one of "symmetric", "asymmetric", "human", ` +
        `"matrix", got ${JSON.stringify((labelNoise as { kind: unknown }).kind)}`;
    }
    if (!(labelNoise.rate >= 0 && labelNoise.rate < 1)) {
      return `condition.labelNoise.rate: must be in [0, 1), got ${labelNoise.rate}`;
    }
    if (classes.length < 2) {
      return `condition.labelNoise: needs at least 2 classes, the data set has ${classes.length}`;
    }
  }
  return null;
}
