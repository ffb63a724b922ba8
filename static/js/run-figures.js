// @ts-check
// The runs view's figures as Chart.js charts: which metrics, their titles and
// units (from the metric registry, js/metrics.js), the y scale (linear, or log
// for losses when chosen), zoom and pan, tooltips in the table's units.
import { bottomLegend, SIZED } from "./chart-options.js";
import { Chart } from "./chart.js";
import { fixed, pct } from "./format.js";
import { isFraction, metricHeading, metricTitle } from "./metrics.js";
import { whiteBackground } from "./png.js";
import { state } from "./state.js";
/** @typedef {import("chartjs-plugin-zoom")} ZoomTypes (its options under `plugins.zoom`) */

/** @typedef {{format: (v: number) => string, tick: ((v: number | string) => string) | null, bounds?: number[]}} Unit */
/** @type {Unit} */
const PERCENT = {
  format: (v) => pct(v),
  tick: (v) => `${Math.round(Number(v) * 1000) / 10}%`,
  bounds: [0, 1],
};
/** @type {Unit} */
const DECIMAL = { format: (v) => fixed(v, 4), tick: null };

/** @typedef {{key: string, loss?: boolean, title: string, axis: string, unit: Unit}} Fig */
/** The runs view's figures, by metric; `loss` ones may use a log scale. */
const KEYS = [
  { key: "testAcc" },
  { key: "f1" },
  { key: "testLoss", loss: true },
  { key: "trainLoss", loss: true },
  { key: "trainAcc" },
];
/** The figures with their titles and units (known once the registry is loaded). @returns {Fig[]} */
export function figures() {
  return KEYS.map((f) => ({
    ...f,
    title: metricHeading(f.key),
    axis: metricTitle(f.key),
    unit: isFraction(f.key) ? PERCENT : DECIMAL,
  }));
}

/** @param {Fig} fig */
export function yScale(fig) {
  const log = fig.loss && state.figures.logLoss;
  const bounds = fig.unit.bounds;
  return {
    type: /** @type {"logarithmic" | "linear"} */ (log ? "logarithmic" : "linear"),
    // Fit the data (runs at 37.0% and 38.6% must not look like one line);
    // a little headroom keeps edge points whole.
    grace: log || bounds ? 0 : "5%",
    title: { display: true, text: log ? `${fig.axis} (log scale)` : fig.axis },
    ticks: fig.unit.tick ? { callback: fig.unit.tick } : {},
    // Accuracy and F1: the same headroom, but never past 0 or 1 (unless zoomed,
    // when the zoom plugin sets the limits itself).
    afterDataLimits: bounds
      ? (/** @type {import("chart.js").Scale} */ scale) => {
        if (
          scale.options.min !== undefined || scale.options.max !== undefined
        ) return;
        const pad = Math.max(0.005, (scale.max - scale.min) * 0.05);
        scale.min = Math.max(bounds[0], scale.min - pad);
        scale.max = Math.min(bounds[1], scale.max + pad);
      }
      : undefined,
  };
}

/** @param {HTMLCanvasElement} canvas @param {Fig} fig @param {() => void} onZoomed */
export function makeChart(canvas, fig, onZoomed) {
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = "#333";
  /** @type {import("chart.js").ChartConfiguration<"line", any[]>} */
  const config = {
    type: "line",
    data: { datasets: [] },
    plugins: [whiteBackground],
    options: {
      ...SIZED,
      interaction: { mode: "nearest", axis: "x", intersect: false },
      scales: {
        x: {
          type: "linear",
          min: 1,
          title: { display: true, text: "epoch" },
          ticks: { precision: 0 },
        },
        y: yScale(fig),
      },
      plugins: {
        // Shown only while exporting, so the PNG says what it is.
        title: {
          display: false,
          text: fig.title,
          font: { size: 14, weight: "bold" },
        },
        // The faint raw copies under smoothed lines stay out of the legend.
        legend: { ...bottomLegend((ds) => ds?.rawShadow, { padding: 12 }), onClick: () => {} },
        tooltip: {
          filter: (item) => !(/** @type {any} */ (item.dataset).rawShadow),
          callbacks: {
            title: (items) => `epoch ${items[0]?.parsed.x}`,
            label: (item) => {
              const p = /** @type {{raw?: number}} */ (item.raw);
              const value = fig.unit.format(item.parsed.y ?? NaN);
              return p && p.raw !== undefined
                ? `${item.dataset.label}: ${value} smoothed (${fig.unit.format(p.raw)} raw)`
                : `${item.dataset.label}: ${value}`;
            },
          },
        },
        zoom: {
          limits: { x: { min: "original", max: "original" } },
          zoom: {
            drag: { enabled: true, backgroundColor: "rgba(0,114,178,0.12)" },
            wheel: { enabled: true, modifierKey: "ctrl" },
            pinch: { enabled: true },
            mode: "xy",
            onZoomComplete: onZoomed,
          },
          pan: {
            enabled: true,
            mode: "xy",
            modifierKey: "shift",
            onPanComplete: onZoomed,
          },
        },
      },
    },
  };
  return new Chart(canvas, config);
}
