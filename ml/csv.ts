// The study's CSV: the report's columns first, then lossbench's extras.
//
// Every file has the same header (CSV_COLUMNS), so runs with and without noise
// or a validation split concatenate and load alike; a metric a run does not have
// (val_* without a validation split, train_acc_* without label noise, or any of
// the study's columns in an epoch recorded before they existed) is an empty cell.
// Per-class arrays, the reliability bins and the confusion matrix stay out.
import type { EpochMetrics } from "./types.ts";

/** The report's columns, in its order. */
export const REPORT_COLUMNS = [
  "epoch",
  "train_loss",
  "train_acc",
  "test_loss",
  "test_acc",
  "f1",
  "lr",
  "epoch_seconds",
  "train_img_per_s",
] as const;

/** The study's columns, after the report's. */
export const STUDY_COLUMNS = [
  "balanced_acc",
  "worst_class_acc",
  "ece",
  "val_loss",
  "val_acc",
  "val_f1",
  "train_acc_clean",
  "train_acc_noisy",
] as const;

export const CSV_COLUMNS = [...REPORT_COLUMNS, ...STUDY_COLUMNS] as const;

/** 7 significant digits; an absent value is an empty cell (NaN stays "NaN": a diverged loss). */
const fmt = (x: number | undefined | null) =>
  x === undefined || x === null ? "" : String(Number(x.toPrecision(7)));

export function csvRow(m: EpochMetrics): string {
  return [
    m.epoch,
    m.trainLoss,
    m.trainAcc,
    m.testLoss,
    m.testAcc,
    m.f1,
    m.lr,
    m.epochSeconds,
    m.trainImgPerSec,
    m.balancedAcc,
    m.worstClassAcc,
    m.ece,
    m.valLoss,
    m.valAcc,
    m.valF1,
    m.trainAccClean,
    m.trainAccNoisy,
  ].map(fmt).join(",");
}

export function toCsv(epochs: EpochMetrics[]): string {
  return [CSV_COLUMNS.join(","), ...epochs.map(csvRow)].join("\n") + "\n";
}
