import assert from "node:assert/strict";
import { loadDataset, synthetic, takeSubset } from "../ml/data/mod.ts";
import { DIFFICULTIES, parseSyntheticSpec } from "../ml/data/synthetic.ts";
import type { Dataset, Split } from "../ml/types.ts";

/** A split whose image i holds the value i (mod 256) in every byte, labels i mod 10. */
function indexed(count: number, pixels = 12): Split {
  const images = new Uint8Array(count * pixels);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    images.fill(i & 255, i * pixels, (i + 1) * pixels);
    labels[i] = i % 10;
  }
  return { images, labels, count };
}

Deno.test("takeSubset: seeded, random (not the first N), images follow their labels", () => {
  const split = indexed(250);
  const a = takeSubset(split, 40, 7);
  const b = takeSubset(split, 40, 7);
  const c = takeSubset(split, 40, 8);
  assert.equal(a.count, 40);
  assert.equal(a.images.length, 40 * 12);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.images, c.images);
  // Image i holds the value i: chosen images keep their labels and original order.
  const chosen: number[] = [];
  for (let i = 0; i < a.count; i++) {
    const v = a.images[i * 12];
    assert.ok(a.images.subarray(i * 12, (i + 1) * 12).every((x) => x === v));
    assert.equal(a.labels[i], v % 10);
    chosen.push(v);
  }
  assert.deepEqual(chosen, [...chosen].sort((x, y) => x - y));
  assert.equal(new Set(chosen).size, 40);
  assert.notDeepEqual(chosen, Array.from({ length: 40 }, (_, i) => i), "not the first N");
  assert.ok(chosen.some((v) => v > 200), "drawn from the whole split");
});

Deno.test("takeSubset: keeps a class mix close to the split's", () => {
  const ds = synthetic({ train: 2000, test: 10 });
  const sub = takeSubset(ds.train, 500, 1);
  const counts = new Array(10).fill(0);
  for (const l of sub.labels) counts[l]++;
  for (const n of counts) assert.ok(n >= 30 && n <= 75, `class counts ${counts}`);
});

Deno.test("takeSubset: undefined or a large limit returns the split itself", () => {
  const split = indexed(20);
  assert.equal(takeSubset(split, undefined, 1), split);
  assert.equal(takeSubset(split, 20, 1), split);
  assert.equal(takeSubset(split, 1000, 1), split);
  assert.equal(takeSubset(split, 0, 1).count, 0);
  assert.throws(() => takeSubset(split, 2.5, 1), /non-negative integer/);
  assert.throws(() => takeSubset(split, -1, 1), /non-negative integer/);
});

Deno.test("synthetic: defaults, determinism by seed and difficulty", () => {
  const a = synthetic();
  assert.deepEqual([a.height, a.width, a.channels, a.train.count, a.test.count], [
    32,
    32,
    3,
    5000,
    1000,
  ]);
  assert.deepEqual(a.classes, Array.from({ length: 10 }, (_, k) => `class${k}`));
  assert.equal(a.train.images.length, 5000 * 32 * 32 * 3);
  assert.deepEqual(a, synthetic({ difficulty: "medium" }), "medium is the default");
  for (const difficulty of DIFFICULTIES) {
    const small = { train: 200, test: 50, seed: 3, difficulty };
    assert.deepEqual(synthetic(small), synthetic(small));
    assert.notDeepEqual(
      synthetic(small).train.images,
      synthetic({ ...small, seed: 4 }).train.images,
    );
  }
  const easy = synthetic({ train: 200, test: 50, difficulty: "easy" });
  assert.notDeepEqual(easy.train.images, synthetic({ train: 200, test: 50 }).train.images);
  const gray = synthetic({ train: 20, test: 10, channels: 1, size: 8, classes: 4 });
  assert.deepEqual([gray.channels, gray.height, gray.classes.length], [1, 8, 4]);
  assert.ok(gray.train.labels.every((l) => l < 4));
  assert.throws(() => synthetic({ channels: 2 }), /channels must be 1 or 3/);
  // deno-lint-ignore no-explicit-any -- a bad value from an untyped caller
  assert.throws(() => synthetic({ difficulty: "extreme" as any }), /difficulty must be one of/);
});

/**
 * Accuracy of the ideal phase-invariant detector for the classes' nominal
 * stripes: each image's luminance is correlated with a sine and a cosine at
 * every class's nominal orientation and frequency, and the class with the most
 * energy wins. With disjoint classes it is nearly perfect; the more images
 * stray towards a neighbouring class's pattern, the more it confuses them.
 */
