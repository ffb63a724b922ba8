// The end-of-run summary (stderr): what ran, the best and the final epoch,
// the time it took, the model's size and what the condition did.
import { specLabel } from "../conditions/registry.ts";
import { METRICS } from "../metrics/registry.ts";
import type { ConditionRecord, EpochMetrics, TrainConfig } from "../types.ts";
import { formatDuration } from "./progress.ts";

export interface RunSummary {
  config: TrainConfig;
  /** "gce q=0.7". */
  lossLabel: string;
  epochs: EpochMetrics[];
  /** What the condition and validation split did; null before training started. */
  record: ConditionRecord | null;
  classes: string[];
  /** Trainable parameters; null when unknown. */
  params: number | null;
  /** Whole run, and the part spent loading data. */
  seconds: number;
  dataSeconds: number;
  interrupted?: boolean;
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

/** The epoch with the highest `key` (the earliest on a tie), if any epoch has it. */
export function bestEpoch(
  epochs: EpochMetrics[],
  key: "valAcc",
): EpochMetrics | undefined {
  let best: EpochMetrics | undefined;
  for (const m of epochs) {
    const v = m[key];
    if (v !== undefined && Number.isFinite(v) && (best === undefined || v > best[key]!)) best = m;
  }
  return best;
}

/** Off-diagonal flips, largest first: "cat→dog 12, dog→cat 9, +3 more". */
export function describeFlips(flips: number[][], classes: string[], max = 4): string {
  const pairs: [number, string][] = [];
  flips.forEach((row, t) =>
    row.forEach((n, g) => {
      if (t !== g && n > 0) pairs.push([n, `${classes[t] ?? t}→${classes[g] ?? g} ${n}`]);
    })
  );
  pairs.sort((a, b) => b[0] - a[0]);
  const shown = pairs.slice(0, max).map((p) => p[1]).join(", ");
  return pairs.length > max ? `${shown}, +${pairs.length - max} more` : shown;
}

export function renderSummary(s: RunSummary): string {
  const { config, epochs, record } = s;
  const rows: [string, string][] = [];
  const done = epochs.length;
  const last = epochs[done - 1];
  const train = s.seconds - s.dataSeconds;
  const size = s.params === null ? "" : ` (${s.params.toLocaleString("en-US")} parameters)`;
  const head = `summary: ${s.lossLabel} on ${config.data}, model ${config.model}${size}; ` +
    `${done} of ${config.epochs} epochs${s.interrupted ? " (interrupted)" : ""} in ` +
    `${formatDuration(s.seconds)} (data ${formatDuration(s.dataSeconds)}, ` +
    `training ${formatDuration(train)})`;
  // The best epoch is chosen on validation only: picking it by test accuracy is test-set selection.
  const bestVal = bestEpoch(epochs, "valAcc");
  if (bestVal) {
    rows.push([
      "best on val",
      `${bestVal.epoch} by validation accuracy (${pct(bestVal.valAcc!)}; ` +
      `test ${pct(bestVal.testAcc ?? NaN)})`,
    ]);
  }
  if (last) {
    rows.push([`final (epoch ${last.epoch})`, testMetrics(last)]);
    if (last.trainAccClean !== undefined && last.trainAccNoisy !== undefined) {
      rows.push([
        "memorisation",
        `train acc on clean labels ${pct(last.trainAccClean)}, ` +
        `on flipped labels ${pct(last.trainAccNoisy)} (against the given labels)`,
      ]);
    }
  }
  const { labelNoise, imbalance } = config.condition;
  if (record && imbalance) {
    rows.push([
      "imbalance",
      `${specLabel("imbalance", imbalance)}: ${record.imbalanceCounts.join(" ")} ` +
      `per class (${sum(record.imbalanceCounts)} kept)`,
    ]);
  }
  if (record && labelNoise) {
    const n = sum(record.imbalanceCounts);
    rows.push([
      "label noise",
      `${specLabel("labelNoise", labelNoise)}: ${record.flipped} of ${n} train labels flipped`,
    ]);
    if (record.flipped > 0) rows.push(["flips", describeFlips(record.flips, s.classes)]);
  }
  if (record && (imbalance || labelNoise || record.valCount > 0)) {
    rows.push(["train counts", `${record.trainCounts.join(" ")} (by given label, as trained on)`]);
  }
  if (record && record.valCount > 0) {
    rows.push(["validation", `${record.valCount} images held out (${config.valFraction})`]);
  }
  const w = Math.max(0, ...rows.map((r) => r[0].length)) + 2;
  return [head, ...rows.map(([k, v]) => `  ${k.padEnd(w)}${v}`)].join("\n");
}

/** Every registered test-split metric the epoch has: "test accuracy 61.20%  ECE 0.0412  …". */
function testMetrics(m: EpochMetrics): string {
  return METRICS.filter((x) => x.split === "test" && m[x.name] !== undefined)
    .map((x) => `${x.title} ${x.unit === "fraction" ? pct(m[x.name]!) : m[x.name]!.toFixed(4)}`)
    .join("  ");
}

const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
