// stats/experiment.ts: the JSON GET /api/experiments/:id serves, from plain cells and runs.
// The numbers inside come from stats/compare.ts and stats/describe.ts, checked against SciPy in
// stats_reference.test.ts; the verdicts below quote that fixture's "ordinary n=5" and "losses n=6".
import { experimentStats, type Point, type RunInput } from "../stats/experiment.ts";
import { compare } from "../stats/compare.ts";
import { holm } from "../stats/holm.ts";
import { formatP, formatValue } from "../stats/verdict.ts";
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "./util/assert.ts";

const METRICS = ["testAcc", "testLoss", "valAcc", "valLoss"] as const;
const CELLS = [{ key: "ce", label: "ce" }, { key: "focal2", label: "focal γ=2" }];

/** A run from per-metric series, epoch i + 1 holding series[m][i]. */
function run(
  cellKey: string,
  seed: number,
  finished: boolean,
  series: Partial<Record<string, number[]>>,
): RunInput {
  const len = Math.max(...Object.values(series).map((s) => s!.length));
  const epochs = Array.from({ length: len }, (_, i) => {
    const e: Record<string, number | undefined> = { epoch: i + 1 };
    for (const [m, s] of Object.entries(series)) e[m] = s![i];
    return e;
  });
  return { cellKey, seed, finished, epochs };
}

const finalOf = (r: RunInput, m: string) => r.epochs[r.epochs.length - 1][m]!;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Never NaN or ±Infinity: JSON would silently turn them into null, so a round trip shows them. */
function assertJsonSafe(x: unknown) {
  const text = JSON.stringify(x);
  assertEquals(JSON.parse(text), x, "JSON round trip");
  const walk = (v: unknown): void => {
    if (typeof v === "number") assert(Number.isFinite(v), `non-finite ${v}`);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") Object.values(v).forEach(walk);
  };
  walk(x);
}

// Three finished seeds per cell plus one ce run still at epoch 2.
const live: RunInput[] = [
  run("ce", 1, true, { testAcc: [0.30, 0.40, 0.50], testLoss: [2.0, 1.8, 1.6] }),
  run("ce", 2, true, { testAcc: [0.32, 0.42, 0.52], testLoss: [2.1, 1.7, 1.5] }),
  run("ce", 3, true, { testAcc: [0.31, 0.45, 0.47], testLoss: [2.2, 1.9, 1.4] }),
  run("ce", 4, false, { testAcc: [0.50, 0.60], testLoss: [1.0, 0.9] }),
  run("focal2", 1, true, { testAcc: [0.35, 0.45, 0.55], testLoss: [1.9, 1.6, 1.3] }),
  run("focal2", 2, true, { testAcc: [0.33, 0.44, 0.51], testLoss: [2.0, 1.5, 1.2] }),
  run("focal2", 3, true, { testAcc: [0.36, 0.46, 0.56], testLoss: [1.8, 1.4, 1.1] }),
];

Deno.test("stats experiment: live bands cover every run, summaries only the finished ones", () => {
  const s = experimentStats(CELLS, live, {
    point: { kind: "final" },
    metric: "testAcc",
    metrics: METRICS,
  });
  assertEquals(s.runs, { total: 7, finished: 6 });
  const ce = s.cells[0];
  assertEquals([ce.key, ce.label, ce.runs, ce.finished, ce.seeds], ["ce", "ce", 4, 3, [1, 2, 3]]);
  assertEquals(ce.perEpoch.testAcc.map((e) => [e.epoch, e.n]), [[1, 4], [2, 4], [3, 3]]);
  assertAlmostEquals(ce.perEpoch.testAcc[0].mean!, mean([0.30, 0.32, 0.31, 0.50]), 1e-15);
  assertEquals(ce.perEpoch.valAcc, [], "no validation split, no band");
  // The running run's better numbers stay out of the summary and the comparison.
  const finals = live.filter((r) => r.cellKey === "ce" && r.finished).map((r) =>
    finalOf(r, "testAcc")
  );
  assertEquals(ce.summary.testAcc.n, 3);
  assertAlmostEquals(ce.summary.testAcc.mean!, mean(finals), 1e-15);
  assertEquals(ce.summary.valAcc.n, 0);
  assert(ce.summary.valAcc.reason);
  const [c] = s.comparisons;
  assertEquals([c.a, c.b, c.labelA, c.labelB, c.metric, c.n], [
    "ce",
    "focal2",
    "ce",
    "focal γ=2",
    "testAcc",
    3,
  ]);
  assert(c.verdict.includes("(1 run still training)"), c.verdict);
  assertJsonSafe(s);
});

