// Export of the ticked runs as one CSV, built in the page from the runs'
// epochs (GET /api/runs/:id): one row per run and epoch, each row carrying
// the run's id, label and settings, so the file stands on its own.
import { runLabel, SETTINGS } from "./format.js";

/** The report's columns first, as in GET /api/runs/:id/results.csv. */
const EPOCH_COLUMNS = [
  ["epoch", "epoch"],
  ["trainLoss", "train_loss"],
  ["trainAcc", "train_acc"],
  ["testLoss", "test_loss"],
  ["testAcc", "test_acc"],
  ["f1", "f1"],
  ["lr", "lr"],
  ["epochSeconds", "epoch_seconds"],
  ["trainImgPerSec", "train_img_per_s"],
];

const snake = (k) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** One CSV field: quoted when it holds a comma, quote or line break (RFC 4180). */
export function csvField(v) {
  if (v === undefined || v === null) return "";
  const s = typeof v === "number" ? (Number.isFinite(v) ? String(v) : "") : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * runs: run objects; epochsOf(id): that run's epochs, oldest first.
 * Scalar metrics beyond the report's (balancedAcc, ece, …) follow as extra
 * columns, in the order they first appear; arrays (confusion) are left out.
 */
export function runsCsv(runs, epochsOf) {
  const known = new Set(["runId", ...EPOCH_COLUMNS.map(([k]) => k)]);
  const extra = [];
  for (const run of runs) {
    for (const e of epochsOf(run.id)) {
      for (const [k, v] of Object.entries(e)) {
        if (typeof v === "number" && !known.has(k)) {
          known.add(k);
          extra.push([k, snake(k)]);
        }
      }
    }
  }
  const metrics = [...EPOCH_COLUMNS, ...extra];
  const header = [
    "run_id",
    "label",
    "experiment_id",
    "status",
    ...SETTINGS.map((s) => `config_${snake(s.key)}`),
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
