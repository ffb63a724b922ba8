// Instance-dependent noise after Xia et al. 2020, "Part-dependent Label Noise:
// Towards Instance-dependent Label Noise" (their reference code's
// get_instance_noisy_label): each sample's flip rate q_i is drawn from a normal
// around the rate (sd 0.1) truncated to [0, 1]; its class y has a random
// projection W_y (d × K standard normals) of the sample's flattened, normalised
// pixels x; a flipped sample goes to class c ≠ y with probability
// softmax_{c≠y}(x·W_y). The reference flips each sample with probability q_i,
// so the count varies; here exactly round(rate·n) samples flip (halves up, as
// for symmetric noise), chosen by weighted sampling without replacement with
// weights q_i (Efraimidis & Spirakis 2006: the largest u^(1/q_i)).
// Draw order, all from the noise stream: q (rejection, in sample order), one
// uniform per sample for the choice, W (class, pixel, class), then one
// uniform per chosen sample (ascending) for its class. x is the pixel bytes
// standardised by their mean and sd over the samples in play.
import { z } from "zod";
import type { Rng } from "../../rng.ts";
import { noiseKind, pct } from "../plugin.ts";
import { roundCount } from "../sample.ts";
import { rate } from "./rate.ts";

/** The sd of the per-sample flip rates (the reference's norm_std). */
export const FLIP_RATE_SD = 0.1;

/** A standard normal (Box–Muller, two uniforms per draw). */
export function normal(rng: Rng): number {
  const u = 1 - rng.float(); // (0, 1]
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.float());
}

/** N(mean, sd) truncated to [0, 1], by rejection. */
export function truncatedNormal(rng: Rng, mean: number, sd: number): number {
  for (;;) {
    const x = mean + sd * normal(rng);
    if (x >= 0 && x <= 1) return x;
  }
}

/** `m` positions drawn without replacement with weights `q` (ascending). */
export function chooseByRate(q: Float64Array, m: number, rng: Rng): Uint32Array {
  // log(u)/q ranks as u^(1/q); a weight of 0 is never chosen before a positive one.
  const keys = Array.from(q, (w, i) => ({ i, key: Math.log(1 - rng.float()) / w }));
  keys.sort((a, b) => b.key - a.key || a.i - b.i);
  return Uint32Array.from(keys.slice(0, m), (k) => k.i).sort();
}

export const instance = noiseKind({
  name: "instance",
  title: "instance-dependent noise",
  description: "Xia et al. 2020 (part-dependent): per-sample flip rates around the rate, " +
    "a random projection per class of the pixels, softmax over the other classes; " +
    "exactly round(rate·n) flips, chosen by their flip rates.",
  schema: z.strictObject({ kind: z.literal("instance"), rate }),
  label: (s) => `instance noise ${pct(s.rate)}`,
  apply(spec, { split, kept, truth, classes }, rng) {
    const n = truth.length, k = classes.length;
    const d = split.count === 0 ? 0 : split.images.length / split.count;
    const at = (i: number) => (kept ? kept[i] : i) * d;
    const q = new Float64Array(n);
    for (let i = 0; i < n; i++) q[i] = truncatedNormal(rng, spec.rate, FLIP_RATE_SD);
    const chosen = chooseByRate(q, roundCount(spec.rate * n), rng);
    const w = new Float64Array(k * d * k);
    for (let j = 0; j < w.length; j++) w[j] = normal(rng);
    // Standardise the pixels over the samples in play.
    let sum = 0, sq = 0;
    for (let i = 0; i < n; i++) {
      for (let j = at(i), e = j + d; j < e; j++) sum += split.images[j];
    }
    const mean = sum / Math.max(1, n * d);
    for (let i = 0; i < n; i++) {
      for (let j = at(i), e = j + d; j < e; j++) sq += (split.images[j] - mean) ** 2;
    }
    const sd = Math.sqrt(sq / Math.max(1, n * d)) || 1;
    const given = truth.slice();
    const logits = new Float64Array(k);
    for (const i of chosen) {
      const y = truth[i];
      logits.fill(0);
      for (let p = 0, o = at(i); p < d; p++) {
        const x = (split.images[o + p] - mean) / sd;
        const row = (y * d + p) * k;
        for (let c = 0; c < k; c++) logits[c] += x * w[row + c];
      }
      let top = -Infinity;
      for (let c = 0; c < k; c++) if (c !== y && logits[c] > top) top = logits[c];
      let z = 0;
      for (let c = 0; c < k; c++) z += c === y ? 0 : (logits[c] = Math.exp(logits[c] - top));
      let u = rng.float() * z, to = -1;
      for (let c = 0; c < k && to < 0; c++) {
        if (c === y) continue;
        u -= logits[c];
        if (u < 0) to = c;
      }
      // Rounding can leave u ≥ 0 after the last class: it is the last other class.
      given[i] = to >= 0 ? to : (y === k - 1 ? k - 2 : k - 1);
    }
    return given;
  },
});
