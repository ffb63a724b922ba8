// Generalized cross-entropy (Zhang & Sabuncu 2018): L_q = (1 − p_y^q) / q, between
// CE (q → 0) and MAE/2 (q = 1).
import * as tf from "../tf.ts";
import { z } from "zod";
import { crossEntropy, perSampleMean } from "./ops.ts";
import { label } from "./label.ts";
import type { LossPlugin } from "./plugin.ts";

export const gce: LossPlugin = {
  name: "gce",
  title: "Generalized CE",
  description: "(1 − p_y^q)/q, noise-robust, between CE and MAE (Zhang & Sabuncu 2018).",
  params: z.strictObject({ q: z.number().gt(0).max(1).default(0.7) }),
  label: (p) => label("gce", ["q", p.q]),
  // p_y^q = exp(−q·ce): no pow of a probability, whose derivative is infinite at
  // p_y = 0 for q < 1; and 1 − exp(x) = −expm1(x) keeps precision for small q·ce.
  build: (p) =>
    perSampleMean((logits, oneHot) =>
      tf.div(tf.neg(tf.expm1(tf.mul(crossEntropy(logits, oneHot), -p.q))), p.q)
    ),
};
