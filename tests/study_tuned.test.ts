// The study page's tuned setting (tools/study/tuned.ts, tuned_findings.ts) from a canned answer
// of the service: three losses on three seeds, at the shared defaults and at tuned settings.
// The side-by-side rows (which verdicts tuning changed), the names at tuned settings, the
// chosen table's tie rule, the per-loss gain (tuned − defaults paired by seed, Holm; reference
// p-values from SciPy's ttest_1samp on the differences, Holm by hand), and the findings.
import {
  bothRows,
  cellNames,
  chosenTable,
  type TunedData,
  tuningGain,
} from "../tools/study/tuned.ts";
import { chanceStatus, failAnswer, tunedFindings } from "../tools/study/tuned_findings.ts";
import { rangeText } from "../tools/study/tuned_section.ts";
import { assert, assertAlmostEquals, assertEquals } from "./util/assert.ts";

const CELLS = [
  { key: "k-ce", loss: "ce", params: {}, label: "ce · sym noise 40%" },
  { key: "k-mae", loss: "mae", params: {}, label: "mae · sym noise 40%" },
  {
    key: "k-nce",
    loss: "nce_rce",
    params: { alpha: 1, beta: 1 },
    label: "nce_rce α=1 β=1 · sym noise 40%",
  },
];
/** Final test accuracy per seed 1..3: [tuned, defaults]. */
const ACC: Record<string, [number[], number[]]> = {
  "k-ce": [[0.5, 0.62, 0.7], [0.4, 0.45, 0.5]],
  "k-mae": [[0.12, 0.1, 0.11], [0.1, 0.11, 0.09]],
  "k-nce": [[0.3, 0.35, 0.28], [0.1, 0.12, 0.11]],
};
const classes = Array.from({ length: 10 }, (_, k) => `class${k}`);
const runs = CELLS.flatMap((c) =>
  [0, 1, 2].flatMap((i) => [
    {
      cellKey: c.key,
      status: "done",
      classes,
      config: { seed: i + 1 },
      tune: { role: "confirm", trial: 0 },
      last: { testAcc: ACC[c.key][0][i] },
    },
    {
      cellKey: c.key,
      status: "done",
      classes,
      config: { seed: i + 1 },
      last: { testAcc: ACC[c.key][1][i] },
    },
  ])
).concat([{
  // A trial: in neither comparison.
  cellKey: "k-ce",
  status: "pruned",
  classes,
  config: { seed: 101 },
  tune: { role: "trial", trial: 0 },
  last: { testAcc: 0.99 },
} as never]);

const summary = (mean: number, ci: [number, number]) => ({
  testAcc: { n: 3, mean, sd: 0.01, ci95: ci },
});
const pair = (a: string, b: string, diff: number, pTHolm: number, outcome: string) => ({
  a,
  b,
  labelA: CELLS.find((c) => c.key === a)!.label,
  labelB: CELLS.find((c) => c.key === b)!.label,
  diff,
  ci95: [diff - 0.05, diff + 0.05],
  ciFamily: { level: 0.98, ci: [diff - 0.08, diff + 0.08] },
  pTHolm,
  pTostHolm: 1,
  outcome,
  n: 3,
  mde: 0.2,
  seedsNeeded: 40,
  familySize: 3,
});

