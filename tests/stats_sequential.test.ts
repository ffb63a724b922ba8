// stats/sequential.ts: the group-sequential boundaries against SciPy's multivariate normal and the
// published Lan–DeMets O'Brien–Fleming tables (tests/fixtures/sequential_reference.json, written by
// tools/make_sequential_fixtures.py), the decisions at one look, and a seeded simulation under the
// null: looking after every batch with the design keeps the false-positive rate at α, re-testing
// naively at 0.05 after every batch does not.
import { boundaries, sequentialLook, spendOBF } from "../stats/sequential.ts";
import { tQuantile } from "../stats/dist.ts";
import { assert, assertEquals } from "./util/assert.ts";

const ref = JSON.parse(
  Deno.readTextFileSync(new URL("./fixtures/sequential_reference.json", import.meta.url)),
) as {
  cases: {
    name: string;
    alpha: number;
    fractions: number[];
    boundaries: number[];
    published?: number[];
  }[];
};

Deno.test("sequential: boundaries match SciPy's multivariate normal and the published tables", () => {
  assert(ref.cases.length >= 6, "the fixture holds the K = 2..5 tables and unequal looks");
  for (const c of ref.cases) {
    const got = boundaries(c.fractions, c.alpha);
    assertEquals(got.length, c.boundaries.length);
    got.forEach((x, i) => {
      assert(
        Math.abs(x - c.boundaries[i]) < 3e-3,
        `${c.name}: look ${i + 1}: ${x} vs SciPy ${c.boundaries[i]}`,
      );
      if (c.published) {
        assert(
          Math.abs(x - c.published[i]) < 5e-4,
          `${c.name}: look ${i + 1}: ${x} vs published ${c.published[i]}`,
        );
      }
    });
  }
  // K = 2, α = 0.05: the brief's own numbers.
  const [c1, c2] = boundaries([0.5, 1], 0.05);
  assertEquals([c1.toFixed(3), c2.toFixed(3)], ["2.963", "1.969"]);
});

Deno.test("sequential: the spending function spends α by t = 1 and almost nothing early", () => {
  assertEquals(spendOBF(1, 0.05), 0.05);
  assertEquals(spendOBF(0, 0.05), 0);
  assert(spendOBF(0.1, 0.05) < 1e-8);
  assert(Math.abs(spendOBF(0.999999, 0.05) - 0.05) < 1e-6);
  // One look at t = 1 is the fixed-sample test.
  assert(Math.abs(boundaries([1], 0.05)[0] - 1.959964) < 1e-6);
  let threw = false;
  try {
    boundaries([0.5, 0.4], 0.05);
  } catch {
    threw = true;
  }
  assert(threw, "fractions must increase");
});

Deno.test("sequential: one look decides better, equivalent, continue or inconclusive", () => {
  const opts = { alpha: 0.05, nMax: 10, delta: 0.005 };
  // A large, consistent gain: the boundary is crossed even at the first look (t = 0.5).
  const big = sequentialLook([0.05, 0.051, 0.049, 0.052, 0.048], [], opts);
  assertEquals(big.decision, "better");
  assertEquals(big.better, "a");
  assertEquals(big.fraction, 0.5);
  assert(Math.abs(big.boundary! - 2.963) < 1e-3);
  // Lower is better for a loss: A's higher test loss makes B the better one.
  assertEquals(
    sequentialLook([0.05, 0.051, 0.049, 0.052, 0.048], [], { ...opts, direction: "lower" }).better,
    "b",
  );
  // Tiny, tight differences: equivalent within ±0.5 points.
  const tiny = [0.0002, -0.0001, 0.0001, 0, 0.0003, -0.0002, 0.0001, 0, 0.0002, -0.0001];
  const eq = sequentialLook(tiny, [5], { ...opts, final: true });
  assertEquals(eq.decision, "equivalent");
  assert(eq.rci![0] > -0.005 && eq.rci![1] < 0.005);
  // Noisy: neither; "continue" before the last look, "inconclusive" at it.
  const noisy = [0.01, -0.012, 0.004, -0.003, 0.009, -0.011];
  assertEquals(sequentialLook(noisy, [4], opts).decision, "continue");
  assertEquals(sequentialLook(noisy, [4], { ...opts, final: true }).decision, "inconclusive");
  // The same data judged at a later look of a longer design needs more evidence than at a single
  // fixed-n test: 6 pairs with t = 3.0 pass a fixed test (p ≈ 0.03) but not the interim boundary.
  const d = [0.011, 0.004, 0.009, 0.002, 0.012, 0.006];
  const interim = sequentialLook(d, [4], { ...opts, nMax: 20 });
  assertEquals(interim.decision, "continue");
  assert(interim.nominalAlpha! < 0.01, `nominal level ${interim.nominalAlpha}`);
  // Earlier looks that did not grow n are no new look; the boundary sequence is the same.
  const a = sequentialLook(d, [2, 4], { ...opts, nMax: 20 });
  const b = sequentialLook(d, [2, 2, 4, 4, 6], { ...opts, nMax: 20 });
  assertEquals(a.boundary, b.boundary);
  // Fewer than two pairs (a cell's runs failed): no look, no error; at the end, inconclusive.
  assertEquals(sequentialLook([], [], opts).decision, "continue");
  assertEquals(sequentialLook([0.01], [], opts).boundary, null);
  assertEquals(sequentialLook([NaN, 0.01], [3], { ...opts, final: true }).decision, "inconclusive");
  // No spread: no interval, no decision.
  assertEquals(sequentialLook([0.01, 0.01, 0.01], [], opts).decision, "continue");
});

