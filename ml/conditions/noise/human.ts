// Human label noise: the train labels are replaced by one of the data set's
// label sets (ml/data/label_sets.ts), e.g. CIFAR-10N's "worse". No randomness:
// the noise is the annotators'. After an imbalance, the set's labels follow the
// kept images.
import { z } from "zod";
import { LABEL_SET_NAME } from "../../data/label_sets.ts";
import type { Split } from "../../types.ts";
import { noiseKind, type Problem } from "../plugin.ts";

/** The label set `name` of `train`. */
export function labelSetOf(train: Split, name: string): Uint8Array {
  const set = train.labelSets?.[name];
  if (!set) throw new Error(`no label set "${name}"`);
  if (set.length !== train.count) {
    throw new Error(`label set "${name}" has ${set.length} labels for ${train.count} images`);
  }
  return set;
}

/** Unknown-set problem naming `field`, or null. */
export function checkLabelSet(field: string, name: string, sets: string[]): Problem | null {
  if (sets.includes(name)) return null;
  return {
    field,
    message: `unknown label set "${name}"; ` +
      (sets.length
        ? `this data set has ${sets.map((s) => `"${s}"`).join(", ")}`
        : "this data set has none (LOSSBENCH_LABEL_SETS registers them)"),
  };
}

export const human = noiseKind({
  name: "human",
  title: "human noise (a label set)",
  description: "Trains on one of the data set's label sets (e.g. CIFAR-10N's worse; " +
    "Wei et al. 2022); the same labels for every seed.",
  schema: z.strictObject({
    kind: z.literal("human"),
    set: z.string().regex(LABEL_SET_NAME, "a label set's name (letters, digits, _ and -)")
      .describe("One of the data set's label sets (GET /api/datasets)")
      .meta({ examples: ["worse"], metavar: "SET" }),
  }),
  label: (s) => `human noise: ${s.set}`,
  check: (s, ctx) => checkLabelSet("set", s.set, ctx.labelSets),
  apply(spec, { split, kept }) {
    const set = labelSetOf(split, spec.set);
    return kept ? Uint8Array.from(kept, (i) => set[i]) : set.slice();
  },
});
