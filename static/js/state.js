// The page's one store: runs, their epochs and live progress, and which runs
// the figures plot. Every mutation calls the listener, which batches renders.

const PLOTTED_KEY = "lossbench.plotted";

export const state = {
  /** id → run object, as the API sends it */
  runs: new Map(),
  /** id → Map(epoch number → epoch metrics) */
  epochs: new Map(),
  /** ids whose full epoch list has been fetched */
  loaded: new Set(),
  /** id → latest progress event */
  progress: new Map(),
  /** ids drawn in the figures, in the order they were added */
  plotted: new Set(),
  health: null,
  connection: "connecting",
};

let listener = () => {};
export function onChange(fn) {
  listener = fn;
}
export function changed(what) {
  listener(what);
}

const TERMINAL = new Set(["done", "failed", "cancelled", "interrupted"]);

export function upsertRun(run) {
  const prev = state.runs.get(run.id);
  // A snapshot fetched before a newer SSE event must not roll the status back.
  if (prev && TERMINAL.has(prev.status) && !TERMINAL.has(run.status)) return;
  state.runs.set(run.id, { ...prev, ...run });
  if (run.status !== "running") state.progress.delete(run.id);
  // The API includes the latest batch progress of a running run.
  else if (run.progress) state.progress.set(run.id, { runId: run.id, ...run.progress });
  if (Array.isArray(run.epochs)) setEpochs(run.id, run.epochs);
  changed("runs");
}

export function setEpochs(id, list) {
  const m = state.epochs.get(id) ?? new Map();
  for (const e of list) m.set(e.epoch, e);
  state.epochs.set(id, m);
  state.loaded.add(id);
  changed("epochs");
}

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

export function setProgress(p) {
  state.progress.set(p.runId, p);
  changed("progress");
}

/** Replaces the run list with a fresh snapshot (after load or reconnect). */
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

export function epochList(id) {
  return [...(state.epochs.get(id)?.values() ?? [])].sort((a, b) => a.epoch - b.epoch);
}

export function setPlotted(ids, { replace = false } = {}) {
  if (replace) state.plotted.clear();
  for (const id of ids) state.plotted.add(id);
  savePlotted();
  changed("plotted");
}

export function unplot(ids) {
  for (const id of ids) state.plotted.delete(id);
  savePlotted();
  changed("plotted");
}

export function togglePlotted(id, on) {
  if (on) state.plotted.add(id);
  else state.plotted.delete(id);
  savePlotted();
  changed("plotted");
}

function savePlotted() {
  try {
    localStorage.setItem(PLOTTED_KEY, JSON.stringify([...state.plotted]));
  } catch {
    // Storage may be disabled (private mode): the selection just won't persist.
  }
}

export function loadPlotted() {
  try {
    const ids = JSON.parse(localStorage.getItem(PLOTTED_KEY) ?? "null");
    return Array.isArray(ids) ? ids : null;
  } catch {
    return null;
  }
}

/** Plotted runs that still exist, in plotting order (which fixes their colours). */
export function plottedRuns() {
  return [...state.plotted].map((id) => state.runs.get(id)).filter(Boolean);
}
