// The tfjs engine (ml/models/convnet.ts, ml/losses.ts, ml/optimizer.ts) against the
// report's own PyTorch code: tests/fixtures/reference_convnet.json, written by
// tools/make_fixtures.py. Stock tfjs cpu backend, so a failure here is the
// engine's maths, not a custom kernel's.
//
// The fixture is in PyTorch layout; `toTfjs` does the conversions the engine's
// checkpoints would need when importing PyTorch weights, in plain JS so that
// they are independent of the tfjs ops under test.
import * as tf from "../ml/tf.ts";
import { createModel, paramShapes } from "../ml/models/convnet.ts";
import type { ModelSpec } from "../ml/models/plugin.ts";
import { reportLossFn as lossFn } from "../ml/losses/report.ts";
import { SgdMomentum, stepLr } from "../ml/optimizer.ts";
import type { ReportLoss as LossName } from "../ml/losses/report.ts";
import { assert, AssertionError, assertThrows, scaledError } from "./util/assert.ts";

await tf.setBackend("cpu");

// --- Fixture ------------------------------------------------------------------------

interface Packed {
  shape: number[];
  f32: string;
}
type Weights = Record<string, Packed>;
interface ModelCase {
  input: Packed;
  labels: number[];
  weights: Weights;
  logits: { shape: number[]; data: number[] };
  losses: Record<string, { value: number; grads: Weights }>;
}
interface Fixture {
  torch: string;
  spec: Record<string, ModelSpec>;
  cases: Record<string, ModelCase>;
  sgd: { lrs: number[]; momentum: number; losses: number[]; weights: Weights[] };
  steplr: { lr0: number; stepSize: number; stepGamma: number; lrs: number[] }[];
}

const ref = JSON.parse(
  await Deno.readTextFile(new URL("./fixtures/reference_convnet.json", import.meta.url)),
) as Fixture;

function unpack(p: Packed): Float32Array {
  const bytes = Uint8Array.from(atob(p.f32), (c) => c.charCodeAt(0));
  const dv = new DataView(bytes.buffer);
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = dv.getFloat32(4 * i, true);
  assert(out.length === p.shape.reduce((a, b) => a * b, 1), "fixture size and shape disagree");
  return out;
}

// --- PyTorch layout → tfjs layout ---------------------------------------------------

/** Transposes a row-major array: output axis i is input axis perm[i]. */
function permute(data: Float32Array, shape: number[], perm: number[]): Float32Array {
  const n = shape.length;
  const outShape = perm.map((p) => shape[p]);
  const inStride = new Array<number>(n).fill(1);
  for (let i = n - 2; i >= 0; i--) inStride[i] = inStride[i + 1] * shape[i + 1];
  const out = new Float32Array(data.length);
  const idx = new Array<number>(n).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let i = 0; i < n; i++) src += idx[i] * inStride[perm[i]];
    out[o] = data[src];
    for (let i = n - 1; i >= 0; i--) {
      if (++idx[i] < outShape[i]) break;
      idx[i] = 0;
    }
  }
  return out;
}

/** How each parameter moves to tfjs layout; tests swap in wrong ones to see them fail. */
interface Layout {
  conv: number[]; // [out,in,kh,kw] → [kh,kw,in,out]
  fc1ChwToHwc: boolean; // PyTorch flattens CHW, the engine HWC
}
const RIGHT: Layout = { conv: [2, 3, 1, 0], fc1ChwToHwc: true };

function toTfjs(spec: ModelSpec, name: string, p: Packed, layout = RIGHT): Float32Array {
  const data = unpack(p);
  if (name.endsWith(".bias")) return data;
  if (name.startsWith("conv")) return permute(data, p.shape, layout.conv);
  if (name === "fc1.weight" && layout.fc1ChwToHwc) {
    // [32, C·H·W] → [32, C, H, W] → [H, W, C, 32] → [H·W·C, 32], with H and W
    // from PyTorch's arithmetic (valid 3×3 conv, then floor-halving pool, twice).
    const side = (n: number) => Math.floor((Math.floor((n - 2) / 2) - 2) / 2);
    return permute(data, [p.shape[0], 8, side(spec.height), side(spec.width)], [2, 3, 1, 0]);
  }
  return permute(data, p.shape, [1, 0]); // linear [out, in] → [in, out]
}

function tfjsWeights(spec: ModelSpec, w: Weights, layout = RIGHT): Record<string, Float32Array> {
  return Object.fromEntries(
    paramShapes(spec).map((p) => [p.name, toTfjs(spec, p.name, w[p.name], layout)]),
  );
}