const DATA: TunedData = {
  exp: {
    cells: CELLS,
    seeds: [1, 2, 3],
    settings: { lr: 0.01, valFraction: 0.1, epochs: 4 },
    tune: {
      space: {
        lr: { logUniform: [0.001, 0.3] },
        "params.alpha": { logUniform: [0.01, 10] },
        "params.beta": { logUniform: [0.1, 10] },
      },
      trials: 3,
      sampler: "sobol",
    },
    runs,
  },
  tuned: {
    cells: [
      { key: "k-ce", summary: summary(0.6067, [0.35, 0.86]) },
      { key: "k-mae", summary: summary(0.11, [0.085, 0.135]) },
      { key: "k-nce", summary: summary(0.31, [0.22, 0.4]) },
    ],
    comparisons: [
      pair("k-ce", "k-mae", 0.4967, 0.01, "A better"),
      pair("k-ce", "k-nce", 0.2967, 0.09, "inconclusive"),
      pair("k-mae", "k-nce", -0.2, 0.02, "B better"),
    ],
  },
  defaults: {
    cells: [
      { key: "k-ce", summary: summary(0.45, [0.33, 0.57]) },
      { key: "k-mae", summary: summary(0.1, [0.075, 0.125]) },
      { key: "k-nce", summary: summary(0.11, [0.085, 0.135]) },
    ],
    comparisons: [
      pair("k-ce", "k-mae", 0.35, 0.001, "A better"),
      pair("k-ce", "k-nce", 0.34, 0.002, "A better"),
      pair("k-mae", "k-nce", -0.01, 0.5, "inconclusive"),
    ],
  },
  tuning: {
    metric: "valAcc",
    point: "best",
    direction: "higher",
    seeds: [101],
    cells: [
      {
        key: "k-ce",
        // As the service labels a tuned cell: less its searched parameters.
        label: "ce · sym noise 40%",
        chosen: { trial: 1, values: { lr: 0.05 }, value: 0.5 },
        trials: [
          { trial: 0, values: { lr: 0.002 }, value: 0.3, status: "pruned" },
          { trial: 1, values: { lr: 0.05 }, value: 0.5, status: "done" },
          { trial: 2, values: { lr: 0.2 }, value: 0.5, status: "done" },
        ],
        expectedBest: [{ n: 1, mean: 0.4 }, { n: 2, mean: 0.45 }, { n: 3, mean: 0.5 }],
      },
      {
        key: "k-mae",
        label: "mae · sym noise 40%",
        chosen: { trial: 2, values: { lr: 0.2 }, value: 0.12 },
        trials: [
          { trial: 0, values: { lr: 0.002 }, value: 0.1, status: "pruned" },
          { trial: 1, values: { lr: 0.05 }, value: 0.11, status: "done" },
          { trial: 2, values: { lr: 0.2 }, value: 0.12, status: "done" },
        ],
        expectedBest: [{ n: 1, mean: 0.1 }, { n: 2, mean: 0.11 }, { n: 3, mean: 0.112 }],
      },
      {
        key: "k-nce",
        label: "nce_rce · sym noise 40%",
        chosen: {
          trial: 0,
          values: { lr: 0.002, "params.alpha": 4.2, "params.beta": 0.31 },
          value: 0.46,
        },
        trials: [
          {
            trial: 0,
            values: { lr: 0.002, "params.alpha": 4.2, "params.beta": 0.31 },
            value: 0.46,
            status: "done",
          },
          {
            trial: 1,
            values: { lr: 0.05, "params.alpha": 0.1, "params.beta": 2 },
            value: 0.4,
            status: "done",
          },
          {
            trial: 2,
            values: { lr: 0.2, "params.alpha": 1, "params.beta": 1 },
            value: null,
            status: "failed",
          },
        ],
        expectedBest: [{ n: 1, mean: 0.42 }, { n: 2, mean: 0.44 }, { n: 3, mean: 0.46 }],
      },
    ],
  },
};

Deno.test("study tuned: names are the tuning view's cell labels, condition left out", () => {
  assertEquals([...cellNames(DATA).values()], ["ce", "mae", "nce_rce"]);
  const focal = structuredClone(DATA);
  focal.tuning.cells[0].label = "focal γ=2 · sym noise 40%";
  assertEquals(cellNames(focal).get("k-ce"), "focal γ=2");
});

Deno.test("study tuned: side-by-side verdicts and where tuning changed them", () => {
  const rows = bothRows(DATA);
  assertEquals(rows.map((r) => r.pair), ["ce − mae", "ce − nce_rce", "mae − nce_rce"]);
  assertEquals(rows.map((r) => r.changed), [false, true, true]);
  assertEquals(rows.map((r) => [r.defaultsText, r.tunedText]), [
    ["ce better", "ce better"],
    ["ce better", "inconclusive"],
    ["inconclusive", "nce_rce better"],
  ]);
  assertEquals(rows[1].tunedCell, "inconclusive (p = 0.090)");
  // Without the defaults' comparison, nothing can have changed.
  assertEquals(bothRows({ ...DATA, defaults: null }).map((r) => r.changed), [null, null, null]);
});