Deno.test("stats experiment: lastK is the mean of each run's last k epochs", () => {
  const s = experimentStats(CELLS, live, {
    point: { kind: "lastK", k: 2 },
    metric: "testLoss",
    metrics: METRICS,
  });
  const want = mean([(1.8 + 1.6) / 2, (1.7 + 1.5) / 2, (1.9 + 1.4) / 2]);
  assertAlmostEquals(s.cells[0].summary.testLoss.mean!, want, 1e-15);
  const stats = compare(
    { values: [(1.8 + 1.6) / 2, (1.7 + 1.5) / 2, (1.9 + 1.4) / 2], seeds: [1, 2, 3] },
    { values: [(1.6 + 1.3) / 2, (1.5 + 1.2) / 2, (1.4 + 1.1) / 2], seeds: [1, 2, 3] },
  );
  assertAlmostEquals(s.comparisons[0].diff!, stats.diff!, 1e-15);
  assertEquals(s.comparisons[0].pT, stats.pT);
  assertThrows(() =>
    experimentStats(CELLS, live, {
      point: { kind: "lastK", k: 0 },
      metric: "testAcc",
      metrics: METRICS,
    })
  );
});

const withVal: RunInput[] = [
  // Best valAcc at epoch 2, where testAcc is not its highest: the pick must follow validation.
  run("ce", 1, true, {
    testAcc: [0.40, 0.45, 0.60],
    valAcc: [0.40, 0.55, 0.50],
    valLoss: [1.5, 1.2, 1.3],
  }),
  run("ce", 2, true, {
    testAcc: [0.41, 0.47, 0.58],
    valAcc: [0.60, 0.50, 0.55],
    valLoss: [1.0, 1.1, 1.2],
  }),
  run("focal2", 1, true, {
    testAcc: [0.42, 0.50, 0.52],
    valAcc: [0.45, 0.46, 0.47],
    valLoss: [1.4, 1.3, 1.35],
  }),
  run("focal2", 2, true, {
    testAcc: [0.43, 0.49, 0.53],
    valAcc: [0.47, 0.47, 0.40],
    valLoss: [1.2, 1.25, 0.9],
  }),
];

Deno.test("stats experiment: best takes the test value at the best validation epoch", () => {
  const at = (point: Point) =>
    experimentStats(CELLS, withVal, { point, metric: "testAcc", metrics: METRICS }).cells.map(
      (c) => c.summary.testAcc,
    );
  const [ceAcc, focalAcc] = at({ kind: "best", on: "valAcc" });
  assertAlmostEquals(ceAcc.mean!, mean([0.45, 0.41]), 1e-15);
  // focal seed 2 ties at 0.47 on epochs 1 and 2: the earliest wins.
  assertAlmostEquals(focalAcc.mean!, mean([0.52, 0.43]), 1e-15);
  const [ceLoss, focalLoss] = at({ kind: "best", on: "valLoss" });
  assertAlmostEquals(ceLoss.mean!, mean([0.45, 0.41]), 1e-15);
  assertAlmostEquals(focalLoss.mean!, mean([0.50, 0.53]), 1e-15);
});

Deno.test("stats experiment: best without a validation split is an error that says so", () => {
  for (const on of ["valAcc", "valLoss"] as const) {
    const err = assertThrows(() =>
      experimentStats(CELLS, live, {
        point: { kind: "best", on },
        metric: "testAcc",
        metrics: METRICS,
      })
    );
    assert(err instanceof Error && /validation split/.test(err.message), String(err));
    assert(/valFraction/.test((err as Error).message));
  }
});

Deno.test("stats experiment: verdicts quote SciPy's numbers in plain words", () => {
  // tests/fixtures/stats_reference.json "ordinary n=5": diff 0.00342, CI [−0.002255, 0.009095],
  // p = 0.16962 (one pair, so Holm leaves it).
  const a = [0.6123, 0.6234, 0.6011, 0.6342, 0.6190];
  const b = [0.6101, 0.6188, 0.6050, 0.6270, 0.6120];
  const runs = [
    ...a.map((v, i) => run("focal2", i + 1, true, { testAcc: [v] })),
    ...b.map((v, i) => run("ce", i + 1, true, { testAcc: [v] })),
  ];
  const cells = [CELLS[1], CELLS[0]];
  const acc = experimentStats(cells, runs, {
    point: { kind: "final" },
    metric: "testAcc",
    metrics: METRICS,
  });
  assertEquals(
    acc.comparisons[0].verdict,
    "focal γ=2 − ce: +0.34 points test accuracy, 95% CI [−0.23, 0.91], p(Holm) = 0.17, n = 5: " +
      "inconclusive: not significant, and not shown equivalent within ±0.50; the smallest " +
      "difference this n detects (80% power): 0.77; seeds needed to detect ±0.50: 9 " +
      "[family: losses within the experiment, 1 comparison, Holm]",
  );
  // "losses n=6": diff −0.0215, CI [−0.04238, −0.0006203], p = 0.045593: lower loss is better.
  const la = [1.0523, 1.1011, 0.9987, 1.0745, 1.0333, 1.0600];
  const lb = [1.0811, 1.0902, 1.0421, 1.1123, 1.0530, 1.0702];
  const lossRuns = [
    ...la.map((v, i) => run("focal2", i + 1, true, { testLoss: [v] })),
    ...lb.map((v, i) => run("ce", i + 1, true, { testLoss: [v] })),
  ];
  const loss = experimentStats(cells, lossRuns, {
    point: { kind: "final" },
    metric: "testLoss",
    metrics: METRICS,
  });
  assertEquals(
    loss.comparisons[0].verdict,
    "focal γ=2 − ce: −0.02150 test loss, 95% CI [−0.04238, −0.0006203], p(Holm) = 0.0456, n = 6: " +
      "significant at 0.05 (focal γ=2 better) [family: losses within the experiment, 1 comparison, Holm]",
  );
  assertJsonSafe(loss);
});

