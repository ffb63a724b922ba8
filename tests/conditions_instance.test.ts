// Instance-dependent noise (ml/conditions/noise/instance.ts via prepareTrain):
// exactly round(rate·n) flips, never to the own class, the flips matrix
// consistent with the labels, seeded; the flip rates' truncated normal against
// SciPy's truncnorm; the choice follows the flip rates; and the dependence on
// the image: identical images flip to the same class far more often than
// class-conditional noise would allow.
import { conditionLabel, prepareTrain } from "../ml/conditions/mod.ts";
import { chooseByRate, FLIP_RATE_SD, truncatedNormal } from "../ml/conditions/noise/instance.ts";
import { Rng } from "../ml/rng.ts";
import type { Split } from "../ml/types.ts";
import { assert, assertEquals } from "./util/assert.ts";

const CLASSES = Array.from({ length: 10 }, (_, i) => `c${i}`);
const inst = (rate: number) => ({ labelNoise: { kind: "instance" as const, rate } });

/** `perClass` random 4×4×3 images per class (classes interleaved); each image `copies` times in a row. */
function imageSplit(perClass: number, copies = 1, seed = 5): Split {
  const d = 48, k = CLASSES.length, n = perClass * k * copies;
  const rng = new Rng(seed);
  const images = new Uint8Array(n * d);
  const labels = new Uint8Array(n);
  for (let s = 0; s < perClass * k; s++) {
    const img = Uint8Array.from({ length: d }, () => rng.int(256));
    for (let c = 0; c < copies; c++) {
      images.set(img, (s * copies + c) * d);
      labels[s * copies + c] = s % k;
    }
  }
  return { images, labels, count: n };
}

Deno.test("instance noise: exactly round(rate·n) flips, none to the own class, seeded", () => {
  const split = imageSplit(100);
  for (const rate of [0, 0.2, 0.45, 0.35]) {
    const p = prepareTrain(split, CLASSES, inst(rate), 0, 1);
    assertEquals(p.record.flipped, Math.round(rate * split.count), `rate ${rate}`);
    const flips = Array.from({ length: 10 }, () => new Array(10).fill(0));
    for (let i = 0; i < split.count; i++) {
      flips[split.labels[i]][p.train.labels[i]]++;
      assertEquals(p.flippedMask![i], p.train.labels[i] !== split.labels[i] ? 1 : 0);
    }
    assertEquals(p.record.flips, flips);
    assert(p.train.images === split.images, "images reused");
  }
  const a = prepareTrain(split, CLASSES, inst(0.4), 0, 7).train.labels;
  assertEquals([...prepareTrain(split, CLASSES, inst(0.4), 0, 7).train.labels], [...a]);
  assert(prepareTrain(split, CLASSES, inst(0.4), 0, 8).train.labels.some((y, i) => y !== a[i]));
  // Halves up, as symmetric noise: 0.25 · 10 = 2.5 → 3.
  const ten = imageSplit(1);
  assertEquals(prepareTrain(ten, CLASSES, inst(0.25), 0, 1).record.flipped, 3);
  assertEquals(conditionLabel(inst(0.4)), "instance noise 40%");
});

Deno.test("instance noise: after an imbalance and with a validation split, counts stay exact", () => {
  const split = imageSplit(60);
  const p = prepareTrain(
    split,
    CLASSES,
    { ...inst(0.3), imbalance: { profile: "exp", ratio: 5 } },
    0.1,
    2,
  );
  const kept = p.record.imbalanceCounts.reduce((a, b) => a + b, 0);
  assertEquals(p.record.flipped, Math.round(0.3 * kept));
});

Deno.test("instance noise: the flip rates are SciPy's truncnorm(rate, 0.1) on [0, 1]", () => {
  // scipy.stats.truncnorm((0 - r)/0.1, (1 - r)/0.1, loc=r, scale=0.1).mean(), .var()
  const scipy: [number, number, number][] = [
    [0.2, 0.2055247862678985, 0.008864519483113826],
    [0.4, 0.40001338283885257, 0.009994646077751083],
    [0.05, 0.10091604338370336, 0.0048617543569636715],
  ];
  const rng = new Rng(11);
  const n = 200_000;
  for (const [r, mean, variance] of scipy) {
    let s = 0, s2 = 0;
    for (let i = 0; i < n; i++) {
      const x = truncatedNormal(rng, r, FLIP_RATE_SD);
      assert(x >= 0 && x <= 1);
      s += x;
      s2 += x * x;
    }
    const m = s / n, v = s2 / n - m * m;
    // 5 standard errors of the mean; the variance within 3%.
    assert(Math.abs(m - mean) < 5 * Math.sqrt(variance / n), `rate ${r}: mean ${m} vs ${mean}`);
    assert(Math.abs(v / variance - 1) < 0.03, `rate ${r}: var ${v} vs ${variance}`);
  }
});

Deno.test("instance noise: samples with higher flip rates are chosen more often", () => {
  const q = Float64Array.from({ length: 200 }, (_, i) => (i < 100 ? 0.1 : 0.9));
  const rng = new Rng(3);
  let high = 0, all = 0;
  for (let t = 0; t < 200; t++) {
    const c = chooseByRate(q, 40, rng);
    assertEquals(c.length, 40);
    assertEquals(new Set(c).size, 40);
    high += c.filter((i) => i >= 100).length;
    all += c.length;
  }
  // Weights 9:1 with 40 of 200 drawn: the high group's share is about 0.89 (never 0.5).
  assert(high / all > 0.85, `high share ${high / all}`);
});

Deno.test("instance noise depends on the image: identical images flip alike", () => {
  // Every image twice: where both copies flipped, their classes agree far above
  // the 1/(K−1) = 0.11 that class-conditional noise would give.
  const split = imageSplit(100, 2);
  let both = 0, same = 0;
  for (const seed of [1, 2, 3]) {
    const p = prepareTrain(split, CLASSES, inst(0.4), 0, seed);
    for (let i = 0; i < split.count; i += 2) {
      if (p.flippedMask![i] && p.flippedMask![i + 1]) {
        both++;
        if (p.train.labels[i] === p.train.labels[i + 1]) same++;
      }
    }
  }
  assert(both > 100, `${both} pairs`);
  assert(same / both > 0.6, `agreement ${same}/${both}`);
});
