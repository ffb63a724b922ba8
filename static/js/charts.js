// The figures: the report's three (test accuracy, macro F1, test loss per
// epoch, one line per run) plus train loss and train accuracy.
import { SERIES } from "./palette.js";
import { epochList, plottedRuns, state } from "./state.js";
import { fixed, h, lossLabel, shortId } from "./format.js";
import { downloadDataUrl, slug, whiteBackground } from "./png.js";

// Accuracy and F1 on a fixed 0–1 axis (runs compare honestly); losses from 0.
const UNIT = { min: 0, max: 1 };
const FROM_ZERO = { beginAtZero: true, grace: "5%" };
export const FIGURES = [
  { key: "testAcc", title: "Test accuracy", axis: "accuracy", y: UNIT },
  { key: "f1", title: "Macro F1", axis: "F1 (macro)", y: UNIT },
  { key: "testLoss", title: "Test loss", axis: "loss", y: FROM_ZERO },
  { key: "trainLoss", title: "Train loss", axis: "loss", y: FROM_ZERO },
  { key: "trainAcc", title: "Train accuracy", axis: "accuracy", y: UNIT },
];

const charts = new Map(); // key → Chart

function makeChart(canvas, fig) {
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
        y: { title: { display: true, text: fig.axis }, ...fig.y },
      },
      plugins: {
        // Shown only while exporting, so the PNG says what it is.
        title: { display: false, text: fig.title, font: { size: 14, weight: "bold" } },
        legend: {
          position: "bottom",
          labels: { usePointStyle: true, boxWidth: 8, boxHeight: 8, padding: 12 },
        },
        tooltip: {
          callbacks: {
            title: (items) => `epoch ${items[0]?.parsed.x}`,
            label: (item) => `${item.dataset.label}: ${fixed(item.parsed.y, 4)}`,
          },
        },
      },
    },
  });
}

/** Builds one card per figure inside `grid`. */
export function mountCharts(grid) {
  for (const fig of FIGURES) {
    const canvas = h("canvas", {
      id: `chart-${fig.key}`,
      role: "img",
      "aria-label": `${fig.title} per epoch: no runs plotted yet`,
    });
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
      h("figcaption", {}, h("h3", {}, fig.title), save),
      h("div", { className: "chart-box" }, canvas, empty),
    );
    grid.append(card);
    const chart = makeChart(canvas, fig);
    chart.$empty = empty;
    charts.set(fig.key, chart);
    save.addEventListener("click", () => savePng(chart, fig.title));
  }
}

function savePng(chart, title) {
  chart.options.plugins.title.display = true;
  chart.update("none");
  const url = chart.toBase64Image("image/png");
  chart.options.plugins.title.display = false;
  chart.update("none");
  downloadDataUrl(url, `lossbench-${slug(title)}.png`);
}

/** Legend names: the report's ("focal γ=2"), with an id where two would clash. */
function labels(runs) {
  const base = runs.map((r) => lossLabel(r.config));
  return base.map((b, i) =>
    base.indexOf(b) !== base.lastIndexOf(b) ? `${b} #${shortId(runs[i].id)}` : b
  );
}

export function renderCharts() {
  const runs = plottedRuns();
  const names = labels(runs);
  const maxEpochs = Math.max(1, ...runs.map((r) => r.config?.epochs ?? 1));
  for (const fig of FIGURES) {
    const chart = charts.get(fig.key);
    if (!chart) continue;
    const old = new Map(chart.data.datasets.map((d) => [d.runId, d]));
    chart.data.datasets = runs.map((run, i) => {
      const s = SERIES[i % SERIES.length];
      const ds = old.get(run.id) ?? { runId: run.id };
      ds.label = names[i];
      ds.data = epochList(run.id)
        .filter((e) => typeof e[fig.key] === "number")
        .map((e) => ({ x: e.epoch, y: e[fig.key] }));
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
      });
      return ds;
    });
    chart.options.scales.x.max = maxEpochs;
    chart.update();
    const points = chart.data.datasets.some((d) => d.data.length > 0);
    chart.$empty.hidden = points;
    chart.$empty.textContent = runs.length
      ? "Lines appear here as epochs finish."
      : state.runs.size
      ? "Tick runs in the table to plot them."
      : "Start a run or the comparison: its curves appear here.";
    chart.canvas.setAttribute("aria-label", describe(fig, chart.data.datasets));
  }
}

/** A text equivalent of the figure for screen readers: each line's latest point. */
function describe(fig, datasets) {
  if (!datasets.length) return `${fig.title} per epoch: no runs plotted yet`;
  const parts = datasets.map((d) => {
    const last = d.data.at(-1);
    return last ? `${d.label} ${fixed(last.y, 3)} at epoch ${last.x}` : `${d.label} no epochs yet`;
  });
  return `${fig.title} per epoch. ${parts.join("; ")}`;
}

/** Colour and marker of a plotted run (for the table's swatches). */
export function seriesOf(id) {
  const i = plottedRuns().findIndex((r) => r.id === id);
  return i < 0 ? null : SERIES[i % SERIES.length];
}
