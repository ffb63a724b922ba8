// Every loss plug-in against PyTorch: tests/fixtures/reference_losses.json, written
// by tools/make_loss_fixtures.py from the papers' definitions (float64 references on
// float32 logits). Value and d loss / d logits, through the registry, on the stock
// tfjs cpu backend.
import * as tf from "../ml/tf.ts";
import { classBalancedWeights } from "../ml/losses/counts.ts";
import { LOSS_NAMES, lossFn } from "../ml/losses/registry.ts";
import type { LossContext } from "../ml/losses/plugin.ts";
import { assert, AssertionError, assertThrows, scaledError } from "./util/assert.ts";
import type { LossParams } from "../ml/types.ts";
import {
  type LossCase as Case,
  lossFixtures,
  type LossResult as Result,
} from "./util/loss_fixtures.ts";

await tf.setBackend("cpu");

const ref = lossFixtures;

// float32 arithmetic against a float64 reference: rounding is ~1e-7 relative.
const VALUE_TOL = 1e-5, GRAD_TOL = 1e-5;

/** The loss and its gradient with respect to the logits, as plain numbers. */
function evaluate(
  c: Case,
  fn: (logits: tf.Tensor2D, labels: tf.Tensor1D) => tf.Scalar,
): { value: number; grad: Float32Array } {
  const logits = tf.tensor2d(c.logits.data, c.logits.shape);
  const labels = tf.tensor1d(c.labels, "int32");
  const { value, grad } = tf.valueAndGrad((z: tf.Tensor) => fn(z as tf.Tensor2D, labels))(logits);
  const out = { value: value.dataSync()[0], grad: grad.dataSync() as Float32Array };
  tf.dispose([logits, labels, value, grad]);
  return out;
}

function ctxOf(c: Case): LossContext {
  return { classes: c.logits.shape[1], trainCounts: c.trainCounts };
}

function assertMatches(got: { value: number; grad: ArrayLike<number> }, want: Result) {
  const what = `${want.case} ${want.loss} ${JSON.stringify(want.params)}`;
  const rel = Math.abs(got.value - want.value) / Math.abs(want.value);
  if (!(rel <= VALUE_TOL)) {
    throw new AssertionError(`${what}: value ${got.value} vs ${want.value} (rel ${rel})`);
  }
  const e = scaledError(got.grad, want.grad);
  if (!(e <= GRAD_TOL)) throw new AssertionError(`${what}: gradient error ${e} of scale`);
}

function find(caseName: string, loss: string, params: LossParams = {}): Result {
  const r = ref.results.find((r) =>
    r.case === caseName && r.loss === loss && JSON.stringify(r.params) === JSON.stringify(params)
  );
  assert(r, `no fixture for ${caseName} ${loss} ${JSON.stringify(params)}`);
  return r;
}

for (const r of ref.results) {
  Deno.test(`losses vs torch ${ref.torch}: ${r.case} ${r.loss} ${JSON.stringify(r.params)}`, () => {
    const c = ref.cases[r.case];
    assertMatches(evaluate(c, lossFn(r.loss, r.params, ctxOf(c))), r);
  });
}

Deno.test("losses vs torch: every registered loss has fixtures on every case", () => {
  for (const name of LOSS_NAMES) {
    for (const caseName of Object.keys(ref.cases)) {
      assert(
        ref.results.some((r) => r.loss === name && r.case === caseName),
        `${name} has no fixture on ${caseName}`,
      );
    }
  }
});

// --- The checks above can fail: near-miss variants must be rejected -------------------

/** Runs `fn` on the fixture's case and expects assertMatches against `want` to throw. */
function assertRejected(
  want: Result,
  fn: (logits: tf.Tensor2D, labels: tf.Tensor1D) => tf.Scalar,
  part: "value" | "gradient",
) {
  assertThrows(() => assertMatches(evaluate(ref.cases[want.case], fn), want), part);
}

