// The verdicts a reviewer accepts: p never printed across α, CIs at the verdict's level, families
// that mean something, three-way outcomes with the MDE and seeds needed, declared one-sided claims.
// Numbers come from tests/fixtures/stats_reference.json (SciPy, statsmodels).
import { describeMetrics } from "../ml/metrics/registry.ts";
import { compare } from "../stats/compare.ts";
import { experimentStats, type RunInput } from "../stats/experiment.ts";
import { StatsOptionError } from "../stats/family.ts";
import { holm } from "../stats/holm.ts";
import { formatP } from "../stats/verdict.ts";
import { assert, assertEquals } from "./util/assert.ts";

const ref = JSON.parse(
  await Deno.readTextFile(new URL("./fixtures/stats_reference.json", import.meta.url)),
);
const METRICS = ["testAcc", "testLoss"];

function run(cellKey: string, seed: number, values: Record<string, number>): RunInput {
  return { cellKey, seed, finished: true, epochs: [{ epoch: 1, ...values }], sizes: { test: 1e4 } };
}
const runsOf = (vals: Record<string, number[]>, metric = "testAcc") =>
  Object.entries(vals).flatMap(([k, vs]) => vs.map((v, i) => run(k, i + 1, { [metric]: v })));
const stats = (
  cells: { key: string; label: string; group?: string; loss?: string }[],
  runs: RunInput[],
  extra: Record<string, unknown> = {},
) =>
  experimentStats(cells, runs, {
    point: { kind: "final" },
    metric: "testAcc",
    metrics: METRICS,
    ...extra,
  });

Deno.test("verdicts: a p just under 0.05 never prints as 0.0500", () => {
  const c = ref.compare.find((x: { name: string }) => x.name.startsWith("p just under 0.05"));
  const p = c.expected.pT;
  assert(p < 0.05 && p > 0.0499, String(p));
  const text = formatP(p);
  assert(Number(text.slice(2)) < 0.05, text);
  assertEquals(formatP(0.04996), "= 0.04996");
  assertEquals(formatP(0.050004), "= 0.0500"); // above α: rounding to 0.0500 stays on its side
  assertEquals(formatP(0.0499999999), "< 0.05");
  assertEquals(formatP(0.62), "= 0.62");
  const s = stats([{ key: "a", label: "a" }, { key: "b", label: "b" }], [
    ...c.a.values.map((v: number, i: number) => run("a", c.a.seeds[i], { testAcc: v })),
    ...c.b.values.map((v: number, i: number) => run("b", c.b.seeds[i], { testAcc: v })),
  ]);
  const v = s.comparisons[0].verdict;
  assert(v.includes(`p(Holm) ${text}`) && v.includes("significant at 0.05 (a better)"), v);
});

/** Four losses × three conditions, 6 seeds: the default family is 6 pairs per condition. */
function grid() {
  const losses = ["ce", "focal", "gce", "mae"];
  const conds = ["clean", "sym 40%", "asym 40%"];
  const cells = conds.flatMap((c) =>
    losses.map((l) => ({
      key: `${l}/${c}`,
      label: `${l} · ${c}`,
      loss: l,
      group: `${c} · convnet`,
    }))
  );
  const base = [6000, 6120, 5950, 6080, 6030, 5990];
  const shift: Record<string, number> = { ce: 0, focal: 15, gce: -40, mae: -900 };
  const jitter = [3, -7, 11, -2, 6, -9];
  const runs = cells.flatMap((c, k) =>
    base.map((b, i) =>
      run(c.key, i + 1, {
        testAcc: (b + shift[c.loss] + jitter[(i + k) % 6] * (k % 3 + 1) - 300 * (k >> 2)) / 1e4,
      })
    )
  );
  return { cells, runs };
}

Deno.test("verdicts: families are losses within a condition and model (18 pairs, not 66)", () => {
  const { cells, runs } = grid();
  const s = stats(cells, runs);
  assertEquals(s.comparisons.length, 18);
  assertEquals(s.families.map((f) => [f.name, f.size]), [
    ["losses within clean · convnet", 6],
    ["losses within sym 40% · convnet", 6],
    ["losses within asym 40% · convnet", 6],
  ]);
  for (const c of s.comparisons) {
    assertEquals(cells.find((x) => x.key === c.a)!.group, cells.find((x) => x.key === c.b)!.group);
    assert(c.verdict.endsWith(`[family: ${c.family}, 6 comparisons, Holm]`), c.verdict);
  }
  // Holm within each family, at its size.
  const fam = s.comparisons.filter((c) => c.family === s.families[1].name);
  assertEquals(fam.map((c) => c.pTHolm), holm(fam.map((c) => c.pT)));
  const all = stats(cells, runs, { family: { kind: "all" } });
  assertEquals([all.comparisons.length, all.families[0].size], [66, 66]);
  const ctl = stats(cells, runs, { family: { kind: "control", control: "ce" } });
  assertEquals(ctl.families.map((f) => f.size), [3, 3, 3]);
  assert(ctl.comparisons.every((c) => c.b.startsWith("ce/")), "every cell against its CE");
});

