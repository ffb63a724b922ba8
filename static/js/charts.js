// @ts-check
// The figures: the report's three (test accuracy, macro F1, test loss per
// epoch, one line per run) plus train loss and train accuracy. Every line keeps
// its run's look (series.js); y-axes fit the data; zoom and pan come from
// chartjs-plugin-zoom; losses may use a log scale; the smoothing slider draws a
// debiased EMA over a faint copy of the raw line. Titles and units come from
// the metric registry (js/metrics.js): fractions in percent, the rest as
// decimals, as in the runs table.
import { styleOf } from "./series.js";
import { smoothEma } from "./smooth.js";
import { epochList, plottedRuns, state } from "./state.js";
import { h, runLabel, shortId } from "./format.js";
import { figures, makeChart, yScale } from "./run-figures.js";
import { downloadDataUrl, slug } from "./png.js";
import { loadPrefs, savePrefs } from "./prefs.js";

const VIEW_KEY = "lossbench.figures";
/** Display settings shared by every figure (remembered in this browser). */
const view = state.figures;
Object.assign(
  view,
  loadPrefs(VIEW_KEY, (v) => ({
    smoothing: Math.min(0.99, Math.max(0, Number(v.smoothing) || 0)),
    logLoss: v.logLoss === true,
  })),
);
const saveView = () => savePrefs(VIEW_KEY, view);

/**
 * A figure's chart, with its card's empty note and reset button (and the zoom
 * plugin's methods).
 * @typedef {import("chart.js").Chart<"line", any[]> & {$empty: HTMLElement, $reset: HTMLElement,
 *   resetZoom?: (mode?: string) => void, isZoomedOrPanned?: () => boolean}} ChartCard
 */
/** key → its chart @type {Map<string, ChartCard>} */
const charts = new Map();
/** @type {import("./run-figures.js").Fig[]} */
let FIGURES = [];

/** @type {HTMLButtonElement | null} */
let resetAll = null;

/** Builds one card per figure inside `grid`, and wires the shared controls. */
/**
 * @param {HTMLElement} grid
 * @param {{smoothing: HTMLInputElement, smoothingValue: HTMLOutputElement, logLoss: HTMLInputElement,
 *   reset: HTMLButtonElement}} [controls]
 */
export function mountCharts(grid, controls) {
  FIGURES = figures();
  for (const fig of FIGURES) {
    const canvas = /** @type {HTMLCanvasElement} */ (h("canvas", {
      id: `chart-${fig.key}`,
      role: "img",
      "aria-label": `${fig.title} per epoch: no runs plotted yet`,
    }));
    const reset = h(
      "button",
      {
        type: "button",
        className: "small",
        id: `reset-${fig.key}`,
        hidden: true,
      },
      "Reset zoom",
    );
    reset.setAttribute(
      "aria-label",
      `Reset the zoom of the ${fig.title} figure`,
    );
    const save = h(
      "button",
      { type: "button", className: "small", id: `save-${fig.key}` },
      "Save PNG",
    );
    save.setAttribute("aria-label", `Save the ${fig.title} figure as PNG`);
    const empty = h("p", { className: "chart-empty", "aria-hidden": "true" });
    const card = h(
      "figure",
      { className: "card chart-card" },
      h(
        "figcaption",
        {},
        h("h3", {}, fig.title),
        h("span", { className: "fig-buttons" }, reset, save),
      ),
      h("div", { className: "chart-box" }, canvas, empty),
    );
    grid.append(card);
    const chart = /** @type {ChartCard} */ (makeChart(canvas, fig, () => syncReset(chart)));
    chart.$empty = empty;
    chart.$reset = reset;
    charts.set(fig.key, chart);
    save.addEventListener("click", () => savePng(chart, fig.title));
    reset.addEventListener("click", () => resetZoom(chart));
    canvas.addEventListener("dblclick", () => resetZoom(chart));
  }
  if (controls) mountControls(controls);
}

/** @param {any} chart */
function resetZoom(chart) {
  chart.resetZoom?.("none");
  syncReset(chart);
}

/** @param {any} chart */
function syncReset(chart) {
  chart.$reset.hidden = !chart.isZoomedOrPanned?.();
  if (resetAll) {
    resetAll.hidden = ![...charts.values()].some((c) => c.isZoomedOrPanned?.());
  }
}

/** @param {NonNullable<Parameters<typeof mountCharts>[1]>} controls */
function mountControls({ smoothing, smoothingValue, logLoss, reset }) {
  smoothing.value = String(view.smoothing);
  smoothingValue.value = view.smoothing.toFixed(2);
  logLoss.checked = view.logLoss;
  resetAll = reset;
  reset.hidden = true;
  smoothing.addEventListener("input", () => {
    view.smoothing = Number(smoothing.value);
    smoothingValue.value = view.smoothing.toFixed(2);
    saveView();
    renderCharts();
  });
  logLoss.addEventListener("change", () => {
    view.logLoss = logLoss.checked;
    saveView();
    for (const fig of FIGURES.filter((f) => f.loss)) {
      const chart = charts.get(fig.key);
      if (!chart) continue;
      // The zoom plugin keeps the old scale's limits: start again unzoomed.
      chart.resetZoom?.("none");
      // Chart.js's options are proxies: set the scale in place (a new `scales` is ignored).
      if (chart.options.scales) chart.options.scales.y = yScale(fig);
      syncReset(chart);
    }
    renderCharts();
  });
  reset.addEventListener("click", () => {
    for (const chart of charts.values()) resetZoom(chart);
  });
}

