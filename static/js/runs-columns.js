// @ts-check
// The runs table's columns and order: results ("Metrics", titled and formatted
// by the metric registry) or hyperparameters ("Settings") between the fixed
// ones, and the filters and sort that pick and order the rows.
import { int, runLabel, SETTINGS } from "./format.js";
import { metricHeading, metricText, metricTitle } from "./metrics.js";
import { runList, state } from "./state.js";

/** @typedef {import("./state.js").Run} Run */
/**
 * @typedef {object} Column
 * @property {string} key
 * @property {string} label
 * @property {boolean} [num]
 * @property {(r: Run) => string | number | undefined} [sort]
 * @property {(r: Run) => string} [text]
 * @property {(r: Run) => string} [sub]
 * @property {(r: Run) => string} [title]
 */

const STATUS_ORDER = [
  "running",
  "queued",
  "paused",
  "failed",
  "interrupted",
  "cancelled",
  "pruned",
  "done",
];
const ui = state.table;

/** @param {unknown} x */
const num = (
  x,
) => (typeof x === "number" && Number.isFinite(x) ? x : undefined);

/** @type {Column} */
const PLOT_COL = { key: "plot", label: "Plot" };
/** @type {Column} */
const RUN_COL = {
  key: "run",
  label: "Run",
  sort: (r) => runLabel(r).toLowerCase(),
};
/** @type {Column} */
const STATUS_COL = {
  key: "status",
  label: "Status",
  sort: (r) => STATUS_ORDER.indexOf(r.status),
};
/** @type {Column} */
const ACTIONS_COL = { key: "actions", label: "Actions" };

/**
 * A column of the latest epoch's `metric` (the final one once done), headed by its title.
 * @param {string} metric @returns {Column}
 */
function finalCol(metric) {
  return {
    key: metric,
    label: metricHeading(metric),
    num: true,
    sort: (r) => num(r.last?.[metric]),
    text: (r) => metricText(metric, r.last?.[metric]),
  };
}

/** Built once the metric registry is loaded. @returns {Column[]} */
function metricCols() {
  return [
    {
      key: "epochs",
      label: "Epochs",
      num: true,
      sort: (r) => r.epochsDone ?? 0,
      text: (r) => `${int(r.epochsDone ?? 0)}${r.config?.epochs ? ` / ${r.config.epochs}` : ""}`,
    },
    {
      key: "best",
      // The epoch chosen on validation only, as the service chooses it: never on the test set.
      label: `${metricHeading("testAcc")} @ best val`,
      num: true,
      sort: (r) => num(r.best?.testAcc),
      text: (r) => (r.best ? metricText("testAcc", r.best.testAcc) : "–"),
      sub: (r) => (r.best ? ` ep ${r.best.epoch}` : ""),
      title: (r) =>
        r.best
          ? `${metricTitle("testAcc")} at epoch ${r.best.epoch}, the best on validation ` +
            `(${metricText("valAcc", r.best.valAcc)}); ${metricTitle("f1")} ` +
            metricText("f1", r.best.f1)
          : "no validation split: no best epoch (never chosen on the test set)",
    },
    { ...finalCol("testAcc"), key: "acc" },
    finalCol("f1"),
    finalCol("testLoss"),
  ];
}

/** @type {Column[]} */
const SETTING_COLS = SETTINGS.filter((s) => s.key !== "loss").map((s) => ({
  key: `cfg.${s.key}`,
  label: s.label,
  num: s.num,
  sort: (/** @type {Run} */ r) => {
    const v = r.config ? s.get(r.config) : "";
    return v === "" ? undefined : v;
  },
  text: (/** @type {Run} */ r) => {
    const v = r.config ? s.get(r.config) : "";
    return v === "" ? "–" : String(v);
  },
}));

/** Settings columns that some run has a value for (e.g. no "Condition" column without one). */
let usedSettings = new Set(SETTING_COLS.map((c) => c.key));
/** @type {Column[] | null} */
let METRIC_COLS = null;

/** The columns of the current mode, in order. @returns {Column[]} */
export function columns() {
  METRIC_COLS ??= metricCols();
  const middle = ui.mode === "settings"
    ? SETTING_COLS.filter((c) => usedSettings.has(c.key))
    : METRIC_COLS;
  return [PLOT_COL, RUN_COL, STATUS_COL, ...middle, ACTIONS_COL];
}

/** Recomputes usedSettings; true when the settings view's columns changed. @param {Run[]} all */
export function syncUsedSettings(all) {
  const used = new Set(
    SETTING_COLS.filter((c) => all.some((r) => c.sort?.(r) !== undefined)).map((
      c,
    ) => c.key),
  );
  const same = used.size === usedSettings.size &&
    [...used].every((k) => usedSettings.has(k));
  usedSettings = used;
  return !same && ui.mode === "settings";
}

/** Everything the text filter searches in. @param {Run} run */
function haystack(run) {
  return [
    runLabel(run),
    run.id,
    run.status,
    run.experimentId,
    run.error,
    run.config?.loss,
    ...SETTINGS.map((
      s,
    ) => (run.config ? `${s.label} ${s.get(run.config)}` : "")),
  ].join(" ").toLowerCase();
}

/** @param {Run} run */
function matches(run) {
  if (ui.data && run.config?.data !== ui.data) return false;
  if (ui.loss && run.config?.loss !== ui.loss) return false;
  if (ui.status && run.status !== ui.status) return false;
  const words = ui.search.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return true;
  const text = haystack(run);
  return words.every((w) => text.includes(w));
}

/** Runs that pass the filters, in the table's sort order (groups aside). */
export function visibleRuns() {
  const col = columns().find((c) => c.key === ui.sort.key);
  const runs = runList().filter(matches);
  const by = col?.sort;
  if (!by) return ui.sort.dir < 0 ? runs : runs.reverse();
  const dir = ui.sort.dir;
  return runs
    .map((run, i) => ({ run, i, v: by(run) }))
    .sort((a, b) => {
      // Missing values last, whichever the direction.
      if (a.v === undefined || b.v === undefined) {
        return a.v === undefined ? (b.v === undefined ? a.i - b.i : 1) : -1;
      }
      const c = typeof a.v === "number" && typeof b.v === "number"
        ? a.v - b.v
        : String(a.v).localeCompare(String(b.v), "en", { numeric: true });
      return c ? c * dir : a.i - b.i;
    })
    .map((x) => x.run);
}
