// A tuning trial never reads the test split, and a trial paused at a rung
// continues bit for bit: the same tuning (trials, successive halving, choice)
// on a synthetic set whose test labels are shuffled gives identical trials and
// the identical choice; a trial stopped after epoch 1 and resumed from its
// checkpoint equals the uninterrupted run.
import { assert, assertEquals } from "./util/assert.ts";
import { initBackend } from "../ml/backend.ts";
import { synthetic } from "../ml/data/mod.ts";
import { train } from "../ml/trainer.ts";
import { parseTrainConfig } from "../ml/config.ts";
import { applyTrial, trialValues, tuneSchema } from "../ml/tune/space.ts";
import { rungEpochs, successiveHalving } from "../stats/asha.ts";
import { Rng } from "../ml/rng.ts";
import type { Checkpoint, Dataset, EpochMetrics } from "../ml/types.ts";

await initBackend("cpu");
const data = synthetic({ train: 400, test: 100, seed: 3, difficulty: "easy" });
const shuffled: Dataset = {
  ...data,
  test: { ...data.test, labels: new Rng(99, 1).shuffle(data.test.labels.slice()) },
};
assert(shuffled.test.labels.some((l, i) => l !== data.test.labels[i]), "labels moved");

const base = parseTrainConfig({
  loss: "gce",
  epochs: 3,
  batchSize: 50,
  valFraction: 0.2,
  data: "synthetic",
  backend: "cpu",
  seed: 101,
});
const tune = tuneSchema.parse({
  space: { lr: { logUniform: [0.003, 0.3] }, "params.q": { uniform: [0.2, 0.9] } },
  trials: 4,
  seeds: [101],
  pruner: { asha: { reduction: 2, minEpochs: 1 } },
});
const timings = ({ epochSeconds: _a, trainImgPerSec: _b, evalImgPerSec: _c, ...m }: EpochMetrics) =>
  m;

async function tuneOn(d: Dataset) {
  const curves: EpochMetrics[][] = [];
  for (const values of trialValues(tune)) {
    const t = applyTrial(base, base.loss, base.params, values);
    curves.push(await train({ ...t.settings, params: t.params }, d, { evalTest: false }));
  }
  const halving = successiveHalving(
    curves.map((c) => c.map((e) => e.valAcc)),
    rungEpochs(base.epochs, tune.pruner?.asha),
    { reduction: 2, point: "best", direction: "higher" },
  );
  return { curves: curves.map((c) => c.map(timings)), halving };
}

Deno.test("shuffling the test labels leaves the trials and the selection identical", async () => {
  const a = await tuneOn(data);
  const b = await tuneOn(shuffled);
  // The trials' epochs have no test fields at all: nothing of the test split to differ.
  for (const e of a.curves.flat()) {
    for (const k of ["testAcc", "testLoss", "f1", "ece", "nll", "brier", "confusion", "perClass"]) {
      assert(!(k in e), `a trial's epoch has ${k}`);
    }
    assert(typeof e.valAcc === "number" && typeof e.valLoss === "number");
  }
  assertEquals(b.curves, a.curves); // val metrics and train losses, bit for bit
  assertEquals(b.halving, a.halving);
  assert(a.halving.chosen !== null);
  // The test labels do matter where the test split is evaluated (the control).
  const t = applyTrial(base, base.loss, base.params, trialValues(tune)[0]);
  const cfg = { ...t.settings, params: t.params, epochs: 1 };
  const [x] = await train(cfg, data);
  const [y] = await train(cfg, shuffled);
  assert(x.testLoss !== y.testLoss && x.valAcc === y.valAcc && x.trainLoss === y.trainLoss);
});

Deno.test("a trial paused after epoch 1 and resumed from its checkpoint equals the uninterrupted run", async () => {
  const cfg = { ...base, lr: 0.05 };
  const full = await train(cfg, data, { evalTest: false });
  let ck: Checkpoint | undefined;
  const first = await train(cfg, data, {
    evalTest: false,
    stopAfter: 1,
    onEpoch: (_m, c) => void (ck = c),
  });
  assertEquals(first.length, 1);
  const rest = await train(cfg, data, { evalTest: false, resume: ck });
  assertEquals([...first, ...rest].map(timings), full.map(timings));
});
