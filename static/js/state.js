// @ts-check
// The page's one store: runs, their epochs and live progress, which runs the
// figures plot, the metric registry, the open experiment and every view's
// display choices. Every mutation of the runs calls the listener, which batches
// renders; the views keep only their DOM handles.
import { loadPrefs, savePrefs } from "./prefs.js";

const PLOTTED_KEY = "lossbench.plotted";

/**
 * A run as the API sends it (GET /api/runs, the SSE "status" event); the
 * service's schema is routes/contract/schemas.ts (RunView).
 * @typedef {Record<string, any> & {id: string, status: string, label: string,
 *   createdAt?: string, experimentId?: string, cellKey?: string, epochsDone?: number,
 *   config?: Record<string, any>, best?: Record<string, number>, last?: Epoch,
 *   epochs?: Epoch[], progress?: Record<string, any>}} Run
 */
/** One epoch's metrics (EpochMetrics). @typedef {Record<string, any> & {epoch: number, runId?: string}} Epoch */
/** An experiment with its runs and statistics (GET /api/experiments/:id). @typedef {Record<string, any> & {id: string}} Experiment */
/** @typedef {import("./metrics.js").MetricInfo} MetricInfo */

export const state = {
  /** id → run object, as the API sends it @type {Map<string, Run>} */
  runs: new Map(),
  /** id → Map(epoch number → epoch metrics) @type {Map<string, Map<number, Epoch>>} */
  epochs: new Map(),
  /** ids whose full epoch list has been fetched @type {Set<string>} */
  loaded: new Set(),
  /** id → latest progress event @type {Map<string, Record<string, any>>} */
  progress: new Map(),
  /** ids drawn in the figures, in the order they were added @type {Set<string>} */
  plotted: new Set(),
  /** @type {Record<string, any> | null} */
  health: null,
  connection: "connecting",
  /** name → the metric's entry in GET /api/metrics (js/metrics.js) @type {Map<string, MetricInfo>} */
  metrics: new Map(),
  /** The experiment view's data (js/exp-data.js). */
  experiment: {
    /** experiments, newest first (without their runs) @type {Experiment[]} */
    list: [],
    /** the open one @type {string | null} */
    id: null,
    /** the latest answer for `id` @type {Experiment | null} */
    data: null,
    /** why the chosen point could not be given ("" when it was) */
    statsError: "",
    /** the cell whose calibration and per-class results show */
    cell: 0,
    /** the verdict picked in the matrix @type {number | null} */
    verdict: null,
    /** a tuned experiment's comparison shown (null: its first) @type {"defaults" | "tuned" | null} */
    comparison: null,
  },
  /** The experiment view's display choices (remembered: js/experiment.js). */
  experimentView: {
    /** @type {"ci" | "sd" | "minmax"} */
    band: "ci",
    seeds: false,
    /** @type {"final" | "lastK" | "best"} */
    point: "final",
    k: 3,
    /** @type {"valAcc" | "valLoss"} */
    on: "valAcc",
    metric: "testAcc",
  },
  /** The runs view's figures: smoothing and log scale (remembered: js/charts.js). */
  figures: { smoothing: 0, logLoss: false },
  /** The runs table's filters, sort and columns (group and mode remembered: js/runs-table.js). */
  table: {
    search: "",
    data: "",
    loss: "",
    status: "",
    group: true,
    /** @type {"metrics" | "settings"} */
    mode: "metrics",
    sort: { key: "created", dir: -1 },
    /** experiment ids whose rows are folded @type {Set<string>} */
    collapsed: new Set(),
  },
};

/** @type {(what: string) => void} */
let listener = () => {};
/** @param {(what: string) => void} fn */
export function onChange(fn) {
  listener = fn;
}
/** @param {string} what */
export function changed(what) {
  listener(what);
}

const TERMINAL = new Set(["done", "failed", "cancelled", "interrupted", "pruned"]);