Deno.test("study tuned: the chosen table states the tie rule and names a tie", () => {
  const md = chosenTable(DATA).join("\n");
  assert(md.includes("| ce | 1 | 0.05 | – | 50.00% | 2 / 1 / 0 |"), md);
  assert(
    md.includes("| nce_rce | 0 | 0.002 | α = 4.2 (1), β = 0.31 (1) | 46.00% | 2 / 0 / 1 |"),
    md,
  );
  assert(md.includes("**ties go to the lower trial index**"), md);
  assert(md.includes("Ties here: ce: trials 1, 2 tied at 50.00%, so trial 1 was chosen."), md);
});

Deno.test("study tuned: tuning's gain per loss, paired by seed, Holm (SciPy reference)", () => {
  // scipy.stats.ttest_1samp(tuned − defaults, 0).pvalue: 0.033951948, 0.42264973, 0.0074166660;
  // Holm over 3: 0.0074166660·3, 0.033951948·2, 0.42264973.
  const g = tuningGain(DATA);
  assertEquals(g.map((x) => x.n), [3, 3, 3]);
  assertAlmostEquals(g[0].diff!, 0.15666666666666665, 1e-12);
  assertAlmostEquals(g[0].pHolm!, 2 * 0.033951948300808395, 1e-9);
  assertAlmostEquals(g[1].pHolm!, 0.42264973081037416, 1e-9);
  assertAlmostEquals(g[2].pHolm!, 3 * 0.007416666029069719, 1e-9);
});

Deno.test("study tuned: near chance, in words, whatever the answer", () => {
  assertEquals(chanceStatus({ mean: 0.11, ci95: [0.085, 0.135] }, 0.1).fails, true);
  assertEquals(
    chanceStatus({ mean: 0.17, ci95: [0.15, 0.19] }, 0.1).words,
    "17.0% (95% CI [15.0%, 19.0%]): near chance, 7.0 points above 10.0%",
  );
  assertEquals(chanceStatus({ mean: 0.31, ci95: [0.22, 0.4] }, 0.1).fails, false);
  assertEquals(chanceStatus(null, 0.1).fails, null);
  assertEquals(rangeText({ logUniform: [0.001, 0.3] }), "log-uniform on [0.001, 0.3]");
  assertEquals(rangeText({ choice: [0, 0.0005] }), "one of 0, 0.0005");
});

Deno.test("study tuned: findings from the statistics", () => {
  const f = tunedFindings(DATA);
  const find = (start: string) => f.find((l) => l.startsWith(start)) ?? "";
  assertEquals(
    find("**Tuning changed"),
    "**Tuning changed 2 of 3 verdicts:** ce − nce_rce (ce better → inconclusive); " +
      "mae − nce_rce (inconclusive → nce_rce better).",
  );
  const claim = find("**The literature's claim");
  assert(
    claim.includes("is refuted for mae and is untested at this n for nce_rce at this scale"),
    claim,
  );
  assert(claim.includes("At the shared defaults it is refuted for mae, nce_rce."), claim);
  const fail = find("**Do mae and nce_rce still fail");
  assert(
    fail.includes(
      "mae: **yes, it still fails**. At its own best settings (lr 0.2) it reaches 11.0%",
    ),
    fail,
  );
  assert(fail.includes("not distinguishable from chance (10.0%)"), fail);
  assert(
    fail.includes(
      "nce_rce: **no, it no longer fails**. At its own best settings (lr 0.002, α = 4.2, β = 0.31) it reaches 31.0% (95% CI [22.0%, 40.0%]): 21.0 points above chance (10.0%)",
    ),
    fail,
  );
  const gain = find("**What tuning changed per loss**");
  assert(gain.includes("ce +15.67 points (p(Holm) = 0.068)"), gain);
  const budget = find("**Budget**");
  assert(
    budget.includes("Still rising by more than 0.5 points at the last trial: ce, nce_rce"),
    budget,
  );
  assert(budget.includes("nce_rce from n = 1 to 1, ce from n = 2."), budget);
});

Deno.test("study tuned: a loss that never failed is not said to have recovered", () => {
  assertEquals(failAnswer(true, true), "**yes, it still fails**");
  assertEquals(failAnswer(true, null), "**yes, it still fails**");
  assert(failAnswer(true, false).includes("though not at the shared defaults"));
  assertEquals(failAnswer(false, true), "**no, it no longer fails**");
  assert(failAnswer(false, false).includes("nor at the shared defaults"));
  assertEquals(failAnswer(false, null), "**no, it does not fail**");
  assertEquals(failAnswer(null, true), "not measured yet");
});
