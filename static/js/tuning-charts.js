// @ts-check
// A tuned experiment's figures (GET /api/experiments/:id/tuning), shared by the
// dashboard's tuning panel (js/exp-tuning.js) and the figure page
// (figure.html?experiment=ID&tuning=isolation|budget): the isolation plot (the
// validation metric against lr, one small multiple per cell on shared axes, a
// second searched setting as colour, a pruned trial hollow at the value of
// its rung, the chosen trial ringed) and the expected best validation score
// against the number of trials, ±1 sd (Dodge et al. 2019). Data in, Chart.js
// configs out (the settings' names, colours and legend: js/tuning-scale.js).
import { alpha } from "./bands.js";
import { bottomLegend, SIZED } from "./chart-options.js";
import { isFraction, metricTitle } from "./metrics.js";
import { ramp, SERIES } from "./palette.js";
import {
  colourScale,
  isLog,
  keyText,
  statusText,
  trialText,
  valueText,
  xKey,
} from "./tuning-scale.js";

/** GET /api/experiments/:id/tuning. @typedef {Record<string, any>} TuningView */
/** The experiment's tune.space: key → {logUniform | uniform | int | choice}. @typedef {Record<string, Record<string, any>>} Space */
/** @typedef {import("chart.js").ChartConfiguration<any, any[]>} Config */

/**
 * One cell's isolation plot: its trials' validation metric against the x
 * setting (lr, log axis); colour is `colour`'s value (grey where the cell
 * does not search it); hollow: pruned or still training, at the epochs it
 * trained; ringed: chosen; dashed: the experiment's shared lr.
 * @param {TuningView} tv @param {number} ci
 * @param {{space: Space, colour: string | null, range: {min: number, max: number},
 *   shared?: Record<string, any>}} opts  shared: the experiment's settings
 * @returns {Config}
 */
export function isolationConfig(tv, ci, { space, colour, range, shared }) {
  const cell = tv.cells[ci];
  const xk = xKey(space);
  const scale = isFraction(tv.metric) ? 100 : 1;
  const sc = colour ? colourScale(space, colour) : null;
  const style = SERIES[ci % SERIES.length];
  /** @param {Record<string, any>} t */
  const fill = (
    t,
  ) => (sc && colour && colour in t.values ? ramp(sc.t(t.values[colour])).fill : "#9a9a9a");
  const pts = cell.trials
    .filter((/** @type {any} */ t) => Number.isFinite(t.value) && typeof t.values[xk] === "number")
    .map((/** @type {any} */ t) => ({ x: t.values[xk], y: t.value * scale, t }));
  const full = pts.filter((/** @type {any} */ p) => p.t.status === "done");
  const part = pts.filter((/** @type {any} */ p) => p.t.status !== "done");
  const chosen = pts.filter((/** @type {any} */ p) => p.t.trial === cell.chosen?.trial);
  const [lo, hi] = xRange(space, xk, pts);
  /** @type {Record<string, any>[]} */
  const datasets = [
    {
      label: "chosen",
      data: chosen,
      pointStyle: "circle",
      pointRadius: 11,
      pointHoverRadius: 11,
      pointBorderColor: "#111",
      pointBorderWidth: 2.5,
      pointBackgroundColor: "rgba(0,0,0,0)",
    },
    {
      label: "trained to the end",
      data: full,
      pointStyle: style.point,
      pointRadius: 6,
      pointHoverRadius: 8,
      pointBackgroundColor: full.map((/** @type {any} */ p) => fill(p.t)),
      pointBorderColor: "#333",
      pointBorderWidth: 1,
    },
    {
      label: "pruned (or training): at its rung",
      data: part,
      pointStyle: style.point,
      pointRadius: 5,
      pointHoverRadius: 7,
      pointBackgroundColor: "#fff",
      pointBorderColor: part.map((/** @type {any} */ p) => fill(p.t)),
      pointBorderWidth: 2.5,
    },
  ];
  const d = shared?.[xk];
  if (typeof d === "number" && d >= lo && d <= hi) {
    datasets.push({
      type: "line",
      label: `shared ${keyText(xk)}`,
      data: [{ x: d, y: range.min }, { x: d, y: range.max }],
      borderColor: "#888",
      borderDash: [4, 4],
      borderWidth: 1,
      pointRadius: 0,
      pointHoverRadius: 0,
      shared: true,
    });
  }
  const c = cell.chosen;
  return {
    type: "scatter",
    data: { datasets },
    options: {
      ...SIZED,
      scales: {
        x: {
          type: isLog(space, xk) ? "logarithmic" : "linear",
          min: lo,
          max: hi,
          title: { display: true, text: `${keyText(xk)}${isLog(space, xk) ? " (log)" : ""}` },
          ticks: {
            callback: (/** @type {any} */ v) => (isNice(Number(v)) ? valueText(Number(v)) : ""),
          },
        },
        y: {
          suggestedMin: range.min,
          suggestedMax: range.max,
          title: { display: true, text: axisTitle(tv.metric) },
        },
      },
      plugins: {
        legend: { display: false },
        title: { display: true, text: cell.label, font: { size: 13 } },
        subtitle: {
          display: true,
          text: c ? `chosen ${trialText(c.trial, c.values)}` : "no trial chosen yet",
        },
        tooltip: {
          filter: (/** @type {any} */ item) => !item.dataset.shared,
          callbacks: {
            label: (/** @type {any} */ item) => {
              const t = item.raw.t;
              if (!t) return "";
              const v = `${(t.value * scale).toFixed(scale === 100 ? 1 : 4)}${
                scale === 100 ? "%" : ""
              }`;
              return `${trialText(t.trial, t.values)}: ${v} (${statusText(tv, t)})`;
            },
          },
        },
      },
    },
  };
}

