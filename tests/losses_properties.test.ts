// Identities between the losses (each a known special case of another), and finite
// values and gradients where the probabilities saturate.
import * as tf from "../ml/tf.ts";
import { lossFn } from "../ml/losses/registry.ts";
import type { LossContext } from "../ml/losses/plugin.ts";
import type { LossParams } from "../ml/types.ts";
import { assert, AssertionError, assertThrows } from "./util/assert.ts";

await tf.setBackend("cpu");

// A batch that is neither tiny nor saturated: 12 × 5 logits, every class used.
const K = 5;
const LOGITS = Array.from({ length: 12 * K }, (_, i) => 2.5 * Math.sin(1.7 * i + 0.3));
const LABELS = Array.from({ length: 12 }, (_, i) => (3 * i + 1) % K);
const COUNTS = [400, 90, 17, 250, 3];

function run(
  name: string,
  params: LossParams,
  counts = COUNTS,
  logits = LOGITS,
  labels = LABELS,
): { value: number; grad: Float32Array } {
  const classes = counts.length;
  const ctx: LossContext = { classes, trainCounts: counts };
  const fn = lossFn(name, params, ctx);
  const z = tf.tensor2d(logits, [labels.length, classes]);
  const y = tf.tensor1d(labels, "int32");
  const { value, grad } = tf.valueAndGrad((t: tf.Tensor) => fn(t as tf.Tensor2D, y))(z);
  const out = { value: value.dataSync()[0], grad: grad.dataSync() as Float32Array };
  tf.dispose([z, y, value, grad]);
  return out;
}

/** Same value and gradient up to float32 rounding (scale × `tol`). */
function assertSame(
  a: { value: number; grad: ArrayLike<number> },
  b: { value: number; grad: ArrayLike<number> },
  what: string,
  tol = 1e-6,
) {
  if (!(Math.abs(a.value - b.value) <= tol * Math.max(1, Math.abs(b.value)))) {
    throw new AssertionError(`${what}: value ${a.value} vs ${b.value}`);
  }
  let scale = 0;
  for (let i = 0; i < b.grad.length; i++) scale = Math.max(scale, Math.abs(b.grad[i]));
  for (let i = 0; i < b.grad.length; i++) {
    if (!(Math.abs(a.grad[i] - b.grad[i]) <= tol * scale)) {
      throw new AssertionError(`${what}: gradient[${i}] ${a.grad[i]} vs ${b.grad[i]}`);
    }
  }
}

const scaled = (r: { value: number; grad: Float32Array }, s: number) => ({
  value: r.value * s,
  grad: r.grad.map((g) => g * s),
});

Deno.test("losses identities: focal γ=0, label smoothing ε=0 and cb β=0 are ce", () => {
  const ce = run("ce", {});
  assertSame(run("focal", { gamma: 0 }), ce, "focal γ=0");
  assertSame(run("label_smoothing", { epsilon: 0 }), ce, "label_smoothing ε=0");
  assertSame(run("cb_ce", { beta: 0 }), ce, "cb_ce β=0");
  assertSame(run("cb_focal", { beta: 0, gamma: 0 }), ce, "cb_focal β=0 γ=0");
  assertSame(run("sce", { alpha: 1, beta: 0 }), ce, "sce α=1 β=0");
  // Equal counts: uniform weights (even beside an empty class) and a constant prior.
  assertSame(run("cb_ce", { beta: 0.9999 }, [60, 60, 60, 60, 60]), ce, "cb_ce, equal counts");
  assertSame(run("balanced_softmax", {}, [60, 60, 60, 60, 60]), ce, "balanced_softmax, equal");
  const noFour = LABELS.map((y) => (y === 4 ? 0 : y));
  assertSame(
    run("cb_ce", { beta: 0.99 }, [9, 9, 9, 9, 0], LOGITS, noFour),
    run("ce", {}, COUNTS, LOGITS, noFour),
    "cb_ce, equal present counts beside an empty class",
  );
  // …and the identities can fail.
  assertThrows(() => assertSame(run("focal", { gamma: 0.05 }), ce, "focal γ=0.05"), "value");
  assertThrows(() => assertSame(run("label_smoothing", { epsilon: 0.01 }), ce, "ε"), "value");
  assertThrows(() => assertSame(run("cb_ce", { beta: 0.9 }), ce, "cb_ce β=0.9"), "value");
});