Deno.test("verdicts: a comparison without a test still counts in its family's size", () => {
  const cells = ["a", "b", "c"].map((k) => ({ key: k, label: k }));
  const s = stats(
    cells,
    runsOf({
      a: [0.6, 0.61, 0.62, 0.6],
      b: [0.6, 0.61, 0.62, 0.6], // identical to a: no test
      c: [0.55, 0.57, 0.56, 0.545],
    }),
  );
  const ab = s.comparisons.find((c) => c.a === "a" && c.b === "b")!;
  assertEquals([ab.pT, ab.outcome], [null, "untested"]);
  const ac = s.comparisons.find((c) => c.a === "a" && c.b === "c")!;
  const bc = s.comparisons.find((c) => c.a === "b" && c.b === "c")!;
  assertEquals(ac.pTHolm, holm([null, ac.pT, bc.pT], 3)[1]);
  assert(ac.pTHolm! >= Math.min(1, 2 * Math.min(ac.pT!, bc.pT!)), "m = 3, not 2");
});

Deno.test("verdicts: the CI shown at the verdict's level excludes 0 exactly when Holm rejects", () => {
  const { cells, runs } = grid();
  const s = stats(cells, runs, { family: { kind: "all" } });
  let mismatchPerComparison = 0;
  for (const c of s.comparisons) {
    if (c.pTHolm === null) continue;
    const excl = (ci: [number, number]) => ci[0] > 0 || ci[1] < 0;
    assertEquals(excl(c.ciFamily!.ci), c.pTHolm < 0.05, c.verdict);
    if (excl(c.ci95!) !== c.pTHolm < 0.05) mismatchPerComparison++;
    assert(c.ciFamily!.level >= 0.95);
  }
  // The per-comparison 95% CI alone would disagree with some verdicts: that is the defect.
  assert(mismatchPerComparison > 0, "the grid has a CI excluding 0 under a non-significant Holm p");
  const shown = s.comparisons.find((c) => c.ciFamily && c.ciFamily.level > 0.95)!;
  assert(
    /\(per comparison\), 99\.\d% CI \[.*\] \(Holm-consistent\)/.test(shown.verdict),
    shown.verdict,
  );
});

Deno.test("verdicts: three-way outcomes: better, equivalent within ±δ (TOST), inconclusive with MDE", () => {
  const t = ref.tost.find((x: { name: string }) => x.name === "paired, inside ±δ");
  const a = [6123, 6234, 6011, 6342, 6190, 6288].map((k) => k / 1e4);
  const b = [6101, 6250, 6020, 6330, 6170, 6300].map((k) => k / 1e4);
  const cells = [{ key: "a", label: "a" }, { key: "b", label: "b" }];
  const eq = stats(cells, runsOf({ a, b })).comparisons[0];
  assert(Math.abs(eq.pTost! / t.pValue - 1) < 1e-9, `${eq.pTost} vs ${t.pValue}`);
  assertEquals([eq.outcome, eq.delta], ["equivalent", 0.005]);
  assert(eq.verdict.includes("equivalent within ±0.50 (TOST at 0.05)"), eq.verdict);
  // The same pair with a δ of 0.1 points cannot be shown equivalent: inconclusive, with the MDE
  // at n = 6 (statsmodels' TTestPower at α = 0.05, 80% power) and the seeds to detect δ.
  const inc = stats(cells, runsOf({ a, b }), { delta: 0.001 }).comparisons[0];
  assertEquals(inc.outcome, "inconclusive");
  const sd = compare({ values: a, seeds: [1, 2, 3, 4, 5, 6] }, {
    values: b,
    seeds: [1, 2, 3, 4, 5, 6],
  }).sdDiff!;
  assert(Math.abs(inc.sdDiff! / sd - 1) < 1e-9);
  assert(inc.mde! > Math.abs(inc.diff!) && inc.seedsNeeded! > 6, JSON.stringify(inc));
  assert(
    /smallest difference this n detects \(80% power\): \d+\.\d\d; seeds needed to detect ±0\.10: \d+/
      .test(inc.verdict),
    inc.verdict,
  );
  // The MDE against statsmodels: solve_power(nobs = 10, α = 0.05/6) = 1.37144 sd.
  const sol = ref.solve.find((x: { n: number; alternative: string }) =>
    x.n === 10 && x.alternative === "two-sided"
  );
  const four = ["w", "x", "y", "z"].map((k) => ({ key: k, label: k }));
  const base = [5000, 5100, 4950, 5080, 5030, 4990, 5060, 5010, 4970, 5040];
  const noise = [
    [0, 0, 0, 0],
    [3, -4, 2, 5],
    [-2, 6, -5, 1],
    [4, 1, -3, -6],
    [-5, -2, 6, 2],
    [1, 5, -1, -4],
    [-3, -6, 4, 3],
    [6, 2, -4, -1],
    [-1, -3, 1, 6],
    [2, 4, -2, -5],
  ];
  const s4 = stats(
    four,
    four.flatMap((c, j) =>
      base.map((b, i) => run(c.key, i + 1, { testAcc: (b + noise[i][j]) / 1e4 }))
    ),
  );
  for (const c of s4.comparisons.filter((x) => x.outcome === "inconclusive")) {
    assert(Math.abs(c.mde! / c.sdDiff! / sol.effect - 1) < 1e-5, `${c.mde! / c.sdDiff!}`);
  }
  // "Better": the CE vs focal direction on a loss metric (lower is better).
  const loss = experimentStats(
    cells,
    runsOf(
      { a: [1.0, 1.01, 0.99, 1.02, 1.0, 0.98], b: [1.1, 1.12, 1.09, 1.1, 1.13, 1.08] },
      "testLoss",
    ),
    {
      point: { kind: "final" },
      metric: "testLoss",
      metrics: METRICS,
    },
  ).comparisons[0];
  assertEquals([loss.outcome, loss.pImprove], ["A better", 1]);
});

