// @ts-check
// Entry point: wires the store to the views, loads the runs, and keeps them
// live over SSE (catching up by refetching after any outage).
import { api } from "./api.js";
import { mountBanner, renderBanner } from "./banner.js";
import { mountCharts, renderCharts } from "./charts.js";
import { mountConfusion, renderConfusion, showConfusion } from "./confusion.js";
import { $, ACTIVE } from "./format.js";
import { notice, renderHeader } from "./header.js";
import {
  loadList as loadExperiments,
  mountExperiment,
  onRunEvent as experimentEvent,
  open as openExperiment,
  openId as openExperimentId,
  refresh as refreshExperiment,
  render as renderExperiment,
} from "./experiment.js";
import { mountForm } from "./form.js";
import { loadMetrics } from "./metrics.js";
import { mountTabs, readHash, writeHash } from "./tabs.js";
import { connectLive } from "./live.js";
import { mountProgress, renderProgress } from "./progress.js";
import { mountRunsTable, renderRunsTable } from "./runs-table.js";
import { assignSlots } from "./series.js";
import {
  addEpoch,
  changed,
  forget,
  loadPlotted,
  onChange,
  replaceRuns,
  runList,
  setEpochs,
  setPlotted,
  setProgress,
  state,
  upsertRun,
} from "./state.js";

// --- rendering, batched to one pass per frame -----------------------------
/** @type {Set<string>} */
let pending = new Set();
let frame = 0;
onChange((what) => {
  pending.add(what);
  frame ||= requestAnimationFrame(flush);
});

function flush() {
  frame = 0;
  const p = pending;
  pending = new Set();
  const data = p.has("runs") || p.has("epochs") || p.has("plotted");
  if (data) {
    // Colours first: the table's swatches and the figures' lines share them.
    assignSlots(runList());
    renderBanner();
    renderRunsTable();
    renderCharts();
    renderConfusion();
  }
  // The experiment view's single-seed lines read the same epochs.
  if (p.has("epochs") && tab === "experiment") renderExperiment();
  if (data || p.has("progress")) renderProgress();
  if (p.has("connection") || p.has("health")) renderHeader((hl) => form.applyHealth(hl));
  // A run ticked for plotting needs its epochs (fetched once; no-op when loaded).
  if (p.has("plotted")) {
    for (const id of state.plotted) {
      if (state.runs.has(id)) ensureEpochs(id);
    }
  }
}

// --- loading ---------------------------------------------------------------
/** id → promise, so one run is fetched once at a time @type {Map<string, Promise<void>>} */
const loading = new Map();

/**
 * Fetches a run's epochs once (again with `force`).
 * @param {string} id @returns {Promise<void> | undefined}
 */
function ensureEpochs(id, force = false) {
  if (!force && (state.loaded.has(id) || loading.has(id))) return loading.get(id);
  const p = api.run(id)
    .then((run) => {
      upsertRun(run);
      setEpochs(id, run.epochs ?? []);
    })
    .catch((e) => {
      if (/** @type {import("./api.js").ApiError} */ (e).status === 404) forget(id);
    })
    .finally(() => loading.delete(id));
  loading.set(id, p);
  return p;
}

let firstLoad = true;
async function refresh() {
  const [runs, health] = await Promise.allSettled([api.runs(), api.health()]);
  if (health.status === "fulfilled") {
    state.health = health.value;
    changed("health");
  }
  if (runs.status !== "fulfilled") {
    notice(`Could not load runs: ${runs.reason?.message ?? runs.reason}`);
    return;
  }
  /** @type {import("./state.js").Run[]} */
  const list = runs.value?.runs ?? [];
  replaceRuns(list);
  if (firstLoad) {
    firstLoad = false;
    setPlotted(defaultPlotted(list));
  }
  // Epochs may have landed while we were away: refetch what is on screen.
  const ids = new Set(
    [...state.plotted, ...list.filter((r) => ACTIVE.has(r.status)).map((r) => r.id)],
  );
  for (const id of ids) if (state.runs.has(id)) ensureEpochs(id, true);
}

/**
 * The saved selection, else the newest experiment's runs, else the newest few.
 * @param {import("./state.js").Run[]} list
 */
function defaultPlotted(list) {
  const ids = new Set(list.map((r) => r.id));
  const saved = loadPlotted()?.filter((id) => ids.has(id));
  if (saved?.length) return saved;
  const newest = runList();
  const exp = newest.find((r) => r.experimentId)?.experimentId;
  if (exp) return newest.filter((r) => r.experimentId === exp).reverse().map((r) => r.id);
  return newest.slice(0, 4).reverse().map((r) => r.id);
}

