// @ts-check
// How a tuned experiment's searched settings read (GET /api/experiments/:id/tuning
// and the experiment's tune.space): their names and values, the isolation plot's
// x axis and colour scale, its shared legend, and a trial's status in words.
// Shared by the dashboard's tuning panel and the figure page (js/tuning-charts.js).
import { h } from "./format.js";
import { isFraction } from "./metrics.js";
import { ramp } from "./palette.js";

/** GET /api/experiments/:id/tuning. @typedef {Record<string, any>} TuningView */
/** The experiment's tune.space: key → {logUniform | uniform | int | choice}. @typedef {Record<string, Record<string, any>>} Space */

/** "params.q" → "q": how a searched key reads. @param {string} key */
export const keyText = (key) => key.replace(/^params\./, "");

/** A searched value, to 4 significant digits (as drawn). @param {unknown} v */
export function valueText(v) {
  return typeof v === "number" ? String(Number(v.toPrecision(4))) : String(v ?? "–");
}

/** The setting on the isolation plot's x axis: lr when searched, else the first. @param {Space} space */
export function xKey(space) {
  const keys = Object.keys(space);
  return keys.includes("lr") ? "lr" : keys[0];
}

/** Whether `key` gets a log axis or scale: lr, or one drawn log-uniform. @param {Space} space @param {string} key */
export const isLog = (space, key) => key === "lr" || Boolean(space[key]?.logUniform);

/** The settings that may colour the isolation plot: every searched one but the x axis's. @param {Space} space */
export const colourKeys = (space) => Object.keys(space).filter((k) => k !== xKey(space));

/**
 * The colour key when none was picked: one every cell searched (weightDecay,
 * say), else a loss's own parameter; null when only the x axis was searched.
 * @param {TuningView} tv @param {Space} space
 */
export function defaultColour(tv, space) {
  const keys = colourKeys(space);
  const all = keys.find((k) =>
    tv.cells.every((/** @type {any} */ c) => c.trials.some((/** @type {any} */ t) => k in t.values))
  );
  return all ?? keys[0] ?? null;
}

/**
 * Maps a searched value to [0, 1] along its declared range (log for log-uniform;
 * a choice by its position), with the stops a legend names.
 * @param {Space} space @param {string} key
 */
export function colourScale(space, key) {
  const d = space[key] ?? {};
  if (Array.isArray(d.choice)) {
    const n = d.choice.length;
    /** @param {unknown} v */
    const t = (v) => (n > 1 ? d.choice.indexOf(v) / (n - 1) : 0.5);
    return { t, stops: d.choice.map((/** @type {unknown} */ v) => ({ value: v, t: t(v) })) };
  }
  const [a, b] = d.logUniform ?? d.uniform ?? d.int ?? [0, 1];
  const log = Boolean(d.logUniform);
  const f = (/** @type {number} */ x) => (log ? Math.log(x) : x);
  /** @param {unknown} v */
  const t = (v) => (typeof v === "number" ? (f(v) - f(a)) / (f(b) - f(a) || 1) : 0.5);
  const mid = log ? Math.sqrt(a * b) : (a + b) / 2;
  return { t, stops: [a, mid, b].map((v) => ({ value: v, t: t(v) })) };
}

/** The metric's values over every cell's trials, for shared y axes (in its display unit). @param {TuningView} tv */
export function valueRange(tv) {
  const scale = isFraction(tv.metric) ? 100 : 1;
  const vs = tv.cells.flatMap((/** @type {any} */ c) =>
    c.trials.map((/** @type {any} */ t) => t.value).filter(Number.isFinite)
  ).map((/** @type {number} */ v) => v * scale);
  if (!vs.length) return { min: 0, max: scale };
  const lo = Math.min(...vs), hi = Math.max(...vs);
  const pad = Math.max((hi - lo) * 0.08, isFraction(tv.metric) ? 1 : 0.01);
  return {
    min: isFraction(tv.metric) ? Math.max(0, lo - pad) : lo - pad,
    max: isFraction(tv.metric) ? Math.min(100, hi + pad) : hi + pad,
  };
}

/** "trial 3 · lr 0.0169 · q 0.58". @param {number} trial @param {Record<string, unknown>} values */
export function trialText(trial, values) {
  const vs = Object.entries(values).map(([k, v]) => `${keyText(k)} ${valueText(v)}`);
  return [`trial ${trial}`, ...vs].join(" · ");
}

/**
 * "done", "pruned at rung 1 (2 epochs)", "paused at 2 epochs"…
 * @param {TuningView} tv @param {Record<string, any>} t  a trial row
 */
export function statusText(tv, t) {
  if (t.status === "pruned" && Number.isInteger(t.rung)) {
    const ep = tv.rungs?.[t.rung];
    return `pruned at rung ${t.rung}${ep ? ` (${ep} epoch${ep === 1 ? "" : "s"})` : ""}`;
  }
  return t.status;
}

/**
 * The isolation plot's legend, shared by its small multiples: the colour
 * scale (which setting, its range), and what filled, hollow, ringed and dashed mean.
 * @param {TuningView} tv @param {Space} space @param {string | null} colour
 */
export function isolationLegend(tv, space, colour) {
  const xk = xKey(space);
  /** @type {(Node | string)[]} */
  const parts = [];
  if (colour) {
    const sc = colourScale(space, colour);
    const grad = sc.stops.map((s) => `${ramp(s.t).fill} ${(s.t * 100).toFixed(0)}%`).join(", ");
    const missing = tv.cells.filter((/** @type {any} */ c) =>
      !c.trials.some((/** @type {any} */ t) => colour in t.values)
    );
    parts.push(
      h(
        "span",
        { className: "legend-item" },
        `colour: ${keyText(colour)}${isLog(space, colour) ? " (log)" : ""}`,
      ),
      h(
        "span",
        { className: "legend-item colour-scale" },
        valueText(sc.stops[0].value),
        h("span", { className: "ramp", style: `background:linear-gradient(to right, ${grad})` }),
        valueText(sc.stops.at(-1)?.value),
      ),
      missing.length
        ? h(
          "span",
          { className: "legend-item" },
          mark("#9a9a9a"),
          `not searched (${missing.map((/** @type {any} */ c) => c.label).join(", ")})`,
        )
        : "",
    );
  } else parts.push(h("span", { className: "legend-item" }, `only ${keyText(xk)} searched`));
  parts.push(
    h("span", { className: "legend-item" }, mark("#666"), "trained to the end"),
    h(
      "span",
      { className: "legend-item" },
      mark("#fff", "#666"),
      "pruned (or training): value at its rung",
    ),
    h("span", { className: "legend-item" }, h("span", { className: "mark ring" }), "chosen"),
    h(
      "span",
      { className: "legend-item" },
      h("span", { className: "mark dash" }),
      `the shared ${keyText(xk)}`,
    ),
  );
  return h("p", { className: "matrix-legend hint tuning-legend" }, ...parts);
}

/** @param {string} fill @param {string} [border] */
const mark = (fill, border = "#333") =>
  h("span", { className: "mark", style: `background:${fill};border-color:${border}` });