function inputBatch(c: ModelCase): tf.Tensor4D {
  const [n, ch, h, w] = c.input.shape;
  return tf.tensor4d(permute(unpack(c.input), c.input.shape, [0, 2, 3, 1]), [n, h, w, ch]);
}

// --- Comparisons --------------------------------------------------------------------

function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: number,
  what: string,
) {
  const e = scaledError(actual, expected);
  if (!(e <= tol)) {
    throw new AssertionError(`${what}: error ${e.toExponential(2)} > ${tol} of scale`);
  }
}

function assertRelClose(actual: number, expected: number, tol: number, what: string) {
  const e = Math.abs(actual - expected) / Math.abs(expected);
  if (!(e <= tol)) {
    throw new AssertionError(`${what}: ${actual} vs ${expected} (rel ${e.toExponential(2)})`);
  }
}

/** Fixture loss keys → the engine's (name, gamma). */
const LOSSES: [string, LossName, number][] = [
  ["l1", "l1", 0],
  ["ce", "ce", 0],
  ["focal_0", "focal", 0],
  ["focal_0.5", "focal", 0.5],
  ["focal_2", "focal", 2],
];

const LOGITS_TOL = 1e-5, LOSS_TOL = 1e-5, GRAD_TOL = 1e-4, SGD_TOL = 1e-4;

function logitsOf(spec: ModelSpec, c: ModelCase, layout = RIGHT): Float32Array {
  const model = createModel(spec, tfjsWeights(spec, c.weights, layout));
  const x = inputBatch(c);
  const logits = model.apply(x);
  const out = logits.dataSync() as Float32Array;
  tf.dispose([x, logits]);
  model.dispose();
  return out;
}

// --- Tests --------------------------------------------------------------------------

Deno.test("parity: fixture is from the report's PyTorch, and the converters round-trip", () => {
  assert(/^\d+\.\d+/.test(ref.torch), `torch version ${ref.torch}`);
  // permute() with the inverse permutation restores the input.
  const a = Float32Array.from({ length: 2 * 3 * 4 * 5 }, (_, i) => i);
  const b = permute(a, [2, 3, 4, 5], [2, 3, 1, 0]); // → [4, 5, 3, 2]
  assert(b[1] === 60, "element [0,0,0,1] comes from [1,0,0,0]");
  const back = permute(b, [4, 5, 3, 2], [3, 2, 0, 1]);
  assert(back.every((v, i) => v === a[i]), "permute round trip");
});

for (const [caseName, c] of Object.entries(ref.cases)) {
  const spec = ref.spec[caseName];

  Deno.test(`parity ${caseName}: parameter shapes follow the input shape`, () => {
    for (const p of paramShapes(spec)) {
      const torchShape = c.weights[p.name].shape;
      const n = torchShape.reduce((a, b) => a * b, 1);
      assert(
        n === p.shape.reduce((a, b) => a * b, 1),
        `${p.name}: ${p.shape} vs torch ${torchShape}`,
      );
    }
  });

  Deno.test(`parity ${caseName}: logits`, () => {
    assertClose(logitsOf(spec, c), c.logits.data, LOGITS_TOL, "logits");
  });

  Deno.test(`parity ${caseName}: losses on PyTorch's logits`, () => {
    // Losses alone, fed the reference logits: isolates them from the model.
    const logits = tf.tensor2d(c.logits.data, c.logits.shape as [number, number]);
    const labels = tf.tensor1d(c.labels, "int32");
    for (const [key, name, gamma] of LOSSES) {
      const v = lossFn(name, gamma)(logits, labels);
      // The reference loss was computed from torch's float32 logits, ours from
      // the same numbers: only the loss's own rounding differs.
      assertRelClose(v.dataSync()[0], c.losses[key].value, LOSS_TOL, key);
      v.dispose();
    }
    tf.dispose([logits, labels]);
  });

  for (const [key, name, gamma] of LOSSES) {
    Deno.test(`parity ${caseName}: ${key} loss and gradients through the model`, () => {
      const model = createModel(spec, tfjsWeights(spec, c.weights));
      const x = inputBatch(c);
      const y = tf.tensor1d(c.labels, "int32");
      const loss = lossFn(name, gamma);
      const vars = [...model.params.values()];
      const { value, grads } = tf.variableGrads(() => loss(model.apply(x), y), vars);
      assertRelClose(value.dataSync()[0], c.losses[key].value, LOSS_TOL, `${key} value`);
      for (const [pname, v] of model.params) {
        const g = grads[v.name];
        assert(g, `no gradient for ${pname}`);
        const expected = toTfjs(spec, pname, c.losses[key].grads[pname]);
        assertClose(g.dataSync(), expected, GRAD_TOL, `${key} d/d${pname}`);
      }
      tf.dispose([value, x, y, ...Object.values(grads)]);
      model.dispose();
    });
  }
}

