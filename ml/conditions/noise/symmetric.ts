// Symmetric noise: exactly round(rate · n) samples, drawn uniformly, each
// relabelled with a class drawn uniformly from the K − 1 other classes.
// Rounding is halves up (roundCount).
import { z } from "zod";
import { noiseKind, pct } from "../plugin.ts";
import { roundCount, sample } from "../sample.ts";
import { rate } from "./rate.ts";

export const symmetric = noiseKind({
  name: "symmetric",
  title: "symmetric noise",
  description: "round(rate·n) labels, drawn uniformly, each to a uniformly drawn other class.",
  schema: z.strictObject({ kind: z.literal("symmetric"), rate }),
  label: (s) => `sym noise ${pct(s.rate)}`,
  apply(spec, { truth, classes }, rng) {
    const k = classes.length;
    const given = truth.slice();
    const all = new Uint32Array(truth.length);
    for (let i = 0; i < all.length; i++) all[i] = i;
    for (const i of sample(rng, all, roundCount(spec.rate * truth.length))) {
      given[i] = (truth[i] + 1 + rng.int(k - 1)) % k;
    }
    return given;
  },
});
