// Class imbalance (ml/conditions/imbalance.ts via prepareTrain): exact counts
// for the exp profile (Cui et al. 2019, against exact arithmetic in
// tests/fixtures/reference_study_metrics.json) and the step profile, a seeded
// subset, and the checks that name the field.
import { checkCondition, imbalanceTargets, prepareTrain } from "../ml/conditions/mod.ts";
import { assert, assertEquals, assertThrows } from "./util/assert.ts";
import { CIFAR, makeSplit, origin } from "./util/splits.ts";

const cifarTrain = makeSplit(new Array(10).fill(5000));

Deno.test("imbalance exp, ρ = 100 on CIFAR-10's 5000 per class: 5000, 2997, … 50", () => {
  const p = prepareTrain(cifarTrain, CIFAR, { imbalance: { profile: "exp", ratio: 100 } }, 0, 1);
  const expected = [5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50];
  assertEquals(p.record.imbalanceCounts, expected);
  assertEquals(p.record.trainCounts, expected);
  assertEquals(p.train.count, expected.reduce((a, b) => a + b));
  assertEquals(p.record.flipped, 0);
  assertEquals(p.flippedMask, null);
  assertEquals(p.val, null);
  // Each kept image is a distinct original of its label, in the original order.
  let last = -1;
  for (let i = 0; i < p.train.count; i++) {
    const o = origin(p.train, i);
    assert(o > last, "ascending, so distinct");
    assertEquals(p.train.labels[i], cifarTrain.labels[o]);
    last = o;
  }
});

Deno.test("imbalance exp: targets equal exact arithmetic for many (n_max, ρ, K)", async () => {
  const ref = JSON.parse(
    await Deno.readTextFile(new URL("./fixtures/reference_study_metrics.json", import.meta.url)),
  ) as { imbalance_exp: { n_max: number; ratio: number; classes: number; counts: number[] }[] };
  assert(ref.imbalance_exp.length >= 8);
  for (const { n_max, ratio, classes, counts } of ref.imbalance_exp) {
    const got = imbalanceTargets(new Array(classes).fill(n_max), { profile: "exp", ratio });
    assertEquals(got, counts, `n_max ${n_max}, ρ ${ratio}, K ${classes}`);
  }
});

Deno.test("imbalance step: n_max in the first ⌈K/2⌉ classes, ⌊n_max/ρ⌋ in the rest", () => {
  const p = prepareTrain(cifarTrain, CIFAR, { imbalance: { profile: "step", ratio: 10 } }, 0, 1);
  assertEquals(p.record.imbalanceCounts, [5000, 5000, 5000, 5000, 5000, 500, 500, 500, 500, 500]);
  assertEquals(p.train.count, 27500);
  // Odd K: 3 head classes of 5; ρ = 3 → ⌊100/3⌋ = 33.
  assertEquals(imbalanceTargets([100, 100, 100, 100, 100], { profile: "step", ratio: 3 }), [
    100,
    100,
    100,
    33,
    33,
  ]);
  // A decimal ratio whose float quotient falls just short: 33 / 1.1 is 29.999999999999996.
  assertEquals(imbalanceTargets([33, 33], { profile: "step", ratio: 1.1 }), [33, 30]);
});

Deno.test("imbalance: n_max is the largest actual class; a short class keeps what it has", () => {
  // Class 1 is the largest (400): targets 400·10^(−i/2) = 400, 126, 40; class 0 has 100.
  const split = makeSplit([100, 400, 300]);
  const names = ["a", "b", "c"];
  const p = prepareTrain(split, names, { imbalance: { profile: "exp", ratio: 10 } }, 0, 3);
  assertEquals(p.record.imbalanceCounts, [100, 126, 40]);
  // ρ = 1 on a balanced set keeps everything, and so returns the split itself.
  const same = prepareTrain(cifarTrain, CIFAR, { imbalance: { profile: "exp", ratio: 1 } }, 0, 1);
  assert(same.train === cifarTrain);
});

Deno.test("imbalance: the subset is seeded, and other seeds draw other images", () => {
  const cond = { imbalance: { profile: "exp" as const, ratio: 100 } };
  const a = prepareTrain(cifarTrain, CIFAR, cond, 0, 7);
  const b = prepareTrain(cifarTrain, CIFAR, cond, 0, 7);
  const c = prepareTrain(cifarTrain, CIFAR, cond, 0, 8);
  assertEquals(a.train.images, b.train.images);
  assertEquals(a.train.labels, b.train.labels);
  assertEquals(a.record, c.record, "same counts");
  assert(!a.train.images.every((v, i) => v === c.train.images[i]), "different images");
});

Deno.test("imbalance: checkCondition names the field and the emptied classes", () => {
  const exp = (ratio: number) => ({ imbalance: { profile: "exp" as const, ratio } });
  // 100 per class, ρ = 101: only the last class would keep ⌊100/101⌋ = 0.
  const hundred = new Array(10).fill(100);
  assertEquals(
    checkCondition(exp(101), hundred, CIFAR, 0),
    'condition.imbalance.ratio: leaves class "truck" with 0 images ' +
      "(largest class 100, exp profile, ratio 101)",
  );
  assertEquals(checkCondition(exp(100), hundred, CIFAR, 0), null);
  // 50 per class, ρ = 100: ship (⌊0.83⌋) and truck (⌊0.5⌋).
  const fifty = new Array(10).fill(50);
  const msg = checkCondition(exp(100), fifty, CIFAR, 0);
  assert(msg!.startsWith('condition.imbalance.ratio: leaves classes "ship", "truck" with 0'), msg!);
  const step = checkCondition({ imbalance: { profile: "step", ratio: 51 } }, fifty, CIFAR, 0);
  assert(step!.includes('"dog", "frog", "horse", "ship", "truck" with 0 images'), step!);
  // A class that is empty in the data is not the ratio's doing.
  assertEquals(checkCondition(exp(2), [10, 0, 10], ["a", "b", "c"], 0), null);
  assert(checkCondition(exp(0.5), fifty, CIFAR, 0)!.startsWith("condition.imbalance.ratio:"));
  // prepareTrain refuses with the same message.
  assertThrows(() => prepareTrain(makeSplit(hundred), CIFAR, exp(101), 0, 1), '"truck" with 0');
});
