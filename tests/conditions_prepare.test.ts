// prepareTrain end to end: the default pass-through, imbalance then noise then
// the validation split, stratified hold-out counts, alignment of images, labels
// and the flipped mask, and determinism by seed.
import { prepareTrain, valCountFor } from "../ml/conditions/mod.ts";
import type { Condition } from "../ml/types.ts";
import { assert, assertEquals, assertThrows } from "./util/assert.ts";
import { CIFAR, makeSplit, origin } from "./util/splits.ts";

const countsOf = (labels: ArrayLike<number>, k: number) => {
  const c = new Array(k).fill(0);
  for (let i = 0; i < labels.length; i++) c[labels[i]]++;
  return c;
};

const cifarTrain = makeSplit(new Array(10).fill(5000));
const both: Condition = {
  imbalance: { profile: "exp", ratio: 100 },
  labelNoise: { kind: "symmetric", rate: 0.3 },
};
const LT = [5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50];

Deno.test("prepareTrain: no condition and no validation returns the split itself", () => {
  const split = makeSplit([3, 5, 2]);
  const p = prepareTrain(split, ["a", "b", "c"], {}, 0, 1);
  assert(p.train === split);
  assertEquals(p.val, null);
  assertEquals(p.flippedMask, null);
  assertEquals(p.record, {
    imbalanceCounts: [3, 5, 2],
    flips: [[3, 0, 0], [0, 5, 0], [0, 0, 2]],
    flipped: 0,
    trainCounts: [3, 5, 2],
    valCount: 0,
  });
});

Deno.test("prepareTrain: imbalance first, then noise over what it kept", () => {
  const p = prepareTrain(cifarTrain, CIFAR, both, 0, 1);
  const n = LT.reduce((a, b) => a + b); // 12,406
  assertEquals(p.record.imbalanceCounts, LT, "the imbalance saw the clean labels");
  assertEquals(p.record.flipped, Math.round(0.3 * n), "noise counted over the kept split");
  assertEquals(p.record.flips.map((row) => row.reduce((a, b) => a + b)), LT);
  assertEquals(p.train.count, n);
  for (let i = 0; i < n; i++) {
    const trueLabel = cifarTrain.labels[origin(p.train, i)];
    assertEquals(p.flippedMask![i], p.train.labels[i] !== trueLabel ? 1 : 0);
  }
  assertEquals(p.record.trainCounts, countsOf(p.train.labels, 10));
  assert(p.record.trainCounts.some((c, i) => c !== LT[i]), "given labels differ from true counts");
});

Deno.test("prepareTrain: the validation split is stratified by given label, rounded per class", () => {
  const p = prepareTrain(cifarTrain, CIFAR, both, 0.1, 1);
  const noVal = prepareTrain(cifarTrain, CIFAR, both, 0, 1);
  const given = countsOf(noVal.train.labels, 10);
  const held = given.map((g) => valCountFor(g, 0.1));
  assertEquals(countsOf(p.val!.labels, 10), held);
  assertEquals(p.record.trainCounts, given.map((g, c) => g - held[c]));
  assertEquals(p.record.valCount, held.reduce((a, b) => a + b));
  // The conditions do not depend on the validation split (own streams).
  assertEquals(p.record.imbalanceCounts, noVal.record.imbalanceCounts);
  assertEquals(p.record.flips, noVal.record.flips);
  // Train and val partition the conditioned split, images and labels aligned.
  const givenAt = new Map<number, number>();
  for (let i = 0; i < noVal.train.count; i++) {
    givenAt.set(origin(noVal.train, i), noVal.train.labels[i]);
  }
  const seen = new Set<number>();
  for (const s of [p.train, p.val!]) {
    for (let i = 0; i < s.count; i++) {
      const o = origin(s, i);
      assertEquals(s.labels[i], givenAt.get(o), `image ${o}`);
      assert(!seen.has(o), `image ${o} twice`);
      seen.add(o);
    }
  }
  assertEquals(seen.size, noVal.train.count);
  for (let i = 0; i < p.train.count; i++) {
    assertEquals(
      p.flippedMask![i],
      p.train.labels[i] !== cifarTrain.labels[origin(p.train, i)] ? 1 : 0,
    );
  }
});

Deno.test("validation: round(f·n) per class, halves up, and never a class's last image", () => {
  assertEquals(valCountFor(5000, 0.1), 500);
  assertEquals(valCountFor(50, 0.1), 5);
  assertEquals(valCountFor(45, 0.1), 5); // 4.5 → 5
  assertEquals(valCountFor(44, 0.1), 4);
  assertEquals(valCountFor(1, 0.9), 0);
  assertEquals(valCountFor(2, 0.9), 1);
  assertEquals(valCountFor(0, 0.5), 0);
  // Balanced CIFAR-10 with 0.2: 1000 per class, 10,000 in all.
  const p = prepareTrain(cifarTrain, CIFAR, {}, 0.2, 3);
  assertEquals(countsOf(p.val!.labels, 10), new Array(10).fill(1000));
  assertEquals(p.record.trainCounts, new Array(10).fill(4000));
  assertEquals(p.flippedMask, null);
  // Too small to hold anything out: no validation split.
  const tiny = prepareTrain(makeSplit([2, 2]), ["a", "b"], {}, 0.1, 1);
  assertEquals(tiny.val, null);
  assertEquals(tiny.record.valCount, 0);
  assertThrows(() => prepareTrain(cifarTrain, CIFAR, {}, 1, 1), "valFraction");
});

Deno.test("prepareTrain: deterministic by seed, different across seeds", () => {
  const a = prepareTrain(cifarTrain, CIFAR, both, 0.1, 42);
  const b = prepareTrain(cifarTrain, CIFAR, both, 0.1, 42);
  const c = prepareTrain(cifarTrain, CIFAR, both, 0.1, 43);
  assertEquals(a.record, b.record);
  assertEquals(a.train, b.train);
  assertEquals(a.val, b.val);
  assertEquals(a.flippedMask, b.flippedMask);
  assertEquals(a.record.imbalanceCounts, c.record.imbalanceCounts);
  assert(!a.train.images.every((v, i) => v === c.train.images[i]), "other images kept");
  assert(a.val!.images.some((v, i) => v !== c.val!.images[i]), "other images held out");
});

Deno.test("prepareTrain: refuses a malformed split", () => {
  const s = makeSplit([2, 2]);
  assertThrows(() => prepareTrain({ ...s, count: 3 }, ["a", "b"], {}, 0, 1), "labels");
  assertThrows(() => prepareTrain(s, ["a"], {}, 0, 1), "outside");
});
