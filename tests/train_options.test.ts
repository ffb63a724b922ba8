// The training options against PyTorch (tests/fixtures/reference_optimizer.json,
// tools/make_optimizer_fixtures.py): SGD's weight_decay, clip_grad_norm_ (steps
// that clip and steps that don't), and the cosine schedule with and without
// warmup; then the options through the schema and the training loop, where a
// resumed run must continue the uninterrupted one bit for bit.
import { setupCpu } from "../ml/kernels/testing.ts";
import { cosineLr, lrAt, stepLr } from "../ml/schedule.ts";
import { parseTrainConfig } from "../ml/config.ts";
import { synthetic } from "../ml/data/mod.ts";
import { train } from "../ml/trainer.ts";
import type { Checkpoint, EpochMetrics } from "../ml/types.ts";
import { assert, assertEquals, assertRejects, assertThrows } from "./util/assert.ts";
import { checkCase, optionsOf, ref, runCase } from "./util/sgd_fixture.ts";

await setupCpu();

for (const [name, c] of Object.entries(ref.sgd.cases)) {
  for (const fused of [true, false]) {
    Deno.test(`PyTorch parity: SGD ${name} (${fused ? "fused cpu" : "op"} path)`, async () => {
      checkCase(name, c, await runCase(c, optionsOf(c), fused));
    });
  }
}

Deno.test("PyTorch parity: the clip cases clip some steps and not others", () => {
  const flags = ref.sgd.cases.clip.steps.map((s) => s.clipped);
  assertEquals(flags, [false, false, true, true, true]);
  assert(ref.sgd.cases.clip_never.steps.every((s) => s.clipped === false));
});

Deno.test("PyTorch parity (negative): without its option each case fails", async () => {
  const { wd, clip, clip_wd } = ref.sgd.cases;
  const noDecay = await runCase(wd, {}, true);
  assertThrows(() => checkCase("wd", wd, noDecay), "step 1");
  // Steps 1 and 2 are not clipped: the first difference is at step 3.
  const noClip = await runCase(clip, {}, true);
  assertThrows(() => checkCase("clip", clip, noClip), "step 3");
  const decayOnly = await runCase(clip_wd, { weightDecay: 0.05 }, true);
  assertThrows(() => checkCase("clip_wd", clip_wd, decayOnly), "step 3");
  const clipOnly = await runCase(clip_wd, { gradClip: 5 }, true);
  assertThrows(() => checkCase("clip_wd", clip_wd, clipOnly), "step 1");
});

Deno.test("a clip that never binds, and weight decay 0, leave every bit as without them", async () => {
  const c = ref.sgd.cases.clip_never;
  for (const fused of [true, false]) {
    const off = await runCase(c, {}, fused);
    assertEquals(await runCase(c, { gradClip: 1000, weightDecay: 0 }, fused), off);
  }
});

Deno.test("the options give the same bits on the fused cpu path and the op path", async () => {
  for (const c of Object.values(ref.sgd.cases)) {
    assertEquals(await runCase(c, optionsOf(c), true), await runCase(c, optionsOf(c), false));
  }
});

Deno.test("PyTorch parity: cosine schedule, with and without warmup, per epoch", () => {
  for (const s of ref.schedules) {
    const cfg = {
      lr: s.lr,
      epochs: s.epochs,
      stepSize: 10,
      stepGamma: 0.5,
      schedule: "cosine" as const,
      warmupEpochs: s.warmupEpochs,
    };
    s.lrs.forEach((want, e) => {
      const got = lrAt(cfg, e);
      const rel = Math.abs(got - want) / want;
      // PyTorch steps recursively (chainable form), this is the closed form.
      assert(rel <= 1e-12, `E=${s.epochs} w=${s.warmupEpochs} epoch ${e}: ${got} vs ${want}`);
      // The float32 rate the optimizer uses is PyTorch's exactly.
      assertEquals(Math.fround(got), Math.fround(want), `float32 lr, epoch ${e}`);
    });
  }
});

