// The metric registry (ml/metrics/registry.ts) drives the epoch record's schema,
// the CSV, the statistics' metrics and their wording: each follows the list.
import { CSV_COLUMNS, REPORT_COLUMNS } from "../ml/csv.ts";
import { confusionMatrix } from "../ml/metrics/confusion.ts";
import type { EpochEvidence, SplitEval } from "../ml/metrics/plugin.ts";
import {
  describeMetrics,
  METRICS,
  metricsOf,
  metricValues,
  STAT_METRICS,
} from "../ml/metrics/registry.ts";
import { jsonReal, recordSchemas, stored } from "../ml/records.ts";
import { isFraction, metricDirection, metricName } from "../stats/metric_info.ts";
import { verdict } from "../stats/verdict.ts";
import { assert, assertEquals } from "./util/assert.ts";

const FIXED = ["epoch", "reliability", "perClass", "confusion", "lr", "epochSeconds"];

Deno.test("registry: names and CSV columns are unique; the record has a field per metric", () => {
  const names = METRICS.map((m) => m.name);
  assertEquals(new Set(names).size, names.length);
  assertEquals(new Set(METRICS.map((m) => m.csv)).size, names.length);
  for (const schema of [stored.epochMetrics, recordSchemas(jsonReal).epochMetrics]) {
    const keys = Object.keys(schema.shape);
    for (const n of [...names, ...FIXED]) assert(keys.includes(n), `record lacks ${n}`);
    // Optional metrics may be absent; the others are required.
    for (const m of METRICS) {
      assertEquals(schema.shape[m.name].safeParse(undefined).success, !!m.optional, m.name);
    }
  }
  // Stored records keep NaN (a diverged loss); JSON has null there instead.
  assert(stored.epochMetrics.shape.testLoss.safeParse(NaN).success);
  assert(!stored.epochMetrics.shape.testLoss.safeParse(null).success);
  assert(recordSchemas(jsonReal).epochMetrics.shape.testLoss.safeParse(null).success);
});

Deno.test("registry: the CSV is the report's columns, then every other metric in order", () => {
  assertEquals(
    REPORT_COLUMNS,
    ["epoch", ...METRICS.filter((m) => m.report).map((m) => m.csv)].concat(
      "lr",
      "epoch_seconds",
      "train_img_per_s",
    ),
  );
  assertEquals(
    CSV_COLUMNS.slice(REPORT_COLUMNS.length),
    METRICS.filter((m) => !m.report).map((m) => m.csv),
  );
  assertEquals(CSV_COLUMNS.slice(-2), ["nll", "brier"]);
});

Deno.test("registry: the statistics' metrics and wording come from it", () => {
  assertEquals(STAT_METRICS, METRICS.filter((m) => m.stats).map((m) => m.name));
  assertEquals(metricName("nll"), "test NLL");
  assertEquals(metricName("ece"), "ECE");
  assertEquals(metricDirection("brier"), "lower");
  assertEquals(metricDirection("trainAccNoisy"), "lower"); // fitting flipped labels is memorising
  assertEquals(metricDirection("worstClassAcc"), "higher");
  assertEquals(metricDirection("nope"), undefined);
  assert(isFraction("valF1") && !isFraction("nll") && !isFraction("ece"));
  const v = verdict({
    labelA: "ce",
    labelB: "focal γ=2",
    metric: "brier",
    stats: {
      paired: true,
      n: 5,
      nA: 5,
      nB: 5,
      diff: -0.02,
      ci95: [-0.03, -0.01],
      pT: 0.001,
      pWilcoxon: null,
      pImprove: 0,
      se: 0.0036,
      df: 4,
      sdDiff: 0.008,
      divergedA: 0,
      divergedB: 0,
    },
    pHolm: 0.004,
  });
  assert(v.includes("Brier score") && v.endsWith("(ce better)"), v);
  assertEquals(
    describeMetrics().find((m) => m.name === "testAcc"),
    {
      name: "testAcc",
      title: "test accuracy",
      unit: "fraction",
      direction: "higher",
      stats: true,
      csv: "test_acc",
    },
  );
});

Deno.test("registry: an epoch's values; a metric the epoch lacks is left out, not 0", () => {
  const split = (pred: number[], labels: number[], loss: number): SplitEval => ({
    loss,
    confusion: confusionMatrix(pred, labels, 2),
    ece: 0.1,
    reliability: { count: [], confidence: [], accuracy: [] },
    predicted: { nll: 0.7, brier: 0.5 },
  });
  const e: EpochEvidence = {
    train: { loss: 1.5, acc: 0.25 },
    test: split([0, 1, 1, 1], [0, 1, 0, 1], 0.9),
    val: null,
  };
  const v = metricValues(e);
  assertEquals(v.testAcc, 0.75);
  assertEquals(v.testLoss, 0.9);
  assertEquals(v.nll, 0.7);
  assertEquals(v.worstClassAcc, 0.5);
  for (const k of ["valAcc", "valLoss", "valF1", "trainAccClean", "trainAccNoisy"]) {
    assert(!(k in v), k);
  }
  const withVal = metricValues({
    ...e,
    val: split([1, 1], [1, 0], 2),
    train: { ...e.train, accClean: 0.3, accNoisy: 0.1 },
  });
  assertEquals([withVal.valAcc, withVal.valLoss, withVal.trainAccNoisy], [0.5, 2, 0.1]);
  const rec = metricsOf({ ...v, epoch: 3 });
  assertEquals(rec.epoch, 3);
  assertEquals(rec.testAcc, 0.75);
  assert(!("valAcc" in rec) || rec.valAcc === undefined);
});
