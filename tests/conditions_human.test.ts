// Human label noise and its matrix twin (ml/conditions/noise/human.ts,
// matrix.ts via prepareTrain): the set's labels follow the images through
// an imbalance, a subset and the validation split; the twin's exact counts
// (largest remainder) and a chi-square check that its class-level matrix is the
// set's within sampling error.
import { checkCondition, prepareTrain, twinCounts } from "../ml/conditions/mod.ts";
import { takeSubset } from "../ml/data/mod.ts";
import { Rng } from "../ml/rng.ts";
import type { Condition, Split } from "../ml/types.ts";
import { chisqCdf } from "../stats/dist.ts";
import { assert, assertEquals, assertThrows } from "./util/assert.ts";
import { CIFAR, makeSplit, origin } from "./util/splits.ts";

/** A CIFAR-sized split with a "worse"-like set: class c flips to c+1 w.p. 0.3, c+2 w.p. 0.1. */
function withSet(perClass: number[]): Split {
  const split = makeSplit(perClass);
  const k = perClass.length;
  const rng = new Rng(99);
  const worse = split.labels.map((y) => {
    const u = rng.float();
    return u < 0.3 ? (y + 1) % k : u < 0.4 ? (y + 2) % k : y;
  });
  return { ...split, labelSets: { worse, same: split.labels.slice() } };
}

const human: Condition = { labelNoise: { kind: "human", set: "worse" } };
const twin: Condition = { labelNoise: { kind: "matrix", like: "human:worse" } };

function flipsOf(truth: ArrayLike<number>, given: ArrayLike<number>, k: number) {
  const m = Array.from({ length: k }, () => new Array(k).fill(0));
  for (let i = 0; i < truth.length; i++) m[truth[i]][given[i]]++;
  return m;
}

Deno.test("human noise: the set's labels, its flips matrix and count, the flipped mask", () => {
  const split = withSet(new Array(10).fill(500));
  const p = prepareTrain(split, CIFAR, human, 0, 1);
  const worse = split.labelSets!.worse;
  assertEquals([...p.train.labels], [...worse]);
  assert(p.train.images === split.images, "images reused");
  assertEquals(p.record.flips, flipsOf(split.labels, worse, 10));
  const flipped = worse.filter((y, i) => y !== split.labels[i]).length;
  assertEquals(p.record.flipped, flipped);
  assertEquals(p.flippedMask!.reduce((a, b) => a + b, 0), flipped);
  for (let i = 0; i < split.count; i++) {
    assertEquals(p.flippedMask![i], worse[i] !== split.labels[i] ? 1 : 0);
  }
  // No randomness: every seed gives the same labels.
  assertEquals([...prepareTrain(split, CIFAR, human, 0, 7).train.labels], [...worse]);
  // The set equal to the labels: nothing flipped.
  const same = prepareTrain(split, CIFAR, { labelNoise: { kind: "human", set: "same" } }, 0, 1);
  assertEquals(same.record.flipped, 0);
});

Deno.test("human noise after an imbalance and with a validation split: labels follow their images", () => {
  const split = withSet(new Array(10).fill(500));
  const worse = split.labelSets!.worse;
  const cond: Condition = { ...human, imbalance: { profile: "exp", ratio: 10 } };
  const p = prepareTrain(split, CIFAR, cond, 0.2, 3);
  const plain = prepareTrain(split, CIFAR, { imbalance: cond.imbalance }, 0, 3);
  // The imbalance keeps the same images with or without noise (its own stream).
  assertEquals(p.record.imbalanceCounts, plain.record.imbalanceCounts);
  const kept = new Set<number>();
  for (let i = 0; i < plain.train.count; i++) kept.add(origin(plain.train, i));
  let flipped = 0;
  for (const s of [p.train, p.val!]) {
    for (let i = 0; i < s.count; i++) {
      const o = origin(s, i);
      assert(kept.has(o), `image ${o} was not kept`);
      assertEquals(s.labels[i], worse[o], `image ${o}: the set's label`);
      if (worse[o] !== split.labels[o]) flipped++;
    }
  }
  assertEquals(p.record.flipped, flipped, "flips counted over the kept split");
  assertEquals(p.train.count + p.val!.count, kept.size);
  for (let i = 0; i < p.train.count; i++) {
    const o = origin(p.train, i);
    assertEquals(p.flippedMask![i], worse[o] !== split.labels[o] ? 1 : 0);
  }
  // A trainLimit subset carries the set along too.
  const sub = takeSubset(split, 700, 5);
  const q = prepareTrain(sub, CIFAR, human, 0, 5);
  for (let i = 0; i < q.train.count; i++) {
    assertEquals(q.train.labels[i], worse[origin(q.train, i)]);
  }
});

Deno.test("human and matrix noise: an unknown set is refused naming the field", () => {
  const counts = new Array(10).fill(5);
  assertEquals(checkCondition(human, counts, CIFAR, 0, ["worse"]), null);
  assertEquals(
    checkCondition(human, counts, CIFAR, 0, ["aggre", "worse2"]),
    'condition.labelNoise.set: unknown label set "worse"; this data set has "aggre", "worse2"',
  );
  assertEquals(
    checkCondition(twin, counts, CIFAR, 0, []),
    'condition.labelNoise.like: unknown label set "worse"; this data set has none ' +
      "(LOSSBENCH_LABEL_SETS registers them)",
  );
  assertThrows(() => prepareTrain(makeSplit(counts), CIFAR, human, 0, 1), "unknown label set");
});