/** @param {any} chart @param {string} title */
function savePng(chart, title) {
  chart.options.plugins.title.display = true;
  chart.update("none");
  const url = chart.toBase64Image("image/png");
  chart.options.plugins.title.display = false;
  chart.update("none");
  downloadDataUrl(url, `lossbench-${slug(title)}.png`);
}

/** Legend names: the run's label ("focal γ=2"), with an id where two would clash. */
/** @param {import("./state.js").Run[]} runs */
function labels(runs) {
  const base = runs.map((r) => runLabel(r));
  return base.map((b, i) =>
    base.indexOf(b) !== base.lastIndexOf(b) ? `${b} #${shortId(runs[i].id)}` : b
  );
}

/** @param {import("./state.js").Run} run @param {import("./run-figures.js").Fig} fig */
function points(run, fig) {
  // A log axis cannot place 0: such a point is left out rather than drawn wrong.
  const log = fig.loss && view.logLoss;
  return epochList(run.id)
    .filter((e) => typeof e[fig.key] === "number" && (!log || e[fig.key] > 0))
    .map((e) => ({ x: e.epoch, y: e[fig.key] }));
}

export function renderCharts() {
  const runs = plottedRuns();
  const names = labels(runs);
  const maxEpochs = Math.max(1, ...runs.map((r) => r.config?.epochs ?? 1));
  const w = view.smoothing;
  for (const fig of FIGURES) {
    const chart = charts.get(fig.key);
    if (!chart) continue;
    /** @type {Map<string, Record<string, any>>} */
    const old = new Map(
      chart.data.datasets.map((
        /** @type {any} */ d,
      ) => [`${d.runId}|${d.rawShadow}`, d]),
    );
    /** @type {Record<string, any>[]} */
    const datasets = [];
    runs.forEach((run, i) => {
      // A run that ended without an epoch has no slot and no points either.
      const s = styleOf(run) ?? { color: "#888", dash: [], point: "circle" };
      const raw = points(run, fig);
      const ds = old.get(`${run.id}|false`) ??
        { runId: run.id, rawShadow: false };
      ds.label = names[i];
      if (w > 0) {
        const smooth = smoothEma(raw.map((p) => p.y), w);
        ds.data = raw.map((p, j) => ({ x: p.x, y: smooth[j], raw: p.y }));
      } else ds.data = raw;
      Object.assign(ds, {
        borderColor: s.color,
        backgroundColor: s.color,
        borderDash: s.dash,
        pointStyle: s.point,
        pointRadius: 3,
        pointHoverRadius: 5,
        borderWidth: 2,
        tension: 0,
        // Let edge points (epoch 1, the last epoch) draw whole.
        clip: 6,
        order: 0,
      });
      if (w > 0) {
        const shadow = old.get(`${run.id}|true`) ??
          { runId: run.id, rawShadow: true };
        Object.assign(shadow, {
          label: `${names[i]} (raw)`,
          data: raw,
          borderColor: `${s.color}55`,
          backgroundColor: `${s.color}55`,
          borderDash: s.dash,
          pointRadius: 0,
          pointHoverRadius: 0,
          borderWidth: 1.5,
          tension: 0,
          clip: 6,
          order: 1,
        });
        datasets.push(shadow);
      }
      datasets.push(ds);
    });
    chart.data.datasets = /** @type {any[]} */ (datasets);
    // Zoomed or panned: the plugin owns the x range until it is reset.
    const x = chart.options.scales?.x;
    if (x && !chart.isZoomedOrPanned?.()) x.max = maxEpochs;
    chart.update();
    const anyPoint = datasets.some((d) => d.data.length > 0);
    chart.$empty.hidden = anyPoint;
    chart.$empty.textContent = runs.length
      ? "Lines appear here as epochs finish."
      : state.runs.size
      ? "Tick runs in the table to plot them."
      : "Start a run or the comparison: its curves appear here.";
    chart.canvas.setAttribute("aria-label", describe(fig, datasets));
  }
}

/** A text equivalent of the figure for screen readers: each line's latest point. */
/** @param {import("./run-figures.js").Fig} fig @param {Record<string, any>[]} datasets */
function describe(fig, datasets) {
  const lines = datasets.filter((d) => !d.rawShadow);
  if (!lines.length) return `${fig.title} per epoch: no runs plotted yet`;
  const parts = lines.map((d) => {
    const last = d.data.at(-1);
    return last
      ? `${d.label} ${fig.unit.format(last.y)} at epoch ${last.x}`
      : `${d.label} no epochs yet`;
  });
  return `${fig.title} per epoch. ${parts.join("; ")}`;
}
