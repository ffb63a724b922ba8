// The imbalance stage: keep a seeded subset of each class's train images, so
// class sizes follow a long-tailed profile (Cui et al. 2019, "Class-Balanced
// Loss Based on Effective Number of Samples"). The profiles (imbalance/*.ts)
// say how many each class keeps; the draw is here, the same for all.
import type { Rng } from "../rng.ts";
import type { ImbalanceProfile, Stage } from "./plugin.ts";
import { classCounts, indicesByClass, sample } from "./sample.ts";

/**
 * Train images each class keeps under `profile`, by class index (class 0 is
 * the head). n_max is the largest actual class count, so the head class keeps
 * all its images and a balanced set gives the textbook counts. A class with
 * fewer images than its target keeps all it has (the result is then flatter
 * than asked).
 */
export function profileTargets(
  profile: ImbalanceProfile,
  counts: number[],
  spec: Record<string, unknown>,
): number[] {
  return profile.targets(counts, spec).map((want, c) => Math.min(want, counts[c]));
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

function gather(a: Uint8Array, idx: Uint32Array): Uint8Array {
  const out = new Uint8Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = a[idx[i]];
  return out;
}

/** The stage over `profiles`; it runs first, on the whole train split. */
export function imbalanceStage<P extends readonly ImbalanceProfile[]>(
  profiles: P,
  stream: number,
): Stage<"imbalance", P[number]> {
  return {
    key: "imbalance",
    by: "profile",
    title: "Class imbalance",
    description: "A seeded per-class subset of the train split; the test split stays as it is.",
    stream,
    plugins: profiles,
    check(spec, profile, { classes, counts }) {
      if (!classes || !counts) return null;
      const targets = profileTargets(profile, counts, spec);
      // A class that was already empty is the data's doing, not the ratio's.
      const emptied = classes.filter((_, c) => targets[c] === 0 && counts[c] > 0);
      if (emptied.length === 0) return null;
      const names = emptied.map((c) => JSON.stringify(c)).join(", ");
      return {
        field: "ratio",
        message: `leaves ${emptied.length === 1 ? "class" : "classes"} ${names} with 0 images ` +
          `(largest class ${Math.max(...counts)}, ${spec.profile} profile, ratio ${spec.ratio})`,
      };
    },
    apply(spec, profile, input, rng) {
      const counts = classCounts(input.truth, input.classes.length);
      if (!spec || !profile) return { ...input, record: { imbalanceCounts: counts } };
      const idx = selectImbalanced(input.truth, profileTargets(profile, counts, spec), rng);
      if (idx.length === input.truth.length) {
        return { ...input, record: { imbalanceCounts: counts } };
      }
      const truth = gather(input.truth, idx);
      const kept = input.kept ? idx.map((p) => input.kept![p]) : idx;
      return {
        kept,
        truth,
        given: input.given === input.truth ? truth : gather(input.given, idx),
        record: { imbalanceCounts: classCounts(truth, input.classes.length) },
      };
    },
  };
}