Deno.test("the step schedule is StepLR as before; a record without `schedule` is StepLR", () => {
  const base = { lr: 0.01, epochs: 20, stepSize: 10, stepGamma: 0.5, warmupEpochs: 0 };
  for (let e = 0; e < 20; e++) {
    const want = stepLr(0.01, 0.5, 10, e);
    assertEquals(lrAt({ ...base, schedule: "step" }, e), want);
    // deno-lint-ignore no-explicit-any
    assertEquals(lrAt({ ...base, schedule: undefined as any }, e), want);
  }
  assertEquals(cosineLr(0.1, 10, 3, 0), 0.1 / 4);
});

Deno.test("config: defaults keep today's training, and nonsense is refused naming the field", () => {
  const c = parseTrainConfig({ loss: "ce" });
  assertEquals([c.weightDecay, c.schedule, c.warmupEpochs, c.gradClip], [0, "step", 0, undefined]);
  const bad: [Record<string, unknown>, string][] = [
    [{ warmupEpochs: 2 }, 'warmupEpochs: a warmup needs schedule "cosine"'],
    [{ schedule: "cosine", warmupEpochs: 5, epochs: 5 }, "warmupEpochs: must be less than epochs"],
    [{ schedule: "linear" }, "schedule:"],
    [{ weightDecay: -0.1 }, "weightDecay:"],
    [{ gradClip: 0 }, "gradClip:"],
    [{ warmupEpochs: 1.5, schedule: "cosine" }, "warmupEpochs:"],
  ];
  for (const [fields, msg] of bad) {
    assertThrows(() => parseTrainConfig({ loss: "ce", ...fields }), msg);
  }
  const ok = parseTrainConfig({
    loss: "ce",
    schedule: "cosine",
    warmupEpochs: 4,
    epochs: 5,
    weightDecay: 5e-4,
    gradClip: 1,
  });
  assertEquals([ok.schedule, ok.warmupEpochs, ok.weightDecay, ok.gradClip], ["cosine", 4, 5e-4, 1]);
});

// --- Through the training loop ------------------------------------------------------

const data = synthetic({ train: 256, test: 64, seed: 1, difficulty: "easy" });
const strip = ({ epochSeconds: _a, trainImgPerSec: _b, evalImgPerSec: _c, ...m }: EpochMetrics) =>
  m;
const tuned = parseTrainConfig({
  loss: "ce",
  epochs: 4,
  batchSize: 32,
  lr: 0.05,
  schedule: "cosine",
  warmupEpochs: 1,
  weightDecay: 5e-3,
  gradClip: 0.05, // binds here (0.5 would not: the loss came out unchanged)
  data: "synthetic",
  backend: "cpu",
  seed: 3,
});

Deno.test("trainer: each epoch trains at the schedule's lr, and the options change training", async () => {
  const full = await train(tuned, data);
  assertEquals(full.map((e) => e.lr), [0, 1, 2, 3].map((e) => cosineLr(0.05, 4, 1, e)));
  assertEquals(full[0].lr, 0.025);
  assertEquals(full[1].lr, 0.05);
  // Each option on its own moves the weights: it reaches the optimizer.
  const first = (m: EpochMetrics[]) => m[0].trainLoss;
  const one = { ...tuned, epochs: 1, schedule: "step" as const, warmupEpochs: 0 };
  const plain = first(await train({ ...one, weightDecay: 0, gradClip: undefined }, data));
  assert(first(await train({ ...one, gradClip: undefined }, data)) !== plain, "weight decay");
  assert(first(await train({ ...one, weightDecay: 0 }, data)) !== plain, "clipping");
});

Deno.test("trainer: resuming a cosine + warmup + decay + clip run continues it exactly", async () => {
  const full = await train(tuned, data);
  let ck: Checkpoint | undefined;
  const ac = new AbortController();
  await assertRejects(() =>
    train(tuned, data, {
      signal: ac.signal,
      onEpoch: (_m, c) => {
        if (c.epoch === 2) {
          ck = c;
          ac.abort();
        }
      },
    }), "cancelled");
  assert(ck, "a checkpoint after epoch 2 (in the cosine part, past the warmup)");
  const resumed = await train(tuned, data, { resume: ck });
  assertEquals(resumed.map((e) => e.epoch), [3, 4]);
  assertEquals(resumed.map(strip), full.slice(2).map(strip));
});
