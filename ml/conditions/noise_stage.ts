// The label-noise stage: given labels replace true ones on the samples in play
// (after any imbalance); only labels change, the images are reused. The kinds
// are in noise/*.ts; the stage records the flips matrix and count.
import type { NoiseKind, Stage } from "./plugin.ts";

/** flips[true][given] and the off-diagonal total. */
export function flipsOf(truth: Uint8Array, given: Uint8Array, k: number) {
  const flips = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let flipped = 0;
  for (let i = 0; i < given.length; i++) {
    flips[truth[i]][given[i]]++;
    if (given[i] !== truth[i]) flipped++;
  }
  return { flips, flipped };
}

/** The stage over `kinds`. */
export function noiseStage<P extends readonly NoiseKind[]>(
  kinds: P,
  stream: number,
): Stage<"labelNoise", P[number]> {
  return {
    key: "labelNoise",
    by: "kind",
    title: "Label noise",
    description: "Given labels replace true ones on the train split (after any imbalance); " +
      "the test split stays clean.",
    stream,
    plugins: kinds,
    check: (_spec, _kind, { classes }) =>
      classes && classes.length < 2
        ? { message: `needs at least 2 classes, the data set has ${classes.length}` }
        : null,
    apply(spec, kind, input, rng) {
      const given = spec && kind ? kind.apply(spec, input, rng) : input.given;
      if (given.length !== input.truth.length) {
        throw new Error(
          `noise "${kind?.name}" gave ${given.length} labels for ${input.truth.length}`,
        );
      }
      const record = flipsOf(input.truth, given, input.classes.length);
      return { kept: input.kept, truth: input.truth, given, record };
    },
  };
}
