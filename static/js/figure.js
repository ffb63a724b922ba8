// @ts-check
// One experiment figure on a page of its own: per cell, the mean over seeds
// with a band (95% CI, ±1 sd or min–max), or a cell's reliability diagram.
// Linkable, and what `deno task study` screenshots for docs/results.md:
//   /figure.html?experiment=ID&metric=testAcc&band=ci|sd|minmax[&cells=0,2][&title=…]
//     [&comparison=defaults|tuned]  (a tuned experiment's; default its first) [&ymin=…&ymax=…]
//   /figure.html?experiment=ID&reliability=CELL_INDEX
//   /figure.html?experiment=ID&tuning=isolation|budget[&colour=KEY]  (js/figure-tuning.js)
// Sets document.body.dataset.ready = "1" once drawn. The dashboard's
// experiment view draws the same datasets (js/bands.js).
import { bandDatasets, BANDS, pooledReliability, reliabilityData } from "./bands.js";
import { SIZED } from "./chart-options.js";
import { tuningFigure } from "./figure-tuning.js";
import { Chart } from "./chart.js";
import { isFraction, loadMetrics, metricText, metricTitle } from "./metrics.js";
import { SERIES } from "./palette.js";

/** @typedef {import("chart.js").ChartConfiguration<any, any[]>} Config */

/**
 * @param {Record<string, any>} exp  GET /api/experiments/:id
 * @param {URLSearchParams} q
 * @returns {Config}
 */
function lineFigure(exp, q) {
  const metric = q.get("metric") ?? "testAcc";
  const asked = q.get("band");
  const band = asked === "sd" || asked === "minmax" ? asked : "ci";
  const pick = q.get("cells")?.split(",").map(Number);
  const scale = isFraction(metric) ? 100 : 1;
  /** @type {Record<string, any>[]} */
  const datasets = [];
  exp.stats.cells.forEach((/** @type {Record<string, any>} */ cell, /** @type {number} */ i) => {
    if (pick && !pick.includes(i)) return;
    const rows = cell.perEpoch[metric] ?? [];
    if (!rows.length) return;
    const style = SERIES[i % SERIES.length];
    // The service's label: at tuned settings it names the cell's chosen values.
    datasets.push(...bandDatasets(rows, { label: cell.label, style, band, scale }));
  });
  const title = q.get("title") ??
    `${metricTitle(metric)}${isFraction(metric) ? " (%)" : ""}: mean over seeds, band ${
      BANDS[band]
    }`;
  return {
    type: "line",
    data: { datasets },
    options: {
      ...SIZED,
      parsing: false,
      scales: {
        x: { type: "linear", title: { display: true, text: "epoch" }, ticks: { stepSize: 1 } },
        // `ymin`/`ymax` put figures meant to be read side by side on one axis.
        y: {
          ...(q.has("ymin") ? { min: Number(q.get("ymin")) } : {}),
          ...(q.has("ymax") ? { max: Number(q.get("ymax")) } : {}),
          title: { display: true, text: metricTitle(metric) },
        },
      },
      plugins: {
        title: { display: true, text: title, font: { size: 15 } },
        legend: {
          labels: {
            usePointStyle: true,
            filter: (
              /** @type {import("chart.js").LegendItem} */ item,
              /** @type {import("chart.js").ChartData} */ data,
            ) => !(/** @type {any} */ (data.datasets[item.datasetIndex ?? 0])).band,
          },
        },
      },
    },
  };
}

/**
 * @param {Record<string, any>} exp  GET /api/experiments/:id
 * @param {URLSearchParams} q
 * @returns {Config}
 */
function reliabilityFigure(exp, q) {
  const i = Number(q.get("reliability"));
  const cell = exp.stats.cells[i];
  if (!cell) throw new Error(`no cell ${i}`);
  // A tuned experiment's runs: only the comparison shown (trials have no test split).
  const shown = q.get("comparison") ?? exp.compare?.[0];
  const inShown = (/** @type {Record<string, any>} */ r) =>
    !exp.tune || (shown === "tuned" ? r.tune?.role === "confirm" : r.tune === undefined);
  // The final epochs of the cell's finished runs, bins summed over seeds.
  /** @type {Record<string, any>[]} */
  const runs = exp.runs.filter((/** @type {Record<string, any>} */ r) =>
    r.cellKey === cell.key && r.status === "done" && r.last && inShown(r)
  );
  const pooled = pooledReliability(runs.map((r) => r.last));
  return {
    type: "bar",
    data: reliabilityData(pooled, SERIES[0].color),
    options: {
      ...SIZED,
      scales: {
        x: { title: { display: true, text: "confidence (bin centre)" } },
        y: { min: 0, max: 100, title: { display: true, text: "accuracy (%)" } },
      },
      plugins: {
        title: {
          display: true,
          text: q.get("title") ??
            `${cell.label}: reliability at the final epoch, ${runs.length} seeds pooled, ` +
              `mean ${metricTitle("ece")} ${metricText("ece", pooled.meanEce)}`,
          font: { size: 15 },
        },
      },
    },
  };
}

async function main() {
  const q = new URLSearchParams(location.search);
  const id = q.get("experiment");
  try {
    if (!id) throw new Error("figure.html needs ?experiment=ID");
    const metric = q.get("metric") ?? "testAcc";
    await loadMetrics();
    // A tuned experiment's comparison (defaults or tuned; the service's default: its first).
    const comparison = q.get("comparison");
    const res = await fetch(
      `/api/experiments/${encodeURIComponent(id)}?metric=${encodeURIComponent(metric)}` +
        (comparison ? `&comparison=${encodeURIComponent(comparison)}` : ""),
    );
    const exp = await res.json();
    if (!res.ok) throw new Error(exp?.error ?? `${res.status}`);
    const canvas = /** @type {HTMLCanvasElement} */ (document.getElementById("figure"));
    if (q.has("tuning")) {
      await tuningFigure(exp, q, /** @type {HTMLElement} */ (canvas.parentElement));
    } else {
      new Chart(canvas, q.has("reliability") ? reliabilityFigure(exp, q) : lineFigure(exp, q));
    }
  } catch (e) {
    const p = document.getElementById("error");
    if (p) {
      p.hidden = false;
      p.textContent = /** @type {Error} */ (e).message;
    }
  }
  document.body.dataset.ready = "1";
}

main();
