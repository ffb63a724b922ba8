// Label noise (ml/conditions/noise/symmetric.ts, asymmetric.ts via prepareTrain): exact counts,
// every flip a different class, the flips matrix consistent with the labels,
// symmetric flips spread evenly, the asymmetric CIFAR-10 map and (i+1) mod K.
import { asymmetricTargets, checkCondition, prepareTrain } from "../ml/conditions/mod.ts";
import type { Split } from "../ml/types.ts";
import { assert, assertEquals, assertThrows } from "./util/assert.ts";
import { CIFAR, makeSplit } from "./util/splits.ts";

const cifarTrain = makeSplit(new Array(10).fill(5000));
const noisy = (kind: "symmetric" | "asymmetric", rate: number) => ({ labelNoise: { kind, rate } });

/** Checks the result against the input it came from, with no imbalance or validation. */
function checkConsistent(input: Split, p: ReturnType<typeof prepareTrain>, k: number) {
  assert(p.train.images === input.images, "images reused, not copied");
  assertEquals(p.train.count, input.count);
  const flips = Array.from({ length: k }, () => new Array(k).fill(0));
  let flipped = 0;
  for (let i = 0; i < input.count; i++) {
    const t = input.labels[i], g = p.train.labels[i];
    flips[t][g]++;
    assertEquals(p.flippedMask![i], t !== g ? 1 : 0, `mask at ${i}`);
    if (t !== g) flipped++;
  }
  assertEquals(p.record.flips, flips);
  assertEquals(p.record.flipped, flipped);
  const given = new Array(k).fill(0);
  for (const g of p.train.labels) given[g]++;
  assertEquals(p.record.trainCounts, given);
}

Deno.test("symmetric noise: exactly round(rate·n) labels, each a different class", () => {
  const labelsBefore = cifarTrain.labels.slice();
  for (const rate of [0, 0.2, 0.4, 0.8, 0.33333]) {
    const p = prepareTrain(cifarTrain, CIFAR, noisy("symmetric", rate), 0, 1);
    assertEquals(p.record.flipped, Math.round(rate * 50000), `rate ${rate}`);
    checkConsistent(cifarTrain, p, 10);
    assertEquals(p.record.imbalanceCounts, new Array(10).fill(5000));
  }
  assertEquals(cifarTrain.labels, labelsBefore, "input labels untouched");
  // Halves round up: 0.25 · 10 = 2.5 → 3; 0.35 · 10 (3.4999999999999996 in float64) → 4.
  const ten = makeSplit([5, 5]);
  assertEquals(prepareTrain(ten, ["a", "b"], noisy("symmetric", 0.25), 0, 1).record.flipped, 3);
  assertEquals(prepareTrain(ten, ["a", "b"], noisy("symmetric", 0.35), 0, 1).record.flipped, 4);
});

Deno.test("symmetric noise: flips spread evenly over classes and over wrong labels", () => {
  const p = prepareTrain(cifarTrain, CIFAR, noisy("symmetric", 0.4), 0, 5);
  // 20,000 flips: ~2,000 per true class (binomial sd ≈ 42), ~222 per wrong label (sd ≈ 14).
  let chi2 = 0;
  for (let t = 0; t < 10; t++) {
    const off = p.record.flips[t].reduce((a, b) => a + b) - p.record.flips[t][t];
    assert(Math.abs(off - 2000) < 6 * 42, `class ${t}: ${off} flipped`);
    for (let g = 0; g < 10; g++) {
      if (g === t) continue;
      const e = 20000 / 90;
      chi2 += (p.record.flips[t][g] - e) ** 2 / e;
    }
  }
  // 89 degrees of freedom: mean 89, sd ≈ 13.3; 160 is beyond 5 sd.
  assert(chi2 < 160, `chi² ${chi2.toFixed(1)} over the off-diagonal`);
  assert(chi2 > 30, `chi² ${chi2.toFixed(1)}: too even to be random`);
});

