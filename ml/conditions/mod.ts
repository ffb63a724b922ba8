// The study's conditions on the train split (never the test split), then the
// validation split. The stages compose in registry.ts's STAGES order, each from
// its own seeded stream: 1. imbalance (a seeded per-class subset), 2. label
// noise (given labels replace true ones, over the kept samples); then
// 3. validation (Stream.validation): a class-stratified hold-out by given label
// (validation_split.ts). Counts: "round" is halves up; imbalance floors (see
// each module). Everything is a function of (split, classes, condition,
// valFraction, seed) only.
import type { Condition, ConditionRecord, Split } from "../types.ts";
import { Rng, Stream } from "../rng.ts";
import { checkCondition } from "./check.ts";
import type { Stage, StageOutput } from "./plugin.ts";
import { IMBALANCE_PROFILES, STAGES } from "./registry.ts";
import { profileTargets } from "./imbalance.ts";
import { classCounts } from "./sample.ts";
import { stratifiedHoldout } from "./validation_split.ts";

export { checkCondition, conditionProblem } from "./check.ts";
export { checkLabelSet } from "./noise/human.ts";
export { transitionCounts, twinCounts } from "./noise/matrix.ts";
export { asymmetricTargets, CIFAR10_CLASSES, isCifar10 } from "./noise/asymmetric.ts";
export { valCountFor } from "./validation_split.ts";
export { classCounts } from "./sample.ts";
export {
  conditionLabel,
  conditionSchema,
  describeConditions,
  IMBALANCE_PROFILES,
  NOISE_KINDS,
  STAGES,
} from "./registry.ts";

/** Train images each class keeps under `imbalance` (its profile's targets, capped by the counts). */
export function imbalanceTargets(
  counts: number[],
  imbalance: NonNullable<Condition["imbalance"]>,
): number[] {
  const profile = IMBALANCE_PROFILES.find((p) => p.name === imbalance.profile);
  if (!profile) throw new Error(`unknown imbalance profile ${JSON.stringify(imbalance.profile)}`);
  return profileTargets(profile, counts, imbalance);
}

export interface PreparedTrain {
  /** What is trained on (given labels). */
  train: Split;
  /** Held out, given labels; null without a validation split or when it holds out nothing. */
  val: Split | null;
  /** 1 where the train sample's given label differs from its true label (aligned with `train`); null without noise. */
  flippedMask: Uint8Array | null;
  record: ConditionRecord;
}

/** Copies the images at `idx` (ascending) into one buffer, a run of neighbours at a time. */
function gatherImages(images: Uint8Array, pixels: number, idx: Uint32Array): Uint8Array {
  const out = new Uint8Array(idx.length * pixels);
  for (let i = 0; i < idx.length;) {
    let j = i + 1;
    while (j < idx.length && idx[j] === idx[j - 1] + 1) j++;
    out.set(images.subarray(idx[i] * pixels, (idx[j - 1] + 1) * pixels), i * pixels);
    i = j;
  }
  return out;
}

function gather(a: Uint8Array, idx: Uint32Array): Uint8Array {
  const out = new Uint8Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = a[idx[i]];
  return out;
}

/**
 * Applies `condition` and the validation split to `train`. Throws checkCondition's
 * message when they cannot apply. Without a condition and with valFraction 0 it
 * returns `train` itself. Label noise alone reuses `train.images` (new labels
 * only); an imbalance or a validation split copies the kept images once.
 */
export function prepareTrain(
  train: Split,
  classes: string[],
  condition: Condition,
  valFraction: number,
  seed: number,
): PreparedTrain {
  const k = classes.length;
  if (train.labels.length !== train.count || train.images.length % Math.max(1, train.count)) {
    throw new Error(
      `split of ${train.count} has ${train.labels.length} labels, ${train.images.length} bytes`,
    );
  }
  const pixels = train.count === 0 ? 0 : train.images.length / train.count;
  const counts = classCounts(train.labels, k);
  const sets = Object.keys(train.labelSets ?? {});
  const problem = checkCondition(condition, counts, classes, valFraction, sets);
  if (problem) throw new Error(problem);

  // 1, 2. The stages in STAGES' order (imbalance, then noise), each from its own stream.
  let state: StageOutput = { kept: null, truth: train.labels, given: train.labels, record: {} };
  const record: Partial<ConditionRecord> = {};
  for (const stage of STAGES as readonly Stage[]) {
    const spec = (condition as Record<string, Record<string, unknown> | undefined>)[stage.key];
    const plugin = spec && stage.plugins.find((p) => p.name === spec[stage.by]);
    state = stage.apply(
      spec,
      plugin,
      { ...state, split: train, classes },
      new Rng(seed, stage.stream),
    );
    Object.assign(record, state.record);
  }
  const { kept, truth: trueLabels, given } = state;

  // 3. Validation split, by given label.
  let trainPos: Uint32Array | null = null;
  let valPos: Uint32Array | null = null;
  if (valFraction > 0) {
    const s = stratifiedHoldout(given, k, valFraction, new Rng(seed, Stream.validation));
    if (s.val.length > 0) [trainPos, valPos] = [s.train, s.val];
  }

  // Positions in `train` of what is trained on / held out; null: all, in order.
  const compose = (pos: Uint32Array | null): Uint32Array | null =>
    pos === null ? kept : kept === null ? pos : pos.map((p) => kept![p]);
  const trainIdx = compose(trainPos);
  const trainGiven = trainPos ? gather(given, trainPos) : given;
  const out: Split = trainIdx === null
    ? (given === train.labels ? train : { images: train.images, labels: given, count: train.count })
    : {
      images: gatherImages(train.images, pixels, trainIdx),
      labels: trainGiven,
      count: trainIdx.length,
    };

  let val: Split | null = null;
  if (valPos) {
    const valIdx = compose(valPos)!;
    val = {
      images: gatherImages(train.images, pixels, valIdx),
      labels: gather(given, valPos),
      count: valIdx.length,
    };
  }

  let flippedMask: Uint8Array | null = null;
  if (condition.labelNoise) {
    flippedMask = new Uint8Array(out.count);
    const trueTrain = trainPos ? gather(trueLabels, trainPos) : trueLabels;
    for (let i = 0; i < out.count; i++) flippedMask[i] = trainGiven[i] !== trueTrain[i] ? 1 : 0;
  }

  return {
    train: out,
    val,
    flippedMask,
    record: {
      imbalanceCounts: record.imbalanceCounts!,
      flips: record.flips!,
      flipped: record.flipped!,
      trainCounts: out === train ? counts.slice() : classCounts(out.labels, k),
      valCount: val ? val.count : 0,
    },
  };
}