/** @param {Run} run */
export function upsertRun(run) {
  const prev = state.runs.get(run.id);
  // A snapshot fetched before a newer SSE event must not roll the status back.
  if (prev && TERMINAL.has(prev.status) && !TERMINAL.has(run.status)) return;
  state.runs.set(run.id, { ...prev, ...run });
  if (run.status !== "running") state.progress.delete(run.id);
  // The API includes the latest batch progress of a running run.
  else if (run.progress) {
    state.progress.set(run.id, { runId: run.id, ...run.progress });
  }
  if (Array.isArray(run.epochs)) setEpochs(run.id, run.epochs);
  changed("runs");
}

/** @param {string} id @param {Epoch[]} list */
export function setEpochs(id, list) {
  const m = state.epochs.get(id) ?? new Map();
  for (const e of list) m.set(e.epoch, e);
  state.epochs.set(id, m);
  state.loaded.add(id);
  changed("epochs");
}

/** @param {Epoch & {runId: string}} e */
export function addEpoch(e) {
  const m = state.epochs.get(e.runId) ?? new Map();
  m.set(e.epoch, e);
  state.epochs.set(e.runId, m);
  const run = state.runs.get(e.runId);
  if (run) {
    run.epochsDone = Math.max(run.epochsDone ?? 0, e.epoch);
    run.last = e;
    // Chosen on validation only, as the service does: never on the test set.
    if (Number.isFinite(e.valAcc) && (!run.best || e.valAcc > run.best.valAcc)) {
      run.best = { valAcc: e.valAcc, testAcc: e.testAcc, f1: e.f1, epoch: e.epoch };
    }
  }
  changed("epochs");
}

/** @param {Record<string, any> & {runId: string}} p */
export function setProgress(p) {
  state.progress.set(p.runId, p);
  changed("progress");
}

/** Replaces the run list with a fresh snapshot (after load or reconnect). */
/** @param {Run[]} runs */
export function replaceRuns(runs) {
  const ids = new Set(runs.map((r) => r.id));
  for (const id of [...state.runs.keys()]) if (!ids.has(id)) forget(id);
  for (const r of runs) {
    // The snapshot is authoritative after a reconnect: drop stale progress.
    state.progress.delete(r.id);
    upsertRun(r);
  }
  changed("runs");
}

/** @param {string} id */
export function forget(id) {
  state.runs.delete(id);
  state.epochs.delete(id);
  state.loaded.delete(id);
  state.progress.delete(id);
  if (state.plotted.delete(id)) savePlotted();
  changed("runs");
}

/** Runs, newest first. */
export function runList() {
  return [...state.runs.values()].sort((a, b) =>
    String(b.createdAt).localeCompare(String(a.createdAt))
  );
}

/** A run's epochs, oldest first. @param {string} id */
export function epochList(id) {
  return [...(state.epochs.get(id)?.values() ?? [])].sort((a, b) => a.epoch - b.epoch);
}

/** @param {Iterable<string>} ids @param {{replace?: boolean}} [opts] */
export function setPlotted(ids, { replace = false } = {}) {
  if (replace) state.plotted.clear();
  for (const id of ids) state.plotted.add(id);
  savePlotted();
  changed("plotted");
}

/** @param {Iterable<string>} ids */
export function unplot(ids) {
  for (const id of ids) state.plotted.delete(id);
  savePlotted();
  changed("plotted");
}

/** @param {string} id @param {boolean} on */
export function togglePlotted(id, on) {
  if (on) state.plotted.add(id);
  else state.plotted.delete(id);
  savePlotted();
  changed("plotted");
}

function savePlotted() {
  savePrefs(PLOTTED_KEY, [...state.plotted]);
}

/** The ids plotted when this browser last showed the page (null when none were saved). */
export function loadPlotted() {
  const { ids } = loadPrefs(PLOTTED_KEY, (v) => ({
    ids: Array.isArray(v) ? v.filter((x) => typeof x === "string") : undefined,
  }));
  return ids ?? null;
}

/** Plotted runs that still exist, in plotting order (which fixes their colours). */
export function plottedRuns() {
  return [...state.plotted].map((id) => state.runs.get(id)).filter((r) => r !== undefined);
}
