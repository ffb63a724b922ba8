// The loss plug-ins on the backends training really uses: cpu with the project's
// own kernels (Add, Sub, Multiply, Sum… replace the stock ones, with broadcasting the
// losses lean on) and WebGPU (Mesa's software adapter where no GPU is present),
// against the same PyTorch fixtures as tests/losses_reference.test.ts.
import * as tf from "../ml/tf.ts";
import "@tensorflow/tfjs-backend-webgpu";
import { initBackend } from "../ml/backend.ts";
import { lossFn } from "../ml/losses/registry.ts";
import { assert, AssertionError } from "./util/assert.ts";
import { lossFixtures } from "./util/loss_fixtures.ts";

const ref = lossFixtures;

async function checkAll(tol: number): Promise<number> {
  let worst = 0;
  for (const r of ref.results) {
    const c = ref.cases[r.case];
    const fn = lossFn(r.loss, r.params, { classes: c.logits.shape[1], trainCounts: c.trainCounts });
    const z = tf.tensor2d(c.logits.data, c.logits.shape);
    const y = tf.tensor1d(c.labels, "int32");
    const { value, grad } = tf.valueAndGrad((t: tf.Tensor) => fn(t as tf.Tensor2D, y))(z);
    const v = (await value.data())[0], g = await grad.data();
    tf.dispose([z, y, value, grad]);
    let scale = 0, err = 0;
    r.grad.forEach((want, i) => {
      scale = Math.max(scale, Math.abs(want));
      err = Math.max(err, Math.abs(g[i] - want));
    });
    const rel = Math.abs(v - r.value) / Math.abs(r.value);
    worst = Math.max(worst, rel, err / scale);
    if (!(rel <= tol && err / scale <= tol)) {
      const what = `${tf.getBackend()} ${r.case} ${r.loss} ${JSON.stringify(r.params)}`;
      throw new AssertionError(`${what}: value rel ${rel}, gradient ${err / scale} of scale`);
    }
  }
  return worst;
}

Deno.test("losses on cpu with the project's kernels match torch", async () => {
  await initBackend("cpu");
  assert(tf.getBackend() === "cpu");
  await checkAll(1e-5); // measured worst: 3.3e-7
});

Deno.test("losses on WebGPU match torch", async () => {
  await initBackend("webgpu");
  assert(tf.getBackend() === "webgpu");
  // Measured worst on llvmpipe: 4.0e-7. WGSL only bounds exp/log to a few ulp (a GPU's
  // may be coarser than llvmpipe's), hence the wider margin.
  await checkAll(1e-4);
});