Deno.test("verdicts: a declared claim gets a one-sided test of exactly it", () => {
  const c = ref.compare.find((x: { name: string }) => x.name === "ordinary n=5");
  const cells = [{ key: "focal2", label: "focal γ=2" }, { key: "ce", label: "ce" }];
  const runs = [
    ...c.a.values.map((v: number, i: number) => run("focal2", c.a.seeds[i], { testAcc: v })),
    ...c.b.values.map((v: number, i: number) => run("ce", c.b.seeds[i], { testAcc: v })),
  ];
  const s = stats(cells, runs, {
    hypotheses: [{ better: "focal γ=2", than: "ce" }, { better: "ce", than: "focal2" }],
  });
  const [h, back] = s.hypotheses;
  assertEquals(h.claim, "focal γ=2 beats ce on test accuracy");
  // The claim's direction: half SciPy's two-sided p, and 1 − that for the reverse claim.
  assert(Math.abs(h.p! / (c.expected.pT / 2) - 1) < 1e-9, `${h.p}`);
  assert(Math.abs(back.p! - (1 - c.expected.pT / 2)) < 1e-9, `${back.p}`);
  assertEquals(h.pHolm, Math.min(1, 2 * h.p!));
  assert(!h.supported && h.bound!.value < 0 && h.bound!.level === 0.975, JSON.stringify(h));
  assert(/one-sided p\(Holm over 2\) = 0\.17: not supported at this n/.test(h.verdict), h.verdict);
});

Deno.test("verdicts: the dashboard marks equivalence and names the families", async () => {
  // Browser code, type-checked against the DOM by `deno task check:static`: imported by a
  // computed URL (out of this program's check), with the metric registry it names metrics from.
  const page = (name: string) => import(new URL(`../static/js/${name}`, import.meta.url).href);
  (await page("metrics.js")).setMetrics({ metrics: describeMetrics() });
  const view = await page("stats-view.js");
  const a = [6123, 6234, 6011, 6342, 6190, 6288].map((k) => k / 1e4);
  const b = [6101, 6250, 6020, 6330, 6170, 6300].map((k) => k / 1e4);
  const s = stats([{ key: "a", label: "a" }, { key: "b", label: "b" }], runsOf({ a, b }));
  assertEquals(view.matrixEntry(s.comparisons, "a", "b")!.stars, "≈");
  const legend = view.statsLegendText(s);
  assert(legend.includes("within each family: losses within the experiment (1)"), legend);
  assert(legend.includes("equivalent within ±0.50 points (TOST)"), legend);
});

Deno.test("verdicts: too many comparisons is an option error, not minutes of work", () => {
  const cells = Array.from({ length: 70 }, (_, i) => ({ key: `c${i}`, label: `c${i}` }));
  let err: unknown = null;
  try {
    stats(cells, [], { family: { kind: "all" } });
  } catch (e) {
    err = e;
  }
  assert(err instanceof StatsOptionError && /2415 comparisons/.test(err.message), String(err));
  assertEquals(
    stats(cells, [], { family: { kind: "control", control: "c0" } }).comparisons.length,
    69,
  );
});