Deno.test("twinCounts: largest remainder, rows sum to n, ties to the lower class", () => {
  // 10 · (1, 1, 1)/3 = 3.33 each: floors 3, 3, 3; one left, to class 0.
  assertEquals(twinCounts([1, 1, 1], 10), [4, 3, 3]);
  // 7 · (5, 3, 2)/10 = 3.5, 2.1, 1.4: floors 3, 2, 1; one left, to the .5.
  assertEquals(twinCounts([5, 3, 2], 7), [4, 2, 1]);
  // The row's own size gives the row back.
  assertEquals(twinCounts([3251, 328, 359, 96, 97], 4131), [3251, 328, 359, 96, 97]);
  assertEquals(twinCounts([0, 0], 5), [0, 0]);
  assertEquals(twinCounts([2, 0, 1], 0), [0, 0, 0]);
});

Deno.test("matrix twin: the set's exact flips matrix on the same split, at other images per seed", () => {
  const split = withSet(new Array(10).fill(500));
  const h = prepareTrain(split, CIFAR, human, 0, 1);
  const a = prepareTrain(split, CIFAR, twin, 0, 1);
  const b = prepareTrain(split, CIFAR, twin, 0, 2);
  assertEquals(a.record.flips, h.record.flips);
  assertEquals(a.record.flipped, h.record.flipped);
  assertEquals(b.record.flips, h.record.flips);
  assertEquals(a.record.flips, flipsOf(split.labels, a.train.labels, 10), "record = labels");
  assertEquals([...prepareTrain(split, CIFAR, twin, 0, 1).train.labels], [...a.train.labels]);
  const differ = (x: Uint8Array, y: Uint8Array) => x.filter((v, i) => v !== y[i]).length;
  assert(differ(a.train.labels, b.train.labels) > 1000, "other samples for another seed");
  assert(differ(a.train.labels, h.train.labels) > 1000, "not the set's own samples");
});

Deno.test("matrix twin after an imbalance: exact counts by largest remainder of the set's rows", () => {
  const split = withSet(new Array(10).fill(500));
  const cond: Condition = { ...twin, imbalance: { profile: "exp", ratio: 10 } };
  const p = prepareTrain(split, CIFAR, cond, 0, 4);
  const setFlips = flipsOf(split.labels, split.labelSets!.worse, 10);
  const expected = p.record.imbalanceCounts.map((n, i) => twinCounts(setFlips[i], n));
  assertEquals(p.record.flips, expected);
  assertEquals(
    p.record.flipped,
    expected.flat().reduce((a, b) => a + b) - expected.reduce((a, r, i) => a + r[i], 0),
  );
});

Deno.test("matrix twin: its class-level matrix is the set's within sampling error (chi-square)", () => {
  // The twin estimates its matrix on the split a run starts from. On seeded subsets of
  // 1,200 of the 5,000 (trainLimit), its rows against the full set's transition rows:
  // the sum of Pearson χ² over classes and seeds, on Σ(cells − 1) degrees of freedom.
  const split = withSet(new Array(10).fill(500));
  const full = flipsOf(split.labels, split.labelSets!.worse, 10);
  let stat = 0, df = 0;
  for (const seed of [1, 2, 3]) {
    const sub = takeSubset(split, 1200, seed);
    const p = prepareTrain(sub, CIFAR, twin, 0, seed);
    // On its own split the twin's matrix is the subset's human one, exactly.
    assertEquals(p.record.flips, flipsOf(sub.labels, sub.labelSets!.worse, 10));
    for (let i = 0; i < 10; i++) {
      const n = p.record.flips[i].reduce((a, b) => a + b, 0);
      const rowTotal = full[i].reduce((a, b) => a + b, 0);
      const cells = full[i].map((c, j) => ({ o: p.record.flips[i][j], e: (n * c) / rowTotal }))
        .filter((x) => x.e > 0);
      for (const { o, e } of cells) stat += (o - e) ** 2 / e;
      df += cells.length - 1;
    }
  }
  const pFit = 1 - chisqCdf(stat, df);
  assert(pFit > 0.05, `χ²=${stat.toFixed(2)} on ${df} df, p=${pFit}`);
  // And a matrix that is not the set's is caught: the symmetric twin of the same rate.
  let off = 0;
  const sym = prepareTrain(split, CIFAR, { labelNoise: { kind: "symmetric", rate: 0.4 } }, 0, 1);
  for (let i = 0; i < 10; i++) {
    for (let j = 0; j < 10; j++) {
      const e = full[i][j] || 0.5;
      off += (sym.record.flips[i][j] - e) ** 2 / e;
    }
  }
  assert(1 - chisqCdf(off, 90) < 1e-6, `symmetric noise passes as the set's twin: χ²=${off}`);
});
