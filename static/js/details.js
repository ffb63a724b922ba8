// @ts-check
// Two small figures for one run's epoch or one experiment cell: the
// reliability diagram (accuracy per confidence bin against the diagonal, with
// the ECE) and the per-class precision, recall and F1 bars. The data comes
// from js/bands.js (pooled over a cell's seeds, or one epoch's own bins).
import { meanPerClass, perClassData, pooledReliability, reliabilityData } from "./bands.js";
import { SIZED } from "./chart-options.js";
import { Chart } from "./chart.js";
import { h, pct } from "./format.js";
import { metricText, metricTitle } from "./metrics.js";
import { whiteBackground } from "./png.js";

/** @param {string | number} v */
const percentTick = (v) => `${v}%`;

/** @param {HTMLElement} grid @param {string} id @param {string} title */
function card(grid, id, title) {
  const canvas = h("canvas", { id, role: "img", "aria-label": `${title}: nothing yet` });
  const heading = h("h3", {}, title);
  const note = h("p", { className: "hint detail-note" });
  const el = h(
    "figure",
    { className: "card chart-card" },
    h("figcaption", {}, heading),
    note,
    h("div", { className: "chart-box" }, canvas),
  );
  grid.append(el);
  return { el, canvas, heading, note };
}

/**
 * Builds the two cards in `grid` (ids `${prefix}-reliability`, `${prefix}-perclass`).
 * Returns {show(epochs, {names, color, what}), hide()}: `epochs` are epoch
 * records with `reliability`, `ece` and `perClass` (one, or one per seed).
 * @param {HTMLElement} grid @param {string} prefix
 */
export function mountDetails(grid, prefix) {
  const rel = card(grid, `${prefix}-reliability`, "Reliability diagram");
  const per = card(grid, `${prefix}-perclass`, "Per-class precision, recall, F1");
  const relChart = new Chart(rel.canvas, {
    type: "bar",
    data: { labels: [], datasets: [] },
    plugins: [whiteBackground],
    options: {
      ...SIZED,
      scales: {
        x: {
          title: { display: true, text: "confidence (bin centre)" },
          ticks: { maxRotation: 0, autoSkip: true, autoSkipPadding: 8 },
        },
        y: {
          min: 0,
          max: 100,
          title: { display: true, text: "accuracy" },
          ticks: { callback: percentTick },
        },
      },
      plugins: {
        legend: { position: "bottom", labels: { boxWidth: 12, padding: 10 } },
        tooltip: {
          callbacks: {
            label: (/** @type {import("chart.js").TooltipItem<"bar">} */ item) =>
              /** @type {any} */ (item.dataset).type === "line"
                ? `perfect calibration: ${item.parsed.y?.toFixed(1)}%`
                : `accuracy ${item.parsed.y?.toFixed(1)}% of ${
                  /** @type {any} */ (item.dataset).counts?.[item.dataIndex]
                } images`,
          },
        },
      },
    },
  });
  const perChart = new Chart(per.canvas, {
    type: "bar",
    data: { labels: [], datasets: [] },
    plugins: [whiteBackground],
    options: {
      ...SIZED,
      scales: {
        x: { ticks: { autoSkip: false, maxRotation: 60 } },
        y: { min: 0, max: 100, ticks: { callback: percentTick } },
      },
      plugins: {
        legend: { position: "bottom", labels: { boxWidth: 12, padding: 10 } },
        tooltip: {
          callbacks: {
            label: (/** @type {import("chart.js").TooltipItem<"bar">} */ item) =>
              `${item.dataset.label}: ${item.parsed.y?.toFixed(1)}%`,
          },
        },
      },
    },
  });

  return {
    /**
     * @param {Record<string, any>[]} epochs
     * @param {{names?: string[], color: string, what: string}} opts
     */
    show(epochs, { names, color, what }) {
      rel.el.hidden = per.el.hidden = false;
      const pooled = pooledReliability(epochs);
      const pc = meanPerClass(epochs);
      const seeds = pooled.runs > 1 ? `, ${pooled.runs} seeds pooled` : "";
      const ece = `${metricTitle("ece")} ${pooled.runs > 1 ? "mean " : ""}` +
        metricText("ece", pooled.meanEce);
      rel.note.textContent = `${what}${seeds} · ${ece}`;
      const rd = reliabilityData(pooled, color);
      relChart.data = /** @type {any} */ ({
        ...rd,
        datasets: [{ ...rd.datasets[0], counts: pooled.count }, rd.datasets[1]],
      });
      relChart.update();
      const k = pc.f1.length;
      const labels = names?.length === k ? names : Array.from({ length: k }, (_, i) => String(i));
      per.note.textContent = `${what}${pc.runs > 1 ? `, mean of ${pc.runs} seeds` : ""}`;
      perChart.data = /** @type {any} */ (perClassData(pc, labels));
      perChart.update();
      rel.canvas.setAttribute(
        "aria-label",
        `Reliability diagram, ${what}: ${ece}; accuracy per bin ` +
          pooled.accuracy.map((a, b) =>
            a === null ? null : `${pooled.centres[b].toFixed(2)}: ${pct(a)}`
          ).filter(Boolean).join(", "),
      );
      per.canvas.setAttribute(
        "aria-label",
        `Per-class F1, ${what}: ` + labels.map((n, i) => `${n} ${pct(pc.f1[i])}`).join(", "),
      );
    },
    hide() {
      rel.el.hidden = per.el.hidden = true;
    },
    charts: [relChart, perChart],
  };
}
