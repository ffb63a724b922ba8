// @ts-check
// Export of the ticked runs as one CSV, built in the page from the runs'
// epochs (GET /api/runs/:id): one row per run and epoch, each row carrying
// the run's id, label and settings, so the file stands on its own.
import { runLabel, SETTINGS } from "./format.js";
import { metric } from "./metrics.js";
import { state } from "./state.js";

/**
 * The report's columns first, as in GET /api/runs/:id/results.csv: an epoch
 * field, and its column name when it is no metric (a metric's is the registry's).
 * @type {[string, string?][]}
 */
const EPOCH_COLUMNS = [
  ["epoch", "epoch"],
  ["trainLoss"],
  ["trainAcc"],
  ["testLoss"],
  ["testAcc"],
  ["f1"],
  ["lr", "lr"],
  ["epochSeconds", "epoch_seconds"],
  ["trainImgPerSec", "train_img_per_s"],
];

/** "config_batch_size": the export's column of a setting. @param {string} k */
const configColumn = (k) => `config_${k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`;

/** One CSV field: quoted when it holds a comma, quote or line break (RFC 4180). */
/** @param {unknown} v */
export function csvField(v) {
  if (v === undefined || v === null) return "";
  const s = typeof v === "number" ? (Number.isFinite(v) ? String(v) : "") : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * runs: run objects; epochsOf(id): that run's epochs, oldest first. The
 * registry's other metrics (balancedAcc, ece, …) follow as extra columns, in
 * its order, those that some epoch has; arrays (confusion) are left out.
 * @param {import("./state.js").Run[]} runs
 * @param {(id: string) => Record<string, any>[]} epochsOf
 */
export function runsCsv(runs, epochsOf) {
  const known = new Set(EPOCH_COLUMNS.map(([k]) => k));
  const extra = [...state.metrics.keys()].filter((k) =>
    !known.has(k) && runs.some((r) => epochsOf(r.id).some((e) => typeof e[k] === "number"))
  );
  /** @type {[string, string][]} */
  const metrics = [...EPOCH_COLUMNS, ...extra.map((k) => [k])].map(([k, name]) => [
    k,
    name ?? metric(k).csv,
  ]);
  const header = [
    "run_id",
    "label",
    "experiment_id",
    "status",
    ...SETTINGS.map((s) => configColumn(s.key)),
    ...metrics.map(([, name]) => name),
  ];
  const lines = [header.join(",")];
  for (const run of runs) {
    const head = [
      run.id,
      runLabel(run),
      run.experimentId ?? "",
      run.status ?? "",
      ...SETTINGS.map((s) => (run.config ? s.get(run.config) : "")),
    ];
    const epochs = epochsOf(run.id);
    // A run without epochs still gets a row: the export lists every run asked for.
    for (const e of epochs.length ? epochs : [{}]) {
      lines.push([...head, ...metrics.map(([k]) => e[k])].map(csvField).join(","));
    }
  }
  return lines.join("\n") + "\n";
}

/** Offers `text` as a file download. */
/** @param {string} text @param {string} filename */
export function downloadText(text, filename, type = "text/csv") {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