Deno.test("stats experiment: Holm runs over every pair, in cell order", () => {
  const cells = [...CELLS, { key: "l1", label: "l1" }];
  const vals: Record<string, number[]> = {
    ce: [0.50, 0.52, 0.49, 0.53, 0.51, 0.50],
    focal2: [0.52, 0.55, 0.50, 0.56, 0.52, 0.53],
    l1: [0.30, 0.35, 0.28, 0.33, 0.31, 0.36],
  };
  const runs = Object.entries(vals).flatMap(([k, vs]) =>
    vs.map((v, i) => run(k, i + 1, true, { testAcc: [v] }))
  );
  const s = experimentStats(cells, runs, {
    point: { kind: "final" },
    metric: "testAcc",
    metrics: METRICS,
  });
  assertEquals(s.comparisons.map((c) => [c.a, c.b]), [["ce", "focal2"], ["ce", "l1"], [
    "focal2",
    "l1",
  ]]);
  const raw = [["ce", "focal2"], ["ce", "l1"], ["focal2", "l1"]].map(([x, y]) =>
    compare({ values: vals[x], seeds: [1, 2, 3, 4, 5, 6] }, {
      values: vals[y],
      seeds: [1, 2, 3, 4, 5, 6],
    })
  );
  assertEquals(s.comparisons.map((c) => c.pTHolm), holm(raw.map((r) => r.pT)));
  assertEquals(s.comparisons.map((c) => c.pWilcoxonHolm), holm(raw.map((r) => r.pWilcoxon)));
  assert(s.comparisons.every((c) => c.pWilcoxon !== null), "6 pairs without ties: Wilcoxon runs");
  const l1 = s.comparisons[1];
  assert(l1.pTHolm! < 0.05 && l1.verdict.includes("significant at 0.05 (ce better)"), l1.verdict);
  assert(l1.verdict.includes(`p(Holm) ${formatP(l1.pTHolm!)}`), l1.verdict);
  assert(
    l1.verdict.startsWith(`ce − l1: +${formatValue(l1.diff!, "testAcc", false)} points`),
    l1.verdict,
  );
  assertJsonSafe(s);
});

Deno.test("stats experiment: n = 1, identical seeds, diverged runs and empty cells stay JSON-safe", () => {
  const cells = [...CELLS, { key: "l1", label: "l1" }, { key: "l2", label: "l2" }];
  const runs = [
    ...[0.5, 0.25, 0.75].map((v, i) => run("ce", i + 1, true, { testAcc: [v], testLoss: [1] })),
    ...[0.5, 0.25, 0.75].map((v, i) =>
      run("focal2", i + 1, true, { testAcc: [v], testLoss: [NaN] })
    ),
    run("l1", 9, true, { testAcc: [0.1], testLoss: [Infinity] }),
    run("l2", 1, false, { testAcc: [0.2] }),
  ];
  const s = experimentStats(cells, runs, {
    point: { kind: "final" },
    metric: "testAcc",
    metrics: METRICS,
  });
  assertJsonSafe(s);
  const byPair = new Map(s.comparisons.map((c) => [`${c.a}/${c.b}`, c]));
  const same = byPair.get("ce/focal2")!;
  assertEquals([same.diff, same.pT, same.pTHolm], [0, null, null]);
  assertEquals(
    same.verdict,
    "ce − focal γ=2: 0.00 points test accuracy, n = 3: identical results on every seed " +
      "[family: losses within the experiment, 6 comparisons, Holm]",
  );
  const one = byPair.get("ce/l1")!;
  assertEquals([one.paired, one.nA, one.nB, one.pT], [false, 3, 1, null]);
  assert(one.verdict.includes("n = 3 + 1 (unpaired): n = 1 for l1: no test possible"), one.verdict);
  const empty = byPair.get("ce/l2")!;
  assertEquals([empty.diff, empty.nB], [null, 0]);
  assertEquals(
    empty.verdict,
    "ce − l2: test accuracy: no finished runs of l2 yet (1 run still training) " +
      "[family: losses within the experiment, 6 comparisons, Holm]",
  );
  assertEquals(s.cells[1].summary.testLoss.n, 0, "NaN losses are left out");
  assert(/non-finite/.test(s.cells[1].summary.testLoss.reason ?? ""), "and say so");
});
