// Every existing condition on small synthetic splits, digested: prepareTrain's
// train and validation splits (labels and the images' origins), the flipped
// mask and the record. tools/make_condition_hashes.ts records the digests
// (tests/fixtures/condition_hashes.json) so a refactor of the conditions can
// prove it changed no bit (the published study trains on these).
import { createHash } from "node:crypto";
import { prepareTrain } from "../../ml/conditions/mod.ts";
import { Rng } from "../../ml/rng.ts";
import type { Condition, Split } from "../../ml/types.ts";
import { CIFAR, makeSplit } from "./splits.ts";

export interface ConditionCase {
  name: string;
  classes: string[];
  condition: Condition;
  valFraction: number;
  seed: number;
}

const noises: [string, Condition["labelNoise"]][] = [
  ["none", undefined],
  ["sym0.2", { kind: "symmetric", rate: 0.2 }],
  ["sym0.4", { kind: "symmetric", rate: 0.4 }],
  ["asym0.3", { kind: "asymmetric", rate: 0.3 }],
  ["human:worse", { kind: "human", set: "worse" }],
  ["human:aggre", { kind: "human", set: "aggre" }],
  ["matrix:worse", { kind: "matrix", like: "human:worse" }],
];
const imbalances: [string, Condition["imbalance"]][] = [
  ["balanced", undefined],
  ["exp10", { profile: "exp", ratio: 10 }],
  ["step5", { profile: "step", ratio: 5 }],
];

/** CIFAR-10 names (asymmetric's fixed map) and 5 other names (its i → i+1). */
const CLASS_SETS: [string, string[]][] = [
  ["cifar", CIFAR],
  ["five", ["a", "b", "c", "d", "e"]],
];

export const CONDITION_CASES: ConditionCase[] = CLASS_SETS.flatMap(([cn, classes]) =>
  noises.flatMap(([nn, labelNoise]) =>
    imbalances.flatMap(([iname, imbalance]) =>
      [0, 0.1].flatMap((valFraction) =>
        [1, 7].map((seed) => ({
          name: `${cn} ${nn} ${iname} val${valFraction} seed${seed}`,
          classes,
          condition: {
            ...(labelNoise ? { labelNoise } : {}),
            ...(imbalance ? { imbalance } : {}),
          },
          valFraction,
          seed,
        }))
      )
    )
  )
);

/** A slightly unbalanced split of `k` classes with two label sets ("worse", "aggre"). */
export function caseSplit(k: number): Split {
  const split = makeSplit(Array.from({ length: k }, (_, c) => 200 - 7 * c));
  const rng = new Rng(2024, k);
  const draw = (p: number) =>
    split.labels.map((y) => {
      const u = rng.float();
      return u < p ? (y + 1 + Math.floor(u * 1000) % (k - 1)) % k : y;
    });
  return { ...split, labelSets: { worse: draw(0.4), aggre: draw(0.09) } };
}

const hex = (...parts: (Uint8Array | string)[]) => {
  const h = createHash("sha256");
  for (const p of parts) h.update(typeof p === "string" ? p : p);
  return h.digest("hex");
};

/** One case's digest of everything prepareTrain returns. */
export function caseDigest(c: ConditionCase): string {
  const split = caseSplit(c.classes.length);
  const p = prepareTrain(split, c.classes, c.condition, c.valFraction, c.seed);
  return hex(
    p.train.labels,
    p.train.images,
    p.val ? p.val.labels : "no val",
    p.val ? p.val.images : "",
    p.flippedMask ?? "no mask",
    JSON.stringify(p.record),
  );
}