Deno.test("asymmetric noise on CIFAR-10: the usual map, round(rate·n_c) per source class", () => {
  const rate = 0.4;
  const p = prepareTrain(cifarTrain, CIFAR, noisy("asymmetric", rate), 0, 2);
  checkConsistent(cifarTrain, p, 10);
  const at = (c: string) => CIFAR.indexOf(c);
  const expected = Array.from({ length: 10 }, (_, t) => {
    const row = new Array(10).fill(0);
    row[t] = 5000;
    return row;
  });
  for (
    const [from, to] of [["truck", "automobile"], ["bird", "airplane"], ["deer", "horse"], [
      "cat",
      "dog",
    ], ["dog", "cat"]]
  ) {
    expected[at(from)][at(from)] = 3000;
    expected[at(from)][at(to)] = 2000;
  }
  assertEquals(p.record.flips, expected);
  assertEquals(p.record.flipped, 10000);
  // Per class, halves up: 0.3 · 5 = 1.5 → 2 of the 5 cats.
  const small = makeSplit(new Array(10).fill(5));
  assertEquals(
    prepareTrain(small, CIFAR, noisy("asymmetric", 0.3), 0, 1).record.flips[at("cat")][at("dog")],
    2,
  );
});

Deno.test("asymmetric noise: the CIFAR-10 map follows class names, in any order or case", () => {
  const shuffled = [
    "Truck",
    "cat",
    "dog",
    "airplane",
    "ship",
    "bird",
    "horse",
    "deer",
    "frog",
    "automobile",
  ];
  assertEquals(asymmetricTargets(shuffled), [9, 2, 1, -1, -1, 3, -1, 6, -1, -1]);
  assertEquals(asymmetricTargets(CIFAR), [-1, -1, 0, 5, 7, 3, -1, -1, -1, 1]);
  // One name off: not CIFAR-10, so (i + 1) mod K.
  const other = [...CIFAR.slice(0, 9), "lorry"];
  assertEquals(asymmetricTargets(other), [1, 2, 3, 4, 5, 6, 7, 8, 9, 0]);
});

Deno.test("asymmetric noise elsewhere: class i → (i + 1) mod K, round(rate·n_i) each", () => {
  const split = makeSplit([40, 30, 20, 10]);
  const p = prepareTrain(split, ["a", "b", "c", "d"], noisy("asymmetric", 0.25), 0, 4);
  checkConsistent(split, p, 4);
  assertEquals(p.record.flips, [
    [30, 10, 0, 0],
    [0, 22, 8, 0], // 7.5 → 8
    [0, 0, 15, 5],
    [3, 0, 0, 7], // 2.5 → 3
  ]);
});

Deno.test("noise is seeded: same seed, same labels; other seeds, other samples", () => {
  for (const kind of ["symmetric", "asymmetric"] as const) {
    const a = prepareTrain(cifarTrain, CIFAR, noisy(kind, 0.3), 0, 11);
    const b = prepareTrain(cifarTrain, CIFAR, noisy(kind, 0.3), 0, 11);
    const c = prepareTrain(cifarTrain, CIFAR, noisy(kind, 0.3), 0, 12);
    assertEquals(a.train.labels, b.train.labels);
    assertEquals(a.record.flipped, c.record.flipped);
    let differ = 0;
    for (let i = 0; i < a.train.count; i++) if (a.flippedMask![i] !== c.flippedMask![i]) differ++;
    assert(differ > 1000, `${kind}: only ${differ} samples differ between seeds`);
  }
});

Deno.test("noise: checkCondition needs two classes and a rate in [0, 1)", () => {
  assertEquals(
    checkCondition(noisy("symmetric", 0.2), [10], ["only"], 0),
    "condition.labelNoise: needs at least 2 classes, the data set has 1",
  );
  assert(
    checkCondition(noisy("symmetric", 1), [5, 5], ["a", "b"], 0)!.startsWith(
      "condition.labelNoise.rate:",
    ),
  );
  assert(
    checkCondition(noisy("symmetric", -0.1), [5, 5], ["a", "b"], 0)!.startsWith(
      "condition.labelNoise.rate:",
    ),
  );
  assertThrows(
    () => prepareTrain(makeSplit([3]), ["only"], noisy("asymmetric", 0.5), 0, 1),
    "2 classes",
  );
});
