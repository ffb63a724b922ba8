// Pair-flip noise (Han et al. 2018, "Co-teaching: Robust Training of Deep
// Neural Networks with Extremely Noisy Labels"): class i → (i + 1) mod K. In
// each class c, exactly round(rate · n_c) of its samples (halves up, as for
// symmetric and asymmetric noise), drawn uniformly, classes in index order.
// Unlike asymmetric noise, every class flips, CIFAR-10 included.
import { z } from "zod";
import { noiseKind, pct } from "../plugin.ts";
import { flipByMap } from "./class_map.ts";
import { rate } from "./rate.ts";

export const pairFlip = noiseKind({
  name: "pair_flip",
  title: "pair-flip noise",
  description: "In every class i, round(rate·n_i) labels go to class i+1 mod K " +
    "(Han et al. 2018, Co-teaching).",
  schema: z.strictObject({ kind: z.literal("pair_flip"), rate }),
  label: (s) => `pair noise ${pct(s.rate)}`,
  apply: (spec, { truth, classes }, rng) =>
    flipByMap(truth, classes.map((_, i) => (i + 1) % classes.length), spec.rate, rng),
});
