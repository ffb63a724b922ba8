// The figures: the report's three (test accuracy, macro F1, test loss per
// epoch, one line per run) plus train loss and train accuracy. Every line keeps
// its run's look (series.js); y-axes fit the data; zoom and pan come from
// chartjs-plugin-zoom; losses may use a log scale; the smoothing slider draws a
// debiased EMA over a faint copy of the raw line. Tooltips use the table's
// units: accuracies in percent, F1 and losses as decimals.
import { styleOf } from "./series.js";
import { smoothEma } from "./smooth.js";
import { epochList, plottedRuns, state } from "./state.js";
import { fixed, h, pct, runLabel, shortId } from "./format.js";
import { downloadDataUrl, slug, whiteBackground } from "./png.js";

const PERCENT = {
  format: (v) => pct(v),
  tick: (v) => `${Math.round(v * 1000) / 10}%`,
  bounds: [0, 1],
};
const DECIMAL = { format: (v) => fixed(v, 3), tick: (v) => fixed(v, 2), bounds: [0, 1] };
const LOSS = { format: (v) => fixed(v, 4), tick: null };
export const FIGURES = [
  { key: "testAcc", title: "Test accuracy", axis: "accuracy", unit: PERCENT },
  { key: "f1", title: "Macro F1", axis: "F1 (macro)", unit: DECIMAL },
  { key: "testLoss", title: "Test loss", axis: "loss", unit: LOSS, loss: true },
  { key: "trainLoss", title: "Train loss", axis: "loss", unit: LOSS, loss: true },
  { key: "trainAcc", title: "Train accuracy", axis: "accuracy", unit: PERCENT },
];

const VIEW_KEY = "lossbench.figures";
/** Display settings shared by every figure (remembered in this browser). */
export const view = { smoothing: 0, logLoss: false, ...loadView() };

function loadView() {
  try {
    const v = JSON.parse(localStorage.getItem(VIEW_KEY) ?? "null");
    if (!v || typeof v !== "object") return {};
    return {
      smoothing: Math.min(0.99, Math.max(0, Number(v.smoothing) || 0)),
      logLoss: v.logLoss === true,
    };
  } catch {
    return {};
  }
}

function saveView() {
  try {
    localStorage.setItem(VIEW_KEY, JSON.stringify(view));
  } catch {
    // Not remembered; harmless.
  }
}

const charts = new Map(); // key → Chart

function yScale(fig) {
  const log = fig.loss && view.logLoss;
  const bounds = fig.unit.bounds;
  return {
    type: log ? "logarithmic" : "linear",
    // Fit the data (runs at 37.0% and 38.6% must not look like one line);
    // a little headroom keeps edge points whole.
    grace: log || bounds ? 0 : "5%",
    title: { display: true, text: log ? `${fig.axis} (log scale)` : fig.axis },
    ticks: fig.unit.tick ? { callback: fig.unit.tick } : {},
    // Accuracy and F1: the same headroom, but never past 0 or 1 (unless zoomed,
    // when the zoom plugin sets the limits itself).
    afterDataLimits: bounds
      ? (scale) => {
        if (scale.options.min !== undefined || scale.options.max !== undefined) return;
        const pad = Math.max(0.005, (scale.max - scale.min) * 0.05);
        scale.min = Math.max(bounds[0], scale.min - pad);
        scale.max = Math.min(bounds[1], scale.max + pad);
      }
      : undefined,
  };
}

