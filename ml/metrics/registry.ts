// The one list of metrics, in CSV order (the report's five first, as the report
// had them). A new metric is one file beside this one and one line here: the
// epoch record's schema (ml/records.ts), the trainer, the CSV, the statistics,
// the CLI summary and GET /api/metrics read this list.
import { balancedAcc } from "./balanced_acc.ts";
import { brier } from "./brier.ts";
import { ece } from "./ece.ts";
import { f1 } from "./f1.ts";
import { nll } from "./nll.ts";
import type { EpochEvidence, MetricPlugin, PredictionAccumulator } from "./plugin.ts";
import { testAcc } from "./test_acc.ts";
import { testLoss } from "./test_loss.ts";
import { trainAcc } from "./train_acc.ts";
import { trainAccClean } from "./train_acc_clean.ts";
import { trainAccNoisy } from "./train_acc_noisy.ts";
import { trainLoss } from "./train_loss.ts";
import { valAcc } from "./val_acc.ts";
import { valF1 } from "./val_f1.ts";
import { valLoss } from "./val_loss.ts";
import { worstClassAcc } from "./worst_class_acc.ts";

export const METRICS = [
  trainLoss,
  trainAcc,
  testLoss,
  testAcc,
  f1,
  balancedAcc,
  worstClassAcc,
  ece,
  valLoss,
  valAcc,
  valF1,
  trainAccClean,
  trainAccNoisy,
  nll,
  brier,
] as const;

export type Metric = typeof METRICS[number];
export type MetricName = Metric["name"];

const all: readonly MetricPlugin[] = METRICS;
const byName = new Map(all.map((m) => [m.name, m]));
if (byName.size !== all.length) throw new Error("metrics: two plug-ins share a name");
if (new Set(all.map((m) => m.csv)).size !== all.length) {
  throw new Error("metrics: two plug-ins share a CSV column");
}

/** The metric called `name`, or undefined. */
export const findMetric = (name: string): MetricPlugin | undefined => byName.get(name);

/** The metrics experiment statistics summarize and compare, in registry order. */
export const STAT_METRICS = all.filter((m) => m.stats).map((m) => m.name) as [
  MetricName,
  ...MetricName[],
];

/** Each metric's value for one epoch; metrics an epoch does not have are left out. */
export type MetricValues =
  & { [M in Metric as M extends { optional?: true } ? never : M["name"]]: number }
  & { [M in Metric as M extends { optional?: true } ? M["name"] : never]?: number };

/** Fresh accumulators for the metrics computed from the test split's predictions. */
export function predictionAccumulators(classes: number): Map<string, PredictionAccumulator> {
  return new Map(
    all.flatMap((m) => (m.predictions ? [[m.name, m.predictions(classes)] as const] : [])),
  );
}

/** Every metric's value from what the epoch measured. */
export function metricValues(e: EpochEvidence): MetricValues {
  const out: Record<string, number> = {};
  for (const m of all) {
    const v = m.predictions ? e.test?.predicted[m.name] : m.value(e);
    if (v !== undefined) out[m.name] = v;
  }
  return out as MetricValues;
}

/** An epoch record's metric values by name, with its epoch: what the statistics read. */
export function metricsOf(e: MetricValues & { epoch: number }): Record<string, number | undefined> {
  const out: Record<string, number | undefined> = { epoch: e.epoch };
  for (const m of METRICS) out[m.name] = e[m.name];
  return out;
}

/** What GET /api/metrics serves: how to read each metric, for the browser and clients. */
export function describeMetrics() {
  return all.map(({ name, title, unit, direction, stats, csv }) => ({
    name,
    title,
    unit,
    direction,
    stats,
    csv,
  }));
}
