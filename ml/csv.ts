// The study's CSV: the report's columns first, then lossbench's extras.
//
// Every file has the same header (CSV_COLUMNS), so runs with and without noise
// or a validation split concatenate and load alike; a metric a run does not have
// (val_* without a validation split, train_acc_* without label noise, or any of
// the study's columns in an epoch recorded before they existed) is an empty cell.
// The metric columns follow the registry (ml/metrics/registry.ts): a new metric
// is a new column at the end. Per-class arrays, the reliability bins and the
// confusion matrix stay out.
import { METRICS } from "./metrics/registry.ts";
import type { EpochMetrics } from "./types.ts";

type Column = { csv: string; get: (m: EpochMetrics) => number | undefined };

const metricColumns = (report: boolean): Column[] =>
  METRICS.filter((m) => !!m.report === report).map((m) => ({
    csv: m.csv,
    get: (e: EpochMetrics) => e[m.name],
  }));

/** The report's columns in its order: its metrics between the epoch and its bookkeeping. */
const REPORT: Column[] = [
  { csv: "epoch", get: (m) => m.epoch },
  ...metricColumns(true),
  { csv: "lr", get: (m) => m.lr },
  { csv: "epoch_seconds", get: (m) => m.epochSeconds },
  { csv: "train_img_per_s", get: (m) => m.trainImgPerSec },
];
const COLUMNS: Column[] = [...REPORT, ...metricColumns(false)];

/** The report's columns, in its order. */
export const REPORT_COLUMNS: readonly string[] = REPORT.map((c) => c.csv);
/** The study's columns, after the report's: the registry's other metrics. */
export const STUDY_COLUMNS: readonly string[] = metricColumns(false).map((c) => c.csv);
export const CSV_COLUMNS: readonly string[] = COLUMNS.map((c) => c.csv);

/**
 * 9 significant digits: enough to give back every float32 exactly (the metrics
 * are float32 sums and float64 ratios of them; 9 digits keep statistics
 * recomputed from an export equal to the API's to ~1e-9). An absent value is an
 * empty cell; NaN stays "NaN" (a diverged loss).
 */
export const formatNumber = (x: number | undefined | null): string =>
  x === undefined || x === null ? "" : String(Number(x.toPrecision(9)));

export function csvRow(m: EpochMetrics): string {
  return COLUMNS.map((c) => formatNumber(c.get(m))).join(",");
}

export function toCsv(epochs: EpochMetrics[]): string {
  return [CSV_COLUMNS.join(","), ...epochs.map(csvRow)].join("\n") + "\n";
}