Deno.test("losses identities: the composite losses reduce to their parts", () => {
  assertSame(run("cb_focal", { beta: 0.99, gamma: 0 }), run("cb_ce", { beta: 0.99 }), "γ=0");
  assertSame(run("cb_focal", { beta: 0, gamma: 1.5 }), run("focal", { gamma: 1.5 }), "β=0");
  // Ghosh's MAE is K times the report's l1, and GCE at q = 1 is half of it.
  assertSame(run("mae", {}), scaled(run("l1", {}), K), "mae = K·l1");
  assertSame(run("gce", { q: 1 }), scaled(run("mae", {}), 0.5), "gce q=1 = mae/2");
  // With A = −4, RCE = 4(1 − p_y) = 2·mae; NCE+RCE at α=0 is that too.
  assertSame(run("sce", { alpha: 0, beta: 1 }), scaled(run("mae", {}), 2), "rce = 2·mae");
  assertSame(run("nce_rce", { alpha: 0, beta: 1 }), scaled(run("mae", {}), 2), "nce_rce α=0");
  // GCE tends to CE as q → 0.
  const ce = run("ce", {}), small = run("gce", { q: 1e-6 });
  assert(Math.abs(small.value - ce.value) < 1e-4 * ce.value, `gce q→0: ${small.value}`);
});

Deno.test("losses: saturated probabilities give finite values and gradients", () => {
  // Rows 0–1 are confidently right (1 − p_t underflows float32), rows 2–3 confidently
  // wrong (p_y ≈ e^-90), row 4 ordinary.
  const logits = [60, 0, 0, 0, 90, -5, 0, 0, 90, 0, 0, 0, 1, 2, 0.5];
  const labels = [0, 1, 1, 2, 2];
  const counts = [5, 0, 7];
  const settings: [string, LossParams][] = [
    ["ce", {}],
    ["l1", {}],
    ["mae", {}],
    ["focal", { gamma: 0.5 }],
    ["focal", { gamma: 0.1 }],
    ["focal", { gamma: 2 }],
    ["label_smoothing", { epsilon: 0.1 }],
    ["gce", { q: 0.3 }],
    ["gce", { q: 0.01 }],
    ["sce", { alpha: 0.1, beta: 1 }],
    ["nce_rce", { alpha: 1, beta: 1 }],
    ["cb_ce", { beta: 0.9999 }],
    ["cb_focal", { beta: 0.9999, gamma: 0.5 }],
    ["balanced_softmax", {}],
  ];
  for (const [name, params] of settings) {
    const r = run(name, params, counts, logits, labels);
    const what = `${name} ${JSON.stringify(params)}`;
    assert(Number.isFinite(r.value), `${what}: value ${r.value}`);
    assert(r.grad.every(Number.isFinite), `${what}: gradient ${r.grad}`);
  }
  // The focal floor is what keeps γ < 1 finite: without it the confident rows give NaN.
  const z = tf.tensor2d(logits, [5, 3]), y = tf.tensor1d(labels, "int32");
  const unfloored = tf.grad((t: tf.Tensor) => {
    const ce = tf.sub(tf.logSumExp(t, 1), tf.sum(tf.mul(t, tf.oneHot(y, 3).toFloat()), 1));
    return tf.mean(tf.mul(tf.pow(tf.sub(1, tf.exp(tf.neg(ce))), 0.5), ce));
  })(z);
  assert(!unfloored.dataSync().every(Number.isFinite), "the unfloored focal should blow up here");
  tf.dispose([z, y, unfloored]);
});

Deno.test("losses: confident and right costs ~0, confident and wrong costs over 0.5", () => {
  const right = [30, 0, 0], wrong = [0, 30, 0];
  for (const name of ["ce", "focal", "gce", "sce", "nce_rce", "mae", "l1"]) {
    const lo = run(name, {}, [1, 1, 1], right, [0]).value;
    const hi = run(name, {}, [1, 1, 1], wrong, [0]).value;
    assert(lo >= 0 && lo < 1e-6, `${name}: confident and right costs ${lo}`);
    assert(hi > 0.5, `${name}: confident and wrong costs ${hi}`);
  }
});
