// One experiment figure on a page of its own: per cell, the mean over seeds
// with a band (95% CI, ±1 sd or min–max), or a cell's reliability diagram.
// Linkable, and what `deno task study` screenshots for docs/results.md:
//   /figure.html?experiment=ID&metric=testAcc&band=ci|sd|minmax[&cells=0,2][&title=…]
//   /figure.html?experiment=ID&reliability=CELL_INDEX
// Sets document.body.dataset.ready = "1" once drawn.
import { SERIES } from "./palette.js";

const NAMES = {
  testAcc: "test accuracy",
  f1: "macro F1",
  testLoss: "test loss",
  trainLoss: "train loss",
  trainAcc: "train accuracy",
  ece: "expected calibration error",
  balancedAcc: "balanced accuracy",
  worstClassAcc: "worst-class accuracy",
  valAcc: "validation accuracy",
  valLoss: "validation loss",
  valF1: "validation macro F1",
  trainAccClean: "train accuracy, clean samples",
  trainAccNoisy: "train accuracy on flipped labels (memorisation)",
};
const isFraction = (m) => /acc|f1/i.test(m);
const BANDS = { ci: "95% CI", sd: "±1 sd", minmax: "min–max" };

function alpha(hex, a) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
}

/** [low, high] of one epoch's summary for the chosen band. */
export function bandOf(s, band) {
  if (s.mean === null) return [null, null];
  if (band === "minmax") return [s.min, s.max];
  if (band === "sd") return s.sd === null ? [s.mean, s.mean] : [s.mean - s.sd, s.mean + s.sd];
  return s.ci95 ?? [s.mean, s.mean];
}

function lineFigure(exp, q) {
  const metric = q.get("metric") ?? "testAcc";
  const band = BANDS[q.get("band")] ? q.get("band") : "ci";
  const pick = q.get("cells")?.split(",").map(Number);
  const scale = isFraction(metric) ? 100 : 1;
  const datasets = [];
  exp.stats.cells.forEach((cell, i) => {
    if (pick && !pick.includes(i)) return;
    const rows = cell.perEpoch[metric] ?? [];
    if (!rows.length) return;
    const s = SERIES[i % SERIES.length];
    const pts = (f) => rows.map((r) => ({ x: r.epoch, y: f(r) === null ? null : f(r) * scale }));
    const n = Math.max(...rows.map((r) => r.n));
    datasets.push(
      {
        data: pts((r) => bandOf(r, band)[0]),
        borderWidth: 0,
        pointRadius: 0,
        fill: false,
        band: true,
      },
      {
        data: pts((r) => bandOf(r, band)[1]),
        borderWidth: 0,
        pointRadius: 0,
        backgroundColor: alpha(s.color, 0.16),
        fill: "-1",
        band: true,
      },
      {
        label: `${cell.label} (n = ${n})`,
        data: pts((r) => r.mean),
        borderColor: s.color,
        backgroundColor: s.color,
        borderDash: s.dash,
        pointStyle: s.point,
        pointRadius: 2.5,
        borderWidth: 2,
        fill: false,
      },
    );
  });
  const title = q.get("title") ??
    `${NAMES[metric] ?? metric}${isFraction(metric) ? " (%)" : ""}: mean over seeds, band ${
      BANDS[band]
    }`;
  return {
    type: "line",
    data: { datasets },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      parsing: false,
      scales: {
        x: { type: "linear", title: { display: true, text: "epoch" }, ticks: { stepSize: 1 } },
        y: { title: { display: true, text: NAMES[metric] ?? metric } },
      },
      plugins: {
        title: { display: true, text: title, font: { size: 15 } },
        legend: {
          labels: {
            usePointStyle: true,
            filter: (item, data) => !data.datasets[item.datasetIndex].band,
          },
        },
      },
    },
  };
}

function reliabilityFigure(exp, q) {
  const i = Number(q.get("reliability"));
  const cell = exp.stats.cells[i];
  if (!cell) throw new Error(`no cell ${i}`);
  // The final epochs of the cell's finished runs, bins summed over seeds.
  const runs = exp.runs.filter((r) => r.cellKey === cell.key && r.status === "done" && r.last);
  const bins = runs[0]?.last.reliability.count.length ?? 15;
  const count = new Array(bins).fill(0), hit = new Array(bins).fill(0);
  for (const r of runs) {
    const rel = r.last.reliability;
    for (let b = 0; b < bins; b++) {
      count[b] += rel.count[b];
      hit[b] += rel.accuracy[b] * rel.count[b];
    }
  }
  const centres = count.map((_, b) => (b + 0.5) / bins);
  const ece = runs.map((r) => r.last.ece);
  const meanEce = ece.reduce((a, b) => a + b, 0) / Math.max(1, ece.length);
  return {
    type: "bar",
    data: {
      labels: centres.map((c) => c.toFixed(2)),
      datasets: [
        {
          label: "accuracy in bin",
          data: count.map((c, b) => (c ? (100 * hit[b]) / c : null)),
          backgroundColor: alpha(SERIES[0].color, 0.7),
        },
        {
          type: "line",
          label: "perfect calibration",
          data: centres.map((c) => 100 * c),
          borderColor: "#555",
          borderDash: [4, 4],
          pointRadius: 0,
        },
      ],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        x: { title: { display: true, text: "confidence (bin centre)" } },
        y: { min: 0, max: 100, title: { display: true, text: "accuracy (%)" } },
      },
      plugins: {
        title: {
          display: true,
          text: q.get("title") ??
            `${cell.label}: reliability at the final epoch, ${runs.length} seeds pooled, ` +
              `mean ECE ${(100 * meanEce).toFixed(2)}%`,
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
    const res = await fetch(`/api/experiments/${encodeURIComponent(id)}?metric=${metric}`);
    const exp = await res.json();
    if (!res.ok) throw new Error(exp?.error ?? `${res.status}`);
    const config = q.has("reliability") ? reliabilityFigure(exp, q) : lineFigure(exp, q);
    new globalThis.Chart(document.getElementById("figure"), config);
  } catch (e) {
    const p = document.getElementById("error");
    p.hidden = false;
    p.textContent = e.message;
  }
  document.body.dataset.ready = "1";
}

main();