/** Runs the fixture's SGD schedule with `opt` and checks the weights after each step. */
function runSgd(
  makeStep: (params: Map<string, tf.Variable>) => (grads: tf.NamedTensorMap, lr: number) => void,
  dispose = () => {},
) {
  const spec = ref.spec.cifar, c = ref.cases.cifar;
  const model = createModel(spec, tfjsWeights(spec, c.weights));
  const x = inputBatch(c);
  const y = tf.tensor1d(c.labels, "int32");
  const loss = lossFn("ce", 0);
  const step = makeStep(model.params);
  try {
    ref.sgd.lrs.forEach((lr, s) => {
      const { value, grads } = tf.variableGrads(() => loss(model.apply(x), y));
      assertRelClose(value.dataSync()[0], ref.sgd.losses[s], LOSS_TOL, `step ${s + 1} loss`);
      step(grads, lr);
      tf.dispose([value, ...Object.values(grads)]);
      for (const [pname, v] of model.params) {
        // Compare the update (w − w0), not w: the update is ~1e-3 of w, so an
        // error in it would hide inside a tolerance scaled by w.
        const w0 = toTfjs(spec, pname, c.weights[pname]);
        const want = toTfjs(spec, pname, ref.sgd.weights[s][pname]).map((w, i) => w - w0[i]);
        const got = (v.dataSync() as Float32Array).map((w, i) => w - w0[i]);
        assertClose(got, want, SGD_TOL, `step ${s + 1} (lr ${lr}) ${pname}`);
      }
    });
  } finally {
    tf.dispose([x, y]);
    model.dispose();
    dispose();
  }
}

Deno.test("parity: SgdMomentum follows optim.SGD(momentum=0.9) through an lr drop", () => {
  let opt: SgdMomentum | undefined;
  runSgd((params) => {
    opt = new SgdMomentum(params, ref.sgd.momentum);
    return (grads, lr) => opt!.step(grads, lr);
  }, () => opt?.dispose());
});

Deno.test("parity: StepLR schedule", () => {
  for (const s of ref.steplr) {
    s.lrs.forEach((want, epoch) => {
      // PyTorch multiplies step by step, we take a power: equal up to rounding.
      assertRelClose(stepLr(s.lr0, s.stepGamma, s.stepSize, epoch), want, 1e-12, `epoch ${epoch}`);
    });
  }
});

// --- The checks above can fail: known-wrong variants must be rejected ---------------

Deno.test("parity (negative): wrong layouts give wrong logits", () => {
  const spec = ref.spec.cifar, c = ref.cases.cifar;
  for (
    const [what, layout] of [
      ["fc1 without CHW→HWC", { ...RIGHT, fc1ChwToHwc: false }],
      ["conv kernels with kh/kw swapped", { ...RIGHT, conv: [3, 2, 1, 0] }],
    ] as [string, Layout][]
  ) {
    const e = scaledError(logitsOf(spec, c, layout), c.logits.data);
    assert(e > 100 * LOGITS_TOL, `${what} passed (error ${e})`);
  }
});

Deno.test("parity (negative): a TF-style momentum (v = μv − lr·g) fails after the lr drop", () => {
  const vel = new Map<string, tf.Tensor>();
  assertThrows(
    () =>
      runSgd((params) => (grads, lr) => {
        for (const [, p] of params) {
          const prev = vel.get(p.name);
          const v = tf.tidy(() => {
            const g = tf.mul(grads[p.name], -lr);
            return prev ? tf.add(tf.mul(prev, ref.sgd.momentum), g) : g;
          });
          prev?.dispose();
          vel.set(p.name, v);
          tf.tidy(() => p.assign(tf.add(p, v)));
        }
      }),
    "step 4",
  );
  for (const v of vel.values()) v.dispose();
});

Deno.test("parity (negative): a loss off by a little is caught", () => {
  const c = ref.cases.cifar;
  const logits = tf.tensor2d(c.logits.data, c.logits.shape as [number, number]);
  const labels = tf.tensor1d(c.labels, "int32");
  // focal γ=0.5 vs γ=0.45, and l1 averaged over the batch only (sum over classes).
  const near = lossFn("focal", 0.45)(logits, labels);
  const l1sum = tf.mul(lossFn("l1")(logits, labels), c.logits.shape[1]);
  assertThrows(() =>
    assertRelClose(near.dataSync()[0], c.losses["focal_0.5"].value, LOSS_TOL, "γ")
  );
  assertThrows(() => assertRelClose(l1sum.dataSync()[0], c.losses.l1.value, LOSS_TOL, "l1"));
  tf.dispose([logits, labels, near, l1sum]);
});