function matchedFilterAccuracy(ds: Dataset): number {
  const { height: size, channels, classes } = ds;
  const K = classes.length;
  const px = size * size;
  const templates = Array.from({ length: K }, (_, k) => {
    const angle = (Math.PI * k) / K;
    const f = (2 * Math.PI * (1.5 + (k % 3))) / size;
    const sin = new Float64Array(px), cos = new Float64Array(px);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const t = f * (Math.cos(angle) * x + Math.sin(angle) * y);
        sin[y * size + x] = Math.sin(t);
        cos[y * size + x] = Math.cos(t);
      }
    }
    return { sin, cos };
  });
  const lum = new Float64Array(px);
  let right = 0;
  for (let i = 0; i < ds.test.count; i++) {
    let mean = 0;
    for (let p = 0; p < px; p++) {
      let v = 0;
      for (let c = 0; c < channels; c++) v += ds.test.images[(i * px + p) * channels + c];
      lum[p] = v;
      mean += v / px;
    }
    let best = -1, bestE = -1;
    for (let k = 0; k < K; k++) {
      let s = 0, c = 0;
      for (let p = 0; p < px; p++) {
        s += (lum[p] - mean) * templates[k].sin[p];
        c += (lum[p] - mean) * templates[k].cos[p];
      }
      if (s * s + c * c > bestE) [best, bestE] = [k, s * s + c * c];
    }
    if (best === ds.test.labels[i]) right++;
  }
  return right / ds.test.count;
}

Deno.test("synthetic: the difficulty makes neighbouring classes overlap", () => {
  const acc = Object.fromEntries(
    DIFFICULTIES.map((difficulty) => [
      difficulty,
      matchedFilterAccuracy(synthetic({ train: 1, test: 600, seed: 5, difficulty })),
    ]),
  );
  // Disjoint classes: the ideal detector is (nearly) never wrong.
  assert.ok(acc.easy > 0.97, `easy ${JSON.stringify(acc)}`);
  // Overlapping classes: it errs often, and more so the harder the set, while
  // staying far above chance (0.1), so the classes remain learnable.
  assert.ok(acc.medium > 0.6 && acc.medium < 0.95, `medium ${JSON.stringify(acc)}`);
  assert.ok(acc.hard > 0.2 && acc.hard < acc.medium - 0.1, `hard ${JSON.stringify(acc)}`);
});

Deno.test("synthetic: learnable (a nearest-class-mean classifier beats chance)", () => {
  const ds = synthetic({ train: 1000, test: 500, seed: 5 });
  const n = 32 * 32 * 3;
  const means = Array.from({ length: 10 }, () => new Float64Array(n));
  const counts = new Array(10).fill(0);
  for (let i = 0; i < ds.train.count; i++) {
    const m = means[ds.train.labels[i]];
    counts[ds.train.labels[i]]++;
    for (let j = 0; j < n; j++) m[j] += ds.train.images[i * n + j];
  }
  means.forEach((m, k) => m.forEach((v, j) => (m[j] = v / counts[k])));
  let right = 0;
  for (let i = 0; i < ds.test.count; i++) {
    let best = -1;
    let bestD = Infinity;
    for (let k = 0; k < 10; k++) {
      let d = 0;
      for (let j = 0; j < n; j++) d += (ds.test.images[i * n + j] - means[k][j]) ** 2;
      if (d < bestD) [best, bestD] = [k, d];
    }
    if (best === ds.test.labels[i]) right++;
  }
  assert.ok(right / ds.test.count > 0.15, `accuracy ${right / ds.test.count}`);
});

Deno.test("parseSyntheticSpec: difficulty and size", () => {
  assert.deepEqual(parseSyntheticSpec("synthetic"), {});
  assert.deepEqual(parseSyntheticSpec("synthetic:500"), { train: 500, test: 100 });
  assert.deepEqual(parseSyntheticSpec("synthetic:hard"), { difficulty: "hard" });
  assert.deepEqual(parseSyntheticSpec("synthetic:easy:2000"), {
    difficulty: "easy",
    train: 2000,
    test: 400,
  });
  for (const bad of ["synthetic:", "synthetic:extreme", "synthetic:500:hard", "cifar10", "x"]) {
    assert.equal(parseSyntheticSpec(bad), null, bad);
  }
});

Deno.test("loadDataset: synthetic specs", async () => {
  const ds = await loadDataset("synthetic:500", { cacheDir: "/nonexistent" });
  assert.deepEqual([ds.name, ds.train.count, ds.test.count], ["synthetic", 500, 100]);
  assert.equal((await loadDataset("synthetic", { cacheDir: "/nonexistent" })).train.count, 5000);
});
