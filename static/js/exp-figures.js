// @ts-check
// The experiment view's figures: per metric, one mean line per cell with a
// band (95% CI, ±1 sd or min–max; js/bands.js, as figure.html draws them), and
// the single seeds' lines on demand. Titles and units come from the metric
// registry (js/metrics.js).
import { alpha, bandDatasets, BANDS } from "./bands.js";
import { bottomLegend, SIZED } from "./chart-options.js";
import { Chart } from "./chart.js";
import { h } from "./format.js";
import { isFraction, metricHeading, metricTitle } from "./metrics.js";
import { whiteBackground } from "./png.js";
import { styleOfSlot } from "./series.js";
import { epochList, state } from "./state.js";
import { figureMetrics, formatStat } from "./stats-view.js";

/** @typedef {{chart: import("chart.js").Chart<"line">, card: HTMLElement, canvas: HTMLCanvasElement}} Figure */

const view = state.experimentView;
/** @type {HTMLElement | null} */
let grid = null;
/** metric → its figure, made on first use @type {Map<string, Figure>} */
const figures = new Map();

/** @param {HTMLElement} el  the grid the figures' cards go in */
export function mountFigures(el) {
  grid = el;
}

/**
 * The y-axis title: the metric's, with its unit.
 * @param {string} metric
 */
function axisTitle(metric) {
  return isFraction(metric) ? `${metricTitle(metric)} (%)` : metricTitle(metric);
}

/** @param {string} metric @returns {Figure} */
function figureFor(metric) {
  const made = figures.get(metric);
  if (made) return made;
  const canvas = /** @type {HTMLCanvasElement} */ (h("canvas", {
    id: `exp-chart-${metric}`,
    role: "img",
  }));
  const card = h(
    "figure",
    { className: "card chart-card" },
    h("figcaption", {}, h("h3", {}, metricHeading(metric))),
    h("div", { className: "chart-box" }, canvas),
  );
  grid?.append(card);
  const fraction = isFraction(metric);
  /** @type {import("chart.js").ChartConfiguration<"line", any[]>} */
  const config = {
    type: "line",
    data: { datasets: [] },
    plugins: [whiteBackground],
    options: {
      ...SIZED,
      parsing: false,
      interaction: { mode: "nearest", axis: "x", intersect: false },
      scales: {
        x: {
          type: "linear",
          title: { display: true, text: "epoch" },
          ticks: { precision: 0 },
        },
        y: {
          title: { display: true, text: axisTitle(metric) },
          ticks: fraction ? { callback: (v) => `${v}%` } : {},
          // Fit the data with a little headroom, but a band never draws an
          // accuracy below 0% or above 100%, nor a loss or ECE below 0.
          afterDataLimits: (scale) => {
            const pad = Math.max(
              fraction ? 0.5 : 0.001,
              (scale.max - scale.min) * 0.05,
            );
            scale.min = Math.max(0, scale.min - pad);
            scale.max = fraction ? Math.min(100, scale.max + pad) : scale.max + pad;
          },
        },
      },
      plugins: {
        legend: { ...bottomLegend((ds) => ds.band || ds.seed, { padding: 10 }), onClick: () => {} },
        tooltip: {
          filter: (item) => !(/** @type {any} */ (item.dataset).band),
          callbacks: {
            title: (items) => `epoch ${items[0]?.parsed.x}`,
            label: (item) => {
              const ds = /** @type {any} */ (item.dataset);
              const row = ds.rows?.[item.dataIndex];
              const y = item.parsed.y ?? NaN;
              const v = formatStat(
                y / (fraction ? 100 : 1),
                metric,
                fraction ? 1 : 4,
              );
              const unit = fraction ? "%" : "";
              if (ds.seed) return `${ds.label}: ${v}${unit}`;
              const band = row ? bandText(row, metric) : "";
              return `${ds.label}: ${v}${unit}${band}`;
            },
          },
        },
      },
    },
  };
  const chart = new Chart(canvas, config);
  const fig = { chart, card, canvas };
  figures.set(metric, fig);
  return fig;
}

/**
 * ", 95% CI [80.1, 84.3]": the chosen band of one epoch's summary, for the tooltip.
 * @param {Record<string, any>} row @param {string} metric
 */
function bandText(row, metric) {
  /** @param {number} x */
  const f = (x) => formatStat(x, metric, isFraction(metric) ? 1 : 4);
  if (view.band === "minmax") return `, min–max [${f(row.min)}, ${f(row.max)}]`;
  if (view.band === "sd") return row.sd === null ? "" : ` ± ${f(row.sd)} sd`;
  return row.ci95 ? `, 95% CI [${f(row.ci95[0])}, ${f(row.ci95[1])}]` : "";
}

/** @param {import("./state.js").Experiment} exp */
export function drawFigures(exp) {
  const metrics = figureMetrics(exp);
  for (const [m, f] of figures) f.card.hidden = !metrics.includes(m);
  const maxEpoch = exp.settings?.epochs ?? 1;
  for (const metric of metrics) {
    const { chart, canvas } = figureFor(metric);
    const scale = isFraction(metric) ? 100 : 1;
    /** @type {Record<string, any>[]} */
    const datasets = [];
    /** @type {string[]} */
    const parts = [];
    exp.stats.cells.forEach(
      (/** @type {Record<string, any>} */ cell, /** @type {number} */ i) => {
        const rows = cell.perEpoch?.[metric] ?? [];
        const style = styleOfSlot(i);
        if (view.seeds) {
          datasets.push(...seedLines(exp, cell, metric, scale, style.color));
        }
        if (!rows.length) return;
        const [lo, hi, mean] = bandDatasets(rows, {
          label: cell.label,
          style,
          band: view.band,
          scale,
          edges: true,
        });
        Object.assign(lo, { order: 3 });
        Object.assign(hi, { order: 3 });
        Object.assign(mean, { rows, order: 1, pointRadius: 3, clip: 6 });
        datasets.push(lo, hi, mean);
        const last = rows.at(-1);
        parts.push(
          `${cell.label}, n = ${last.n}: ${formatStat(last.mean, metric)} at epoch ${last.epoch}`,
        );
      },
    );
    chart.data.datasets = /** @type {any} */ (datasets);
    const x = /** @type {Record<string, any>} */ (chart.options.scales?.x);
    x.min = 1;
    x.max = Math.max(2, maxEpoch);
    chart.update();
    canvas.setAttribute(
      "aria-label",
      `${metricHeading(metric)}, mean over seeds with a ${BANDS[view.band]} band. ${
        parts.join("; ") || "No epochs yet."
      }`,
    );
  }
}

/**
 * One thin line per run of the cell: its own epochs (fetched by exp-data.js).
 * @param {import("./state.js").Experiment} exp @param {Record<string, any>} cell
 * @param {string} metric @param {number} scale @param {string} color
 */
function seedLines(exp, cell, metric, scale, color) {
  /** @type {Record<string, any>[]} */
  const out = [];
  for (
    const run of exp.runs.filter((/** @type {any} */ r) => r.cellKey === cell.key)
  ) {
    const pts = epochList(run.id)
      .filter((e) => typeof e[metric] === "number")
      .map((e) => ({ x: e.epoch, y: e[metric] * scale }));
    if (!pts.length) continue;
    out.push({
      label: `${cell.label}, seed ${run.config?.seed}`,
      data: pts,
      seed: true,
      borderColor: alpha(color, 0.45),
      backgroundColor: alpha(color, 0.45),
      borderWidth: 1,
      pointRadius: 0,
      pointHoverRadius: 3,
      fill: false,
      order: 2,
    });
  }
  return out;
}