function makeChart(canvas, fig, onZoomed) {
  const { Chart } = globalThis;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = "#333";
  return new Chart(canvas, {
    type: "line",
    data: { datasets: [] },
    plugins: [whiteBackground],
    options: {
      responsive: true,
      maintainAspectRatio: false,
      // Live data redraws often: animating each update costs CPU on the small
      // machines this runs on and leaves screenshots mid-transition.
      animation: false,
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
        title: { display: false, text: fig.title, font: { size: 14, weight: "bold" } },
        legend: {
          position: "bottom",
          labels: {
            usePointStyle: true,
            boxWidth: 8,
            boxHeight: 8,
            padding: 12,
            // The faint raw copies under smoothed lines stay out of the legend.
            filter: (item, data) => !data.datasets[item.datasetIndex]?.rawShadow,
          },
          onClick: null,
        },
        tooltip: {
          filter: (item) => !item.dataset.rawShadow,
          callbacks: {
            title: (items) => `epoch ${items[0]?.parsed.x}`,
            label: (item) => {
              const p = item.raw;
              const value = fig.unit.format(item.parsed.y);
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
          pan: { enabled: true, mode: "xy", modifierKey: "shift", onPanComplete: onZoomed },
        },
      },
    },
  });
}

let resetAll = null;

/** Builds one card per figure inside `grid`, and wires the shared controls. */
export function mountCharts(grid, controls) {
  for (const fig of FIGURES) {
    const canvas = h("canvas", {
      id: `chart-${fig.key}`,
      role: "img",
      "aria-label": `${fig.title} per epoch: no runs plotted yet`,
    });
    const reset = h(
      "button",
      { type: "button", className: "small", id: `reset-${fig.key}`, hidden: true },
      "Reset zoom",
    );
    reset.setAttribute("aria-label", `Reset the zoom of the ${fig.title} figure`);
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
    const chart = makeChart(canvas, fig, () => syncReset(chart));
    chart.$empty = empty;
    chart.$reset = reset;
    charts.set(fig.key, chart);
    save.addEventListener("click", () => savePng(chart, fig.title));
    reset.addEventListener("click", () => resetZoom(chart));
    canvas.addEventListener("dblclick", () => resetZoom(chart));
  }
  if (controls) mountControls(controls);
}

function resetZoom(chart) {
  chart.resetZoom?.("none");
  syncReset(chart);
}

function syncReset(chart) {
  chart.$reset.hidden = !chart.isZoomedOrPanned?.();
  if (resetAll) resetAll.hidden = ![...charts.values()].some((c) => c.isZoomedOrPanned?.());
}

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
      // The zoom plugin keeps the old scale's limits: start again unzoomed.
      chart.resetZoom?.("none");
      chart.options.scales.y = yScale(fig);
      syncReset(chart);
    }
    renderCharts();
  });
  reset.addEventListener("click", () => {
    for (const chart of charts.values()) resetZoom(chart);
  });
}

function savePng(chart, title) {
  chart.options.plugins.title.display = true;
  chart.update("none");
  const url = chart.toBase64Image("image/png");
  chart.options.plugins.title.display = false;
  chart.update("none");
  downloadDataUrl(url, `lossbench-${slug(title)}.png`);
}

/** Legend names: the run's label ("focal γ=2"), with an id where two would clash. */
function labels(runs) {
  const base = runs.map((r) => runLabel(r));
  return base.map((b, i) =>
    base.indexOf(b) !== base.lastIndexOf(b) ? `${b} #${shortId(runs[i].id)}` : b
  );
}

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
    const old = new Map(chart.data.datasets.map((d) => [`${d.runId}|${d.rawShadow}`, d]));
    const datasets = [];
    runs.forEach((run, i) => {
      // A run that ended without an epoch has no slot and no points either.
      const s = styleOf(run) ?? { color: "#888", dash: [], point: "circle" };
      const raw = points(run, fig);
      const ds = old.get(`${run.id}|false`) ?? { runId: run.id, rawShadow: false };
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
        const shadow = old.get(`${run.id}|true`) ?? { runId: run.id, rawShadow: true };
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
    chart.data.datasets = datasets;
    // Zoomed or panned: the plugin owns the x range until it is reset.
    if (!chart.isZoomedOrPanned?.()) chart.options.scales.x.max = maxEpochs;
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