/** An SSE event: its type and its JSON (a run, a progress line or an epoch). @param {string} type @param {any} data */
function onEvent(type, data) {
  if (type === "status" || type === "epoch") experimentEvent(type, data);
  if (type === "status") {
    if (data.status === "deleted") return forget(data.id);
    const isNew = !state.runs.has(data.id);
    upsertRun(data);
    // Single runs started elsewhere (curl, another tab) join the figures too;
    // an experiment's runs have the experiment view.
    if (isNew && !firstLoad && !data.experimentId) setPlotted([data.id]);
  } else if (type === "progress") {
    if (state.runs.has(data.runId)) setProgress(data);
  } else if (type === "epoch") {
    addEpoch(data);
  }
}

// --- actions ---------------------------------------------------------------
/** @param {string} what @param {{status?: number, message: string}} e */
function actionFailed(what, e) {
  if (e.status === 401) {
    // Same remedy as for starting work: the form's token field.
    $(".token-field").hidden = false;
    notice(`${what} needs the API token: enter it in the form, then try again.`);
  } else notice(`${what} failed: ${e.message}`);
}

/** @param {string} id */
async function cancelRun(id) {
  try {
    upsertRun(await api.cancel(id));
  } catch (e) {
    actionFailed("Cancel", /** @type {import("./api.js").ApiError} */ (e));
  }
}

/** @param {string} id */
async function removeRun(id) {
  if (!confirm("Delete this run and its recorded epochs?")) return;
  try {
    await api.remove(id);
    forget(id);
  } catch (e) {
    actionFailed("Delete", /** @type {import("./api.js").ApiError} */ (e));
  }
}

// --- start -----------------------------------------------------------------
// Every view names and formats metrics from the service's registry: load it first.
try {
  await loadMetrics();
} catch (e) {
  notice(`Could not load the metric registry: ${/** @type {Error} */ (e).message}`);
  throw e;
}
mountCharts($("#chart-grid"), {
  smoothing: $("#smoothing"),
  smoothingValue: $("#smoothing-value"),
  logLoss: $("#log-loss"),
  reset: $("#reset-zoom"),
});
mountConfusion($("#chart-grid"), { ensureEpochs });
mountProgress($("#active"), $("#progress-list"));
mountRunsTable($("#runs-table"), $("#runs-empty"), {
  cancel: cancelRun,
  remove: removeRun,
  confusion: showConfusion,
  ensureEpochs,
  openExperiment(id) {
    openExperiment(id);
    tabs.show("experiment");
  },
}, { toolbar: $("#runs-toolbar"), selection: $("#runs-selection"), diff: $("#runs-diff") });
const form = mountForm($("#run-form"), {
  onStarted({ runs, experiment }) {
    for (const r of runs) upsertRun(r);
    const ids = runs.map((r) => r.id);
    // An experiment replaces the figures' lines and opens in its view; a
    // single run joins the figures.
    setPlotted(ids, { replace: Boolean(experiment) });
    if (experiment) {
      openExperiment(experiment.id, experiment);
      tabs.show("experiment");
    }
    notice(
      experiment ? `Started the experiment (${ids.length} runs).` : "Started the run.",
    );
  },
});

// The loss, model and condition catalogs give the form its choices, parameters and bounds.
Promise.allSettled([api.losses(), api.models(), api.conditions()]).then(
  ([losses, models, conditions]) => {
    form.setCatalog({
      losses: losses.status === "fulfilled" ? losses.value?.losses : null,
      models: models.status === "fulfilled" ? models.value?.models : null,
      conditions: conditions.status === "fulfilled" ? conditions.value?.stages : null,
    });
  },
);

// --- the two views -------------------------------------------------------------
let tab = "runs";
mountExperiment({
  notice,
  ensureEpochs,
  actionFailed,
  onRuns(runs) {
    for (const r of runs) upsertRun(r);
  },
  onOpen(id) {
    if (tab === "experiment") writeHash("experiment", id);
  },
});
const tabs = mountTabs([
  { name: "runs", tab: $("#tab-runs"), panel: $("#view-runs") },
  { name: "experiment", tab: $("#tab-experiment"), panel: $("#view-experiment") },
], (name) => {
  tab = name;
  writeHash(name, name === "experiment" ? openExperimentId() : null);
  if (name === "experiment") renderExperiment();
});
{
  const start = readHash(location.hash);
  if (start.experiment) openExperiment(start.experiment);
  if (start.view === "experiment") tabs.show("experiment");
}
loadExperiments();

mountBanner($("#data-banner"), {
  onUseSynthetic() {
    form.useData("synthetic");
    notice("The form now uses the synthetic data set: start the comparison again.");
  },
});

connectLive({
  onEvent,
  onReconnect: () => {
    refresh();
    loadExperiments();
    refreshExperiment({ now: true });
  },
  onConnection(s) {
    state.connection = s;
    changed("connection");
  },
});
refresh();
// The header's busy/queue counts: cheap to poll, and only while visible.
setInterval(() => {
  if (document.visibilityState !== "visible" || state.connection !== "live") return;
  api.health().then((hl) => {
    state.health = hl;
    changed("health");
  }, () => {});
}, 5000);