Deno.test("losses vs torch (negative): a parameter off by a little is caught", () => {
  const c = ref.cases.b8k10, ctx = ctxOf(c);
  assertRejected(find("b8k10", "gce", { q: 0.7 }), lossFn("gce", { q: 0.69 }, ctx), "value");
  assertRejected(
    find("b8k10", "focal", { gamma: 0.5 }),
    lossFn("focal", { gamma: 0.48 }, ctx),
    "value",
  );
  const ls = find("b8k10", "label_smoothing", { epsilon: 0.1 });
  assertRejected(ls, lossFn("label_smoothing", { epsilon: 0.099 }, ctx), "value");
});

Deno.test("losses vs torch (negative): sce with the authors' code's A = log 1e-4 is caught", () => {
  // β·RCE with A = log 1e-4 equals β·(log 1e4 / 4)·RCE with A = −4.
  const want = find("b8k10", "sce", { alpha: 0.1, beta: 1 });
  const wrongA = lossFn("sce", { alpha: 0.1, beta: Math.log(1e4) / 4 }, ctxOf(ref.cases.b8k10));
  assertRejected(want, wrongA, "value");
});

Deno.test("losses vs torch (negative): l1 and mae are not the same scale", () => {
  const ctx = ctxOf(ref.cases.b8k10);
  assertRejected(find("b8k10", "mae"), lossFn("l1", {}, ctx), "value");
  assertRejected(find("b8k10", "l1"), lossFn("mae", {}, ctx), "value");
});

Deno.test("losses vs torch (negative): class-balance choices are pinned by the fixtures", () => {
  const c = ref.cases.b5k3, ctx = ctxOf(c);
  // Weights scaled to sum to K = 3 rather than to the 2 present classes.
  const cb = lossFn("cb_ce", { beta: 0.99 }, ctx);
  assertRejected(find("b5k3", "cb_ce", { beta: 0.99 }), (z, y) => tf.mul(cb(z, y), 3 / 2), "value");
  // nn.CrossEntropyLoss(weight=w)'s reduction, Σ w_y ce / Σ w_y, instead of the batch mean.
  const w = classBalancedWeights(c.trainCounts, 0.99);
  const weightSum = c.labels.reduce((s, y) => s + w[y], 0);
  assertRejected(
    find("b5k3", "cb_ce", { beta: 0.99 }),
    (z, y) => tf.mul(cb(z, y), c.labels.length / weightSum),
    "value",
  );
  // Balanced softmax without the prior is plain ce.
  assertRejected(find("b8k10", "balanced_softmax"), lossFn("ce", {}, ctx), "value");
  // An empty class floored at 1e-3 images instead of 1 (its label occurs in b5k3).
  const prior = (floor: number) => {
    const f = c.trainCounts.map((n) => Math.max(n, floor));
    const total = f.reduce((a, b) => a + b, 0);
    return tf.tensor1d(f.map((n) => Math.log(n / total)));
  };
  const ceFn = lossFn("ce", {}, ctx);
  assertMatches(
    evaluate(c, (z, y) => ceFn(tf.add(z, prior(1)) as tf.Tensor2D, y)),
    find("b5k3", "balanced_softmax"),
  );
  assertRejected(
    find("b5k3", "balanced_softmax"),
    (z, y) => ceFn(tf.add(z, prior(1e-3)) as tf.Tensor2D, y),
    "value",
  );
});

Deno.test("losses vs torch (negative): a focal term held constant in the gradient is caught", () => {
  // The same value, but (1 − p_t)^γ treated as a constant weight: a gradient-only bug.
  const want = find("b8k10", "focal", { gamma: 2 });
  const c = ref.cases.b8k10;
  const perSampleCe = (z: tf.Tensor2D, y: tf.Tensor1D) =>
    tf.sub(tf.logSumExp(z, 1), tf.sum(tf.mul(z, tf.oneHot(y, z.shape[1]).toFloat()), 1));
  const detached = (z: tf.Tensor2D, y: tf.Tensor1D) => {
    const frozen = tf.tensor2d(z.dataSync() as Float32Array, z.shape);
    const w = tf.pow(tf.sub(1, tf.exp(tf.neg(perSampleCe(frozen, y)))), 2);
    return tf.mean(tf.mul(w, perSampleCe(z, y))) as tf.Scalar;
  };
  const got = evaluate(c, detached);
  assert(Math.abs(got.value - want.value) / want.value < VALUE_TOL, "same value expected");
  assertRejected(want, detached, "gradient");
});
