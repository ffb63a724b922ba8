import * as tf from "../ml/tf.ts";
import { setupCpu } from "../ml/kernels/testing.ts";
import { parseTrainConfig } from "../ml/config.ts";
import { synthetic } from "../ml/data/mod.ts";
import { train } from "../ml/trainer.ts";
await setupCpu();
tf.env().set("PROD", true);
const name = Deno.args[0] ?? "mlp";
const data = synthetic({ train: 512, test: 256, seed: 1 });
const config = parseTrainConfig({
  model: name,
  loss: "ce",
  epochs: 2,
  batchSize: 64,
  lr: 0.01,
  valFraction: 0.1,
  weightDecay: 5e-4,
  gradClip: 5,
  schedule: "cosine",
  data: "synthetic",
  backend: "cpu",
});
for (let r = 0; r < 3; r++) {
  const t0 = performance.now();
  const marks: [string, number][] = [];
  const ep = await train(config, data, {
    onPrepared: () => void marks.push(["prepared", performance.now() - t0]),
    onEpoch: () => void marks.push(["epoch", performance.now() - t0]),
  });
  marks.push(["done", performance.now() - t0]);
  console.log(
    JSON.stringify({
      marks: marks.map(([k, v]) => `${k}:${v.toFixed(0)}`),
      epochSeconds: ep.map((e) => e.epochSeconds),
      load: Deno.loadavg()[0],
    }),
  );
}