/** The x axis's range: the declared one, widened to the points. @param {Space} space @param {string} key @param {{x: number}[]} pts */
function xRange(space, key, pts) {
  const d = space[key] ?? {};
  const xs = pts.map((p) => p.x);
  const decl = d.logUniform ?? d.uniform ?? d.int ??
    (Array.isArray(d.choice)
      ? d.choice.filter((/** @type {unknown} */ v) => typeof v === "number")
      : []);
  const all = [...decl, ...xs];
  if (!all.length) return [1e-3, 1];
  const lo = Math.min(...all), hi = Math.max(...all);
  return isLog(space, key)
    ? [lo / 1.25, hi * 1.25]
    : [lo - (hi - lo) * 0.05, hi + (hi - lo) * 0.05];
}

/** Log-axis ticks worth a label: 1, 2 and 5 times a power of ten. @param {number} v */
function isNice(v) {
  if (!(v > 0)) return true;
  const m = v / 10 ** Math.floor(Math.log10(v) + 1e-9);
  return [1, 2, 5].some((k) => Math.abs(m - k) < 1e-6);
}

/** @param {string} metric */
const axisTitle = (metric) => `${metricTitle(metric)}${isFraction(metric) ? " (%)" : ""}`;

/**
 * The expected best validation score against the number of trials, per cell,
 * ±1 sd (Dodge et al. 2019: E[max of n draws with replacement] from the trials' values).
 * @param {TuningView} tv @param {{title?: string}} [opts]
 * @returns {Config}
 */
export function budgetConfig(tv, { title } = {}) {
  const fraction = isFraction(tv.metric);
  const scale = fraction ? 100 : 1;
  const clamp = (/** @type {number} */ v) => (fraction ? Math.min(100, Math.max(0, v)) : v);
  /** @type {Record<string, any>[]} */
  const datasets = [];
  let N = 1;
  tv.cells.forEach((/** @type {any} */ cell, /** @type {number} */ i) => {
    const rows = cell.expectedBest ?? [];
    if (!rows.length) return;
    N = Math.max(N, rows.length);
    const style = SERIES[i % SERIES.length];
    /** @param {(r: any) => number} f */
    const pts = (f) => rows.map((/** @type {any} */ r) => ({ x: r.n, y: clamp(f(r) * scale), r }));
    datasets.push(
      {
        label: `${cell.label} −sd`,
        data: pts((r) => r.mean - r.sd),
        borderWidth: 0,
        pointRadius: 0,
        fill: false,
        band: true,
      },
      {
        label: `${cell.label} +sd`,
        data: pts((r) => r.mean + r.sd),
        borderWidth: 0,
        pointRadius: 0,
        backgroundColor: alpha(style.color, 0.16),
        fill: "-1",
        band: true,
      },
      {
        label: cell.label,
        data: pts((r) => r.mean),
        borderColor: style.color,
        backgroundColor: style.color,
        borderDash: style.dash,
        pointStyle: style.point,
        pointRadius: 3,
        borderWidth: 2,
        fill: false,
      },
    );
  });
  return {
    type: "line",
    data: { datasets },
    options: {
      ...SIZED,
      parsing: { xAxisKey: "x", yAxisKey: "y" },
      interaction: { mode: "nearest", axis: "x", intersect: false },
      scales: {
        x: {
          type: "linear",
          min: 1,
          max: Math.max(2, N),
          ticks: { stepSize: 1 },
          title: { display: true, text: "trials (n)" },
        },
        y: { title: { display: true, text: `expected best ${axisTitle(tv.metric)}` } },
      },
      plugins: {
        title: { display: Boolean(title), text: title ?? "", font: { size: 15 } },
        legend: bottomLegend((ds) => ds.band),
        tooltip: {
          filter: (/** @type {any} */ item) => !item.dataset.band,
          callbacks: {
            title: (/** @type {any[]} */ items) =>
              `best of ${items[0]?.parsed.x} trial${items[0]?.parsed.x === 1 ? "" : "s"}`,
            label: (/** @type {any} */ item) => {
              const r = item.raw.r;
              const f = (/** @type {number} */ v) => (v * scale).toFixed(fraction ? 1 : 4);
              return `${item.dataset.label}: ${f(r.mean)} ± ${f(r.sd)}${fraction ? "%" : ""}`;
            },
          },
        },
      },
    },
  };
}