/** mulberry32: a small seeded generator, so the simulation is the same on every machine. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normals(u: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/**
 * Simulated experiments under `theta` (true mean difference, sd 1): 3 seeds, then 2 more at a
 * time up to 30 (15 looks), stopping at the first decision. Returns how often each claim was made.
 */
function simulate(sequences: number, theta: number, delta: number, seed: number) {
  const looks = [3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 30];
  const z = normals(rng(seed));
  const naiveCrit = looks.map((n) => tQuantile(0.975, n - 1));
  let seqBetter = 0, seqEquivalent = 0, naive = 0, naiveFinal = 0;
  for (let s = 0; s < sequences; s++) {
    const d = Array.from({ length: 30 }, () => theta + z());
    let seqDone = false, naiveHit = false;
    for (let k = 0; k < looks.length; k++) {
      const n = looks[k];
      const x = d.slice(0, n);
      if (!seqDone) {
        const look = sequentialLook(x, looks.slice(0, k), {
          alpha: 0.05,
          nMax: 30,
          delta,
          final: k === looks.length - 1,
        });
        if (look.decision === "better") seqBetter++;
        if (look.decision === "equivalent") seqEquivalent++;
        seqDone = look.decision === "better" || look.decision === "equivalent";
      }
      const m = x.reduce((a, b) => a + b, 0) / n;
      const sd = Math.sqrt(x.reduce((a, b) => a + (b - m) ** 2, 0) / (n - 1));
      const hit = Math.abs(m / (sd / Math.sqrt(n))) > naiveCrit[k];
      if (hit && !naiveHit) naive++;
      naiveHit ||= hit;
      if (k === looks.length - 1 && hit) naiveFinal++;
    }
  }
  return {
    seqBetter: seqBetter / sequences,
    seqEquivalent: seqEquivalent / sequences,
    naive: naive / sequences,
    naiveFinal: naiveFinal / sequences,
  };
}

Deno.test("sequential: under the null, 4,000 sequences of 15 looks keep the false-positive rate at α; naive re-testing does not", () => {
  const N = 4000;
  const mcError = 3 * Math.sqrt(0.05 * 0.95 / N); // three Monte Carlo standard errors ≈ 0.010
  const r = simulate(N, 0, 0.2, 20261203);
  console.log(
    `null: sequential FPR ${r.seqBetter.toFixed(4)}, naive re-testing ${r.naive.toFixed(4)}, ` +
      `one fixed test at n = 30 ${r.naiveFinal.toFixed(4)} (α = 0.05, ±${mcError.toFixed(4)})`,
  );
  assert(r.seqBetter <= 0.05 + mcError, `sequential FPR ${r.seqBetter}`);
  assert(r.naive > 0.05 + mcError, `naive FPR ${r.naive} should exceed α`);
  assert(r.naive > 2 * r.seqBetter, `naive ${r.naive} vs sequential ${r.seqBetter}`);
  // The single test at the end is the fixed design: near α, so the generator is sound.
  assert(Math.abs(r.naiveFinal - 0.05) < mcError, `fixed-n FPR ${r.naiveFinal}`);
});

Deno.test("sequential: a true difference of exactly δ is called equivalent at most α of the time", () => {
  const N = 2000;
  const r = simulate(N, 0.5, 0.5, 7);
  console.log(`θ = δ: equivalent ${r.seqEquivalent.toFixed(4)} (α = 0.05)`);
  assert(r.seqEquivalent <= 0.05 + 3 * Math.sqrt(0.05 * 0.95 / N), `${r.seqEquivalent}`);
  // And a real difference of 1 sd is found most of the time by 30 seeds.
  const power = simulate(500, 1, 0.2, 11).seqBetter;
  assert(power > 0.9, `power ${power}`);
});
