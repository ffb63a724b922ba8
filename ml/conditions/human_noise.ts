// Human label noise: the train labels are replaced by one of the data set's
// label sets (ml/data/label_sets.ts), e.g. CIFAR-10N's "worse". No randomness:
// the noise is the annotators'. After an imbalance, the set's labels follow the
// kept images.
import type { Split } from "../types.ts";

/** The label set `name` of `train` ("human:worse" → "worse" for a matrix twin's `like`). */
export function labelSetOf(train: Split, name: string): Uint8Array {
  const set = train.labelSets?.[name];
  if (!set) throw new Error(`no label set "${name}"`);
  if (set.length !== train.count) {
    throw new Error(`label set "${name}" has ${set.length} labels for ${train.count} images`);
  }
  return set;
}

/** The set's labels at `kept` (positions in `train`), or all of them: a new array. */
export function applyHumanNoise(train: Split, name: string, kept: Uint32Array | null): Uint8Array {
  const set = labelSetOf(train, name);
  return kept ? Uint8Array.from(kept, (i) => set[i]) : set.slice();
}

/** Unknown-set message naming `field`, or null. */
export function checkLabelSet(field: string, name: string, sets: string[]): string | null {
  if (sets.includes(name)) return null;
  return `${field}: unknown label set "${name}"; ` +
    (sets.length
      ? `this data set has ${sets.map((s) => `"${s}"`).join(", ")}`
      : "this data set has none (LOSSBENCH_LABEL_SETS registers them)");
}
