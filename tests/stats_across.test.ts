// stats/friedman.ts, stats/improvement.ts and stats/across.ts against SciPy and statsmodels
// (tests/fixtures/across_reference.json, written by tools/make_across_fixtures.py): mean ranks,
// Friedman's χ² and p, Iman–Davenport's F and p, Nemenyi's q_α and CD (and Demšar's printed table),
// Holm over the pairs of mean ranks, rliable's probability of improvement and its bootstrap CI.
import { acrossConditions } from "../stats/across.ts";
import { criticalDifference, friedman, nemenyiQ, rankPairs } from "../stats/friedman.ts";
import { improvementWithCi, probabilityOfImprovement } from "../stats/improvement.ts";
import { assert, assertEquals } from "./util/assert.ts";

interface FriedmanRef {
  name: string;
  scores: number[][];
  alpha: number;
  meanRanks: number[];
  chi2: number;
  p: number;
  f: number | null;
  pF: number;
  cd: number;
  pairs: { a: number; b: number; z: number; p: number; pHolm: number }[];
}
const ref = JSON.parse(
  Deno.readTextFileSync(new URL("./fixtures/across_reference.json", import.meta.url)),
) as {
  q: Record<string, number[]>;
  demsarQ05: number[];
  friedman: FriedmanRef[];
  improvement: { name: string; x: number[][]; y: number[][]; p: number; ci95: [number, number] }[];
};

const close = (a: number, b: number, tol = 1e-9) =>
  Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));

Deno.test("across: Nemenyi's q_α matches SciPy's studentized range and Demšar's table", () => {
  for (const [alpha, qs] of Object.entries(ref.q)) {
    qs.forEach((q, i) => {
      const got = nemenyiQ(i + 2, Number(alpha));
      assert(close(got, q, 1e-7), `k = ${i + 2}, α = ${alpha}: ${got} vs SciPy ${q}`);
    });
  }
  ref.demsarQ05.forEach((q, i) => assert(Math.abs(nemenyiQ(i + 2) - q) < 1e-3, `k = ${i + 2}`));
});

Deno.test("across: Friedman, Iman–Davenport, CD and Holm over mean ranks match SciPy", () => {
  assert(ref.friedman.length >= 5);
  for (const c of ref.friedman) {
    const r = friedman(c.scores);
    r.meanRanks.forEach((m, j) => assert(close(m, c.meanRanks[j]), `${c.name}: rank ${j}`));
    assert(close(r.chi2, c.chi2), `${c.name}: χ² ${r.chi2} vs ${c.chi2}`);
    assert(close(r.p, c.p, 1e-7), `${c.name}: p ${r.p} vs ${c.p}`);
    if (c.f === null) assertEquals(r.f, null);
    else assert(close(r.f!, c.f), `${c.name}: F ${r.f} vs ${c.f}`);
    assert(close(r.pF, c.pF, 1e-7), `${c.name}: pF ${r.pF} vs ${c.pF}`);
    const cd = criticalDifference(r.k, r.n, c.alpha);
    assert(close(cd, c.cd, 1e-7), `${c.name}: CD ${cd} vs ${c.cd}`);
    const pairs = rankPairs(r.meanRanks, r.n, c.alpha);
    assertEquals(pairs.map((p) => [p.a, p.b]), c.pairs.map((p) => [p.a, p.b]));
    pairs.forEach((p, i) => {
      assert(close(p.z, c.pairs[i].z), `${c.name}: z`);
      assert(close(p.p, c.pairs[i].p, 1e-9), `${c.name}: p`);
      assert(close(p.pHolm, c.pairs[i].pHolm, 1e-9), `${c.name}: Holm`);
      assertEquals(p.nemenyi, Math.abs(p.diff) >= cd);
    });
  }
});

Deno.test("across: probability of improvement and its stratified bootstrap CI match rliable's recipe", () => {
  for (const c of ref.improvement) {
    assert(close(probabilityOfImprovement(c.x, c.y), c.p), `${c.name}: P(X > Y)`);
    const r = improvementWithCi(c.x, c.y, { reps: 20000, seed: 3 });
    assert(Math.abs(r.ci[0] - c.ci95[0]) < 0.02, `${c.name}: ${r.ci} vs numpy ${c.ci95}`);
    assert(Math.abs(r.ci[1] - c.ci95[1]) < 0.02, `${c.name}: ${r.ci} vs numpy ${c.ci95}`);
    // Seeded: the same interval every time.
    assertEquals(
      improvementWithCi(c.x, c.y, { seed: 5 }),
      improvementWithCi(c.x, c.y, { seed: 5 }),
    );
  }
});

Deno.test("across: an experiment's cells become blocks and losses; lower-is-better is ranked as such", () => {
  const cells = ["clean", "noise"].flatMap((b) =>
    ["ce", "gce", "mae"].map((l) => ({
      key: `${l}@${b}`,
      loss: l,
      lossLabel: l,
      block: b,
      blockLabel: b,
    }))
  );
  const v = new Map<string, number[]>([
    ["ce@clean", [0.30, 0.32]],
    ["gce@clean", [0.35, 0.36]],
    ["mae@clean", [0.50, 0.52]],
    ["ce@noise", [0.9, 0.95]],
    ["gce@noise", [0.6, 0.62]],
    ["mae@noise", [0.7, NaN]],
  ]);
  const r = acrossConditions(cells, v, { metric: "testLoss", direction: "lower" })!;
  // Lower loss ranks first: clean ce 1, gce 2, mae 3; noise gce 1, mae 2, ce 3.
  assertEquals(r.losses.map((l) => [l.key, l.meanRank]), [["ce", 2], ["gce", 1.5], ["mae", 2.5]]);
  assertEquals(r.better, "lower");
  const ceGce = r.pairs.find((p) => p.a === "ce" && p.b === "gce")!;
  // Clean: ce lower on every pair (P = 1); noise: never (P = 0).
  assertEquals(ceGce.pImprove, 0.5);
  // A block with a loss that has no finished run is left out, and with < 2 blocks there is nothing.
  v.set("mae@noise", []);
  assertEquals(acrossConditions(cells, v, { metric: "testLoss", direction: "lower" }), null);
  assertEquals(
    acrossConditions(cells.filter((c) => c.block === "clean"), v, { metric: "x" }),
    null,
  );
});
