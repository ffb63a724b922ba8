// @ts-check
// The experiment view's data: the list of experiments, the open one and its
// statistics (GET /api/experiments/:id at the chosen point and metric),
// refetched at most once a second while its runs report. What it holds lives
// in state.experiment; the view is told to redraw through `hooks.changed`.
import { api } from "./api.js";
import { BANDS } from "./bands.js";
import { loadPrefs, savePrefs } from "./prefs.js";
import { state } from "./state.js";

/**
 * @typedef {object} DataHooks
 * @property {(text: string) => void} notice
 * @property {(id: string) => Promise<void> | undefined} ensureEpochs
 * @property {() => void} changed  the data changed: redraw
 * @property {(text: string) => void} failed  a load failed: say so above the view
 */

/** @type {DataHooks | null} */
let hooks = null;
const exp = state.experiment;
const view = state.experimentView;

const VIEW_KEY = "lossbench.experimentView";

/** @param {DataHooks} h */
export function mountData(h) {
  hooks = h;
  Object.assign(
    view,
    loadPrefs(VIEW_KEY, (v) => ({
      band: Object.hasOwn(BANDS, v.band) ? v.band : "ci",
      seeds: v.seeds === true,
      point: ["final", "lastK", "best"].includes(v.point) ? v.point : "final",
      k: Number.isInteger(v.k) && v.k >= 1 ? v.k : 3,
      on: v.on === "valLoss" ? "valLoss" : "valAcc",
      metric: typeof v.metric === "string" ? v.metric : "testAcc",
    })),
  );
}

/** Remembers the view's display choices in this browser. */
export function saveView() {
  savePrefs(VIEW_KEY, view);
}

/**
 * The statistics' query for the chosen point (and metric).
 * @param {"final" | "lastK" | "best"} [point]
 * @returns {Record<string, string | number>}
 */
export function query(point = view.point) {
  /** @type {Record<string, string | number>} */
  const q = { metric: view.metric, point };
  if (point === "lastK") q.k = view.k;
  if (point === "best") q.on = view.on;
  if (exp.comparison) q.comparison = exp.comparison;
  return q;
}

/** Reloads the list of experiments; opens the newest when none is open. */
export async function loadList() {
  try {
    const res = await api.experiments();
    exp.list = res?.experiments ?? [];
  } catch (e) {
    hooks?.notice(
      `Could not load the experiments: ${/** @type {Error} */ (e).message}`,
    );
    return;
  }
  if (exp.id && !exp.list.some((x) => x.id === exp.id)) {
    exp.id = null;
    exp.data = null;
  }
  if (!exp.id && exp.list.length) exp.id = exp.list[0].id;
  hooks?.changed();
  if (exp.id && exp.data?.id !== exp.id) refresh({ now: true });
}

/**
 * Opens an experiment (e.g. one just started: `started` is what the API answered).
 * @param {string} id
 * @param {import("./state.js").Experiment} [started]
 */
export function open(id, started) {
  if (started && !exp.list.some((x) => x.id === started.id)) {
    const { runs: _runs, ...entry } = started;
    exp.list.unshift(/** @type {import("./state.js").Experiment} */ (entry));
  }
  if (id !== exp.id) {
    exp.id = id;
    exp.data = started?.stats ? started : null;
    exp.statsError = "";
    exp.cell = 0;
    exp.comparison = null;
  }
  hooks?.changed();
  refresh({ now: true });
}

/** Drops an experiment from the list (deleted) and opens the newest left. @param {string} id */
export function dropFromList(id) {
  exp.list = exp.list.filter((x) => x.id !== id);
  if (exp.id === id) {
    exp.id = exp.list[0]?.id ?? null;
    exp.data = null;
  }
}

// --- fetching, throttled ------------------------------------------------------------
let inflight = false;
let again = false;
let timer = 0;
let lastFetch = 0;
/** The fetch in flight (or the last one), for `leave` to wait on. */
let current = Promise.resolve();
/** An experiment being deleted: never refetched (a GET racing its DELETE would 404). */
let leaving = /** @type {string | null} */ (null);

/**
 * Stops refetching `id`, which is about to be deleted, once the fetch in flight has answered.
 * @param {string} id
 */
export async function leave(id) {
  leaving = id;
  clearTimeout(timer);
  timer = 0;
  await current;
}

/** Undoes `leave` (the delete was refused). */
export function stay() {
  leaving = null;
}

/** Refetches the open experiment: at most once a second, or at once with {now}. */
export function refresh({ now = false } = {}) {
  if (!exp.id) return;
  if (inflight) {
    again = true;
    return;
  }
  if (now) {
    clearTimeout(timer);
    timer = 0;
    current = load();
    return;
  }
  if (timer) return;
  timer = setTimeout(() => current = load(), Math.max(0, lastFetch + 1000 - Date.now()));
}

async function load() {
  timer = 0;
  const id = exp.id;
  if (!id || id === leaving) return;
  inflight = true;
  lastFetch = Date.now();
  try {
    let answer;
    let err = "";
    try {
      answer = await api.experiment(id, query());
    } catch (e) {
      // A point the experiment can't give (best without a validation split):
      // say why, and keep the figures, which don't depend on the point.
      if (/** @type {any} */ (e).status !== 400 || view.point === "final") {
        throw e;
      }
      err = /** @type {Error} */ (e).message;
      answer = await api.experiment(id, query("final"));
    }
    if (id !== exp.id) return;
    exp.data = answer;
    exp.statsError = err;
    const entry = exp.list.find((x) => x.id === id);
    if (entry) {
      Object.assign(entry, { seeds: answer.seeds, runIds: answer.runIds });
    }
    if (view.seeds) loadSeedEpochs();
    hooks?.changed();
  } catch (e) {
    if (id !== exp.id) return;
    const { status, message } = /** @type {{status?: number, message: string}} */ (e);
    if (status === 404) {
      dropFromList(id);
      hooks?.changed();
      if (exp.id) again = true;
    } else if (status === 400 && message.startsWith("metric:")) {
      view.metric = "testAcc";
      saveView();
      again = true;
    } else {
      hooks?.failed(`Could not load the experiment: ${message}`);
    }
  } finally {
    inflight = false;
    if (again) {
      again = false;
      refresh();
    }
  }
}

/**
 * A run's event: refetch when it belongs to the open experiment; a new experiment joins the list.
 * @param {string} type  "status" or "epoch"
 * @param {Record<string, any>} d  the event's data
 */
export function onRunEvent(type, d) {
  if (!hooks) return;
  const runId = type === "epoch" ? d.runId : d.id;
  const expId = d.experimentId;
  if (expId && !exp.list.some((x) => x.id === expId)) loadListSoon();
  if (!exp.id) return;
  if (expId === exp.id || exp.data?.runIds?.includes(runId)) refresh();
}

let listTimer = 0;
function loadListSoon() {
  if (listTimer) return;
  listTimer = setTimeout(() => {
    listTimer = 0;
    loadList();
  }, 500);
}

/** Fetches the epochs of the open experiment's runs (for the single seeds' lines). */
export function loadSeedEpochs() {
  for (const r of exp.data?.runs ?? []) {
    if ((r.epochsDone ?? 0) > 0) {
      hooks?.ensureEpochs(r.id)?.then(() => hooks?.changed());
    }
  }
}
