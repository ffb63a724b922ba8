// The study's CSV: the report's columns first, then lossbench's extras.
import type { EpochMetrics } from "./types.ts";

export const CSV_COLUMNS = [
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

const fmt = (x: number) => String(Number(x.toPrecision(7)));

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
  ].map(fmt).join(",");
}

export function toCsv(epochs: EpochMetrics[]): string {
  return [CSV_COLUMNS.join(","), ...epochs.map(csvRow)].join("\n") + "\n";
}
