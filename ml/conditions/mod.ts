// TEMPORARY stand-in until the conditions land (branch `conditions`): no condition, no val split.
import type { Condition, ConditionRecord, Split } from "../types.ts";
export interface PreparedTrain {
  train: Split;
  val: Split | null;
  flippedMask: Uint8Array | null;
  record: ConditionRecord;
}
export function prepareTrain(
  train: Split,
  classes: string[],
  _condition: Condition,
  _valFraction: number,
  _seed: number,
): PreparedTrain {
  const k = classes.length;
  const counts = new Array(k).fill(0);
  for (let i = 0; i < train.count; i++) counts[train.labels[i]]++;
  const flips = counts.map((n, i) => counts.map((_, j) => (i === j ? n : 0)));
  return {
    train,
    val: null,
    flippedMask: null,
    record: { imbalanceCounts: counts, flips, flipped: 0, trainCounts: counts, valCount: 0 },
  };
}
