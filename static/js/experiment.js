// The experiment view: one experiment's statistics as the service computes
// them (GET /api/experiments/:id). Per figure, one mean line per cell with a
// band (95% CI, ±1 sd or min–max; js/bands.js, as figure.html draws them) and
// the single seeds' lines on demand; the summary per cell at a chosen point;
// the pairwise matrix coloured by Holm-adjusted significance and direction,
// with every verdict listed; a cell's reliability diagram and per-class bars;
// adding seeds, cancelling, deleting, and the CSV exports. It refetches
// (at most once a second) when one of the experiment's runs reports.
import { api } from "./api.js";
import { drawCdDiagram } from "./cd-diagram.js";
import { drawSequential } from "./sequential-view.js";
import { alpha, bandDatasets, BANDS, isFraction, metricName } from "./bands.js";
import { mountDetails } from "./details.js";
import { classNames, h, shortId, time } from "./format.js";
import { parseSeeds } from "./grid-form.js";
import { whiteBackground } from "./png.js";
import { styleOfSlot } from "./series.js";
import { epochList } from "./state.js";
import {
  bestCell,
  compareMetrics,
  diffText,
  entryColor,
  figureMetrics,
  formatStat,
  matrixEntry,
  progressText,
  settingsLine,
  statsLegendText,
  summaryCell,
  summaryMetrics,
} from "./stats-view.js";

const VIEW_KEY = "lossbench.experimentView";
const FIGURE_TITLES = {
  testAcc: "Test accuracy",
  f1: "Macro F1",
  testLoss: "Test loss",
  ece: "Expected calibration error",
  trainAccNoisy: "Memorisation: train accuracy on flipped labels",
  valAcc: "Validation accuracy",
};
/** Short y-axis titles (the card's heading says the rest). */
const AXIS_TITLES = {
  testAcc: "accuracy (%)",
  f1: "macro F1 (%)",
  testLoss: "loss",
  ece: "ECE",
  trainAccNoisy: "flipped labels fitted (%)",
  valAcc: "accuracy (%)",
};
const COLUMN_TITLES = {
  testAcc: "Test acc",
  f1: "Macro F1",
  testLoss: "Test loss",
  ece: "ECE",
  balancedAcc: "Balanced acc",
  worstClassAcc: "Worst class",
  trainAccNoisy: "Memorised",
  valAcc: "Val acc",
};

const view = {
  band: "ci",
  seeds: false,
  point: "final",
  k: 3,
  on: "valAcc",
  metric: "testAcc",
  ...loadView(),
};

function loadView() {
  try {
    const v = JSON.parse(localStorage.getItem(VIEW_KEY) ?? "null");
    if (!v || typeof v !== "object") return {};
    return {
      band: BANDS[v.band] ? v.band : "ci",
      seeds: v.seeds === true,
      point: ["final", "lastK", "best"].includes(v.point) ? v.point : "final",
      k: Number.isInteger(v.k) && v.k >= 1 ? v.k : 3,
      on: v.on === "valLoss" ? "valLoss" : "valAcc",
      metric: typeof v.metric === "string" ? v.metric : "testAcc",
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

const $ = (sel) => document.querySelector(sel);
let els = null;
let hooks = null;
let list = []; // experiments, newest first
let currentId = null;
let data = null; // the latest answer for currentId
let statsError = "";
let cellIndex = 0;
const charts = new Map(); // metric → {chart, card}
let details = null;

/**
 * hooks: {notice(text), ensureEpochs(id) → Promise, actionFailed(what, error),
 * onShown()}. Builds the figures' controls and wires the buttons.
 */
export function mountExperiment(h0) {
  hooks = h0;
  els = {
    select: $("#exp-select"),
    progress: $("#exp-progress"),
    meta: $("#exp-meta"),
    error: $("#exp-error"),
    empty: $("#exp-empty"),
    body: $("#exp-body"),
    head: $(".exp-head"),
    seedsInput: $("#exp-seeds"),
    addSeeds: $("#exp-add-seeds"),
    cancel: $("#exp-cancel"),
    remove: $("#exp-delete"),
    csv: {
      runs: $("#exp-csv-runs"),
      summary: $("#exp-csv-summary"),
      comparisons: $("#exp-csv-comparisons"),
    },
    grid: $("#exp-grid"),
    seedLines: $("#exp-seeds-lines"),
    bands: [...document.querySelectorAll("[data-band]")],
    point: $("#exp-point"),
    k: $("#exp-k"),
    on: $("#exp-on"),
    statsError: $("#exp-stats-error"),
    summary: $("#exp-summary"),
    metric: $("#exp-metric"),
    matrix: $("#exp-matrix"),
    matrixNote: $("#exp-matrix-note"),
    legend: $("#exp-matrix-legend"),
    verdicts: $("#exp-verdicts"),
    cell: $("#exp-cell"),
    cellFigs: $("#exp-cell-figs"),
  };
  details = mountDetails(els.cellFigs, "cell");
  details.hide();

  els.select.addEventListener("change", () => open(els.select.value));
  for (const b of els.bands) {
    b.addEventListener("click", () => {
      view.band = b.dataset.band;
      saveView();
      render();
    });
  }
  els.seedLines.checked = view.seeds;
  els.seedLines.addEventListener("change", () => {
    view.seeds = els.seedLines.checked;
    saveView();
    if (view.seeds) loadSeedEpochs();
    render();
  });
  els.point.value = view.point;
  els.k.value = String(view.k);
  els.on.value = view.on;
  const pointChanged = () => {
    view.point = els.point.value;
    const k = Number(els.k.value);
    if (Number.isInteger(k) && k >= 1) view.k = k;
    view.on = els.on.value;
    saveView();
    syncPointInputs();
    refresh({ now: true });
  };
  els.point.addEventListener("change", pointChanged);
  els.k.addEventListener("change", pointChanged);
  els.on.addEventListener("change", pointChanged);
  syncPointInputs();
  els.metric.addEventListener("change", () => {
    view.metric = els.metric.value;
    saveView();
    refresh({ now: true });
  });
  els.cell.addEventListener("change", () => {
    cellIndex = Number(els.cell.value) || 0;
    renderCell();
  });
  els.addSeeds.addEventListener("click", addSeeds);
  els.seedsInput.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") addSeeds();
  });
  els.cancel.addEventListener("click", cancelAll);
  els.remove.addEventListener("click", removeAll);
  renderHead();
}

function syncPointInputs() {
  for (const el of document.querySelectorAll(".point-k")) el.hidden = view.point !== "lastK";
  for (const el of document.querySelectorAll(".point-on")) el.hidden = view.point !== "best";
}

// --- the list and the open experiment --------------------------------------------

/** The experiment open in the view (null when none). */
export const openId = () => currentId;

/** Reloads the list of experiments; opens the newest when none is open. */
export async function loadList() {
  try {
    const res = await api.experiments();
    list = res?.experiments ?? [];
  } catch (e) {
    hooks.notice(`Could not load the experiments: ${e.message}`);
    return;
  }
  if (currentId && !list.some((x) => x.id === currentId)) {
    currentId = null;
    data = null;
  }
  if (!currentId && list.length) currentId = list[0].id;
  renderHead();
  if (currentId && data?.id !== currentId) refresh({ now: true });
}

/** Opens an experiment (e.g. one just started: `exp` is what the API answered). */
export function open(id, exp) {
  if (exp && !list.some((x) => x.id === exp.id)) {
    const { runs: _runs, ...entry } = exp;
    list.unshift(entry);
  }
  if (id !== currentId) {
    currentId = id;
    data = exp?.stats ? exp : null;
    statsError = "";
    cellIndex = 0;
  }
  renderHead();
  render();
  refresh({ now: true });
}

function label(x) {
  const cells = x.cells?.length ?? 0;
  const seeds = x.seeds?.length ?? 0;
  return `${x.name ?? `Experiment #${shortId(x.id)}`} · ${cells} cell${cells === 1 ? "" : "s"} × ` +
    `${seeds} seed${seeds === 1 ? "" : "s"} · ${x.settings?.data ?? ""} · ${time(x.createdAt)}`;
}

function renderHead() {
  if (!els) return;
  const key = list.map((x) => `${x.id}:${x.seeds?.length}`).join(",");
  if (els.select.dataset.key !== key) {
    els.select.dataset.key = key;
    els.select.replaceChildren(...list.map((x) => h("option", { value: x.id }, label(x))));
  }
  if (currentId) els.select.value = currentId;
  hooks.onOpen?.(currentId);
  const has = Boolean(currentId);
  els.empty.hidden = has;
  els.head.hidden = !has;
  els.body.hidden = !data;
}

// --- fetching, throttled ------------------------------------------------------------
let inflight = false;
let again = false;
let timer = 0;
let lastFetch = 0;

function query(point = view.point) {
  const q = { metric: view.metric, point };
  if (point === "lastK") q.k = view.k;
  if (point === "best") q.on = view.on;
  return q;
}

/** Refetches the open experiment: at most once a second, or at once with {now}. */
export function refresh({ now = false } = {}) {
  if (!currentId) return;
  if (inflight) {
    again = true;
    return;
  }
  if (now) {
    clearTimeout(timer);
    timer = 0;
    load();
    return;
  }
  if (timer) return;
  timer = setTimeout(load, Math.max(0, lastFetch + 1000 - Date.now()));
}

async function load() {
  timer = 0;
  inflight = true;
  lastFetch = Date.now();
  const id = currentId;
  try {
    let exp;
    let err = "";
    try {
      exp = await api.experiment(id, query());
    } catch (e) {
      // A point the experiment can't give (best without a validation split):
      // say why, and keep the figures, which don't depend on the point.
      if (e.status !== 400 || view.point === "final") throw e;
      err = e.message;
      exp = await api.experiment(id, query("final"));
    }
    if (id !== currentId) return;
    data = exp;
    statsError = err;
    const entry = list.find((x) => x.id === id);
    if (entry) Object.assign(entry, { seeds: exp.seeds, runIds: exp.runIds });
    if (view.seeds) loadSeedEpochs();
    renderHead();
    render();
  } catch (e) {
    if (id !== currentId) return;
    if (e.status === 404) {
      list = list.filter((x) => x.id !== id);
      currentId = list[0]?.id ?? null;
      data = null;
      renderHead();
      if (currentId) again = true;
    } else if (e.status === 400 && e.message.startsWith("metric:")) {
      view.metric = "testAcc";
      saveView();
      again = true;
    } else {
      els.error.textContent = `Could not load the experiment: ${e.message}`;
    }
  } finally {
    inflight = false;
    if (again) {
      again = false;
      refresh();
    }
  }
}

/** A run's event: refetch when it belongs to the open experiment; a new experiment joins the list. */
export function onRunEvent(type, d) {
  if (!els) return;
  const runId = type === "epoch" ? d.runId : d.id;
  const expId = d.experimentId;
  if (expId && !list.some((x) => x.id === expId)) loadListSoon();
  if (!currentId) return;
  if (expId === currentId || data?.runIds?.includes(runId)) refresh();
}

let listTimer = 0;
function loadListSoon() {
  if (listTimer) return;
  listTimer = setTimeout(() => {
    listTimer = 0;
    loadList();
  }, 500);
}

function loadSeedEpochs() {
  for (const r of data?.runs ?? []) {
    if ((r.epochsDone ?? 0) > 0) hooks.ensureEpochs(r.id)?.then?.(() => render());
  }
}

// --- rendering ------------------------------------------------------------------------
let frame = 0;
/** Redraws on the next frame (many events may land in one). */
export function render() {
  frame ||= requestAnimationFrame(() => {
    frame = 0;
    draw();
  });
}

function draw() {
  if (!els) return;
  renderHead();
  if (!data || data.id !== currentId) return;
  const exp = data;
  els.progress.textContent = progressText(exp.runs ?? []);
  els.progress.dataset.finished = String((exp.runs ?? []).every((r) => r.status === "done"));
  els.meta.textContent = settingsLine(exp);
  const active = (exp.runs ?? []).some((r) => r.status === "queued" || r.status === "running");
  els.cancel.hidden = !active;
  els.remove.disabled = active;
  els.remove.title = active ? "Cancel its runs first" : "Delete the experiment and its runs";
  els.csv.runs.href = api.experimentCsvUrl(exp.id, "runs");
  els.csv.summary.href = api.experimentCsvUrl(exp.id, "summary", statsError ? {} : query());
  els.csv.comparisons.href = api.experimentCsvUrl(
    exp.id,
    "comparisons",
    statsError ? { metric: view.metric } : query(),
  );
  for (const b of els.bands) b.setAttribute("aria-pressed", String(b.dataset.band === view.band));
  drawFigures(exp);
  drawSummary(exp);
  drawMatrix(exp);
  drawCdDiagram(els.verdicts, exp.stats); // ≥ 2 conditions: the critical-difference diagram
  drawSequential(els.verdicts, exp); // `until`: the sequential design and where it stands
  renderCell();
}

// Figures ----------------------------------------------------------------------------
function chartFor(metric) {
  let c = charts.get(metric);
  if (c) return c;
  const canvas = h("canvas", { id: `exp-chart-${metric}`, role: "img" });
  const card = h(
    "figure",
    { className: "card chart-card" },
    h("figcaption", {}, h("h3", {}, FIGURE_TITLES[metric] ?? metricName(metric))),
    h("div", { className: "chart-box" }, canvas),
  );
  els.grid.append(card);
  const fraction = isFraction(metric);
  const chart = new globalThis.Chart(canvas, {
    type: "line",
    data: { datasets: [] },
    plugins: [whiteBackground],
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      parsing: false,
      interaction: { mode: "nearest", axis: "x", intersect: false },
      scales: {
        x: { type: "linear", title: { display: true, text: "epoch" }, ticks: { precision: 0 } },
        y: {
          title: { display: true, text: AXIS_TITLES[metric] ?? metricName(metric) },
          ticks: fraction ? { callback: (v) => `${v}%` } : {},
          // Fit the data with a little headroom, but a band never draws an
          // accuracy below 0% or above 100%, nor a loss or ECE below 0.
          afterDataLimits: (scale) => {
            const pad = Math.max(fraction ? 0.5 : 0.001, (scale.max - scale.min) * 0.05);
            scale.min = Math.max(0, scale.min - pad);
            scale.max = fraction ? Math.min(100, scale.max + pad) : scale.max + pad;
          },
        },
      },
      plugins: {
        legend: {
          position: "bottom",
          onClick: null,
          labels: {
            usePointStyle: true,
            boxWidth: 8,
            boxHeight: 8,
            padding: 10,
            filter: (item, d) => {
              const ds = d.datasets[item.datasetIndex];
              return !ds.band && !ds.seed;
            },
          },
        },
        tooltip: {
          filter: (item) => !item.dataset.band,
          callbacks: {
            title: (items) => `epoch ${items[0]?.parsed.x}`,
            label: (item) => {
              const ds = item.dataset;
              const row = ds.rows?.[item.dataIndex];
              const v = formatStat(item.parsed.y / (fraction ? 100 : 1), metric, fraction ? 1 : 4);
              const unit = fraction ? "%" : "";
              if (ds.seed) return `${ds.label}: ${v}${unit}`;
              const band = row ? bandText(row, metric) : "";
              return `${ds.label}: ${v}${unit}${band}`;
            },
          },
        },
      },
    },
  });
  c = { chart, card, canvas };
  charts.set(metric, c);
  return c;
}

function bandText(row, metric) {
  const f = (x) => formatStat(x, metric, isFraction(metric) ? 1 : 4);
  if (view.band === "minmax") return `, min–max [${f(row.min)}, ${f(row.max)}]`;
  if (view.band === "sd") return row.sd === null ? "" : ` ± ${f(row.sd)} sd`;
  return row.ci95 ? `, 95% CI [${f(row.ci95[0])}, ${f(row.ci95[1])}]` : "";
}

function drawFigures(exp) {
  const metrics = figureMetrics(exp);
  for (const [m, c] of charts) c.card.hidden = !metrics.includes(m);
  const maxEpoch = exp.settings?.epochs ?? 1;
  for (const metric of metrics) {
    const { chart, canvas } = chartFor(metric);
    const scale = isFraction(metric) ? 100 : 1;
    const datasets = [];
    const parts = [];
    exp.stats.cells.forEach((cell, i) => {
      const rows = cell.perEpoch?.[metric] ?? [];
      const style = styleOfSlot(i);
      if (view.seeds) {
        for (const run of exp.runs.filter((r) => r.cellKey === cell.key)) {
          const pts = epochList(run.id)
            .filter((e) => typeof e[metric] === "number")
            .map((e) => ({ x: e.epoch, y: e[metric] * scale }));
          if (!pts.length) continue;
          datasets.push({
            label: `${cell.label}, seed ${run.config?.seed}`,
            data: pts,
            seed: true,
            borderColor: alpha(style.color, 0.45),
            backgroundColor: alpha(style.color, 0.45),
            borderWidth: 1,
            pointRadius: 0,
            pointHoverRadius: 3,
            fill: false,
            order: 2,
          });
        }
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
    });
    chart.data.datasets = datasets;
    chart.options.scales.x.min = 1;
    chart.options.scales.x.max = Math.max(2, maxEpoch);
    chart.update();
    canvas.setAttribute(
      "aria-label",
      `${FIGURE_TITLES[metric] ?? metricName(metric)}, mean over seeds with a ${
        BANDS[view.band]
      } band. ${parts.join("; ") || "No epochs yet."}`,
    );
  }
}

// Summary table ----------------------------------------------------------------------------
function swatch(i) {
  return h("span", {
    className: "swatch",
    "aria-hidden": "true",
    style: `background:${styleOfSlot(i).color}`,
  });
}

function pointText(point) {
  if (!point) return "";
  if (point.kind === "lastK") return `the mean of the last ${point.k} epochs`;
  if (point.kind === "best") return `the best epoch on ${metricName(point.on)}`;
  return "the final epoch";
}

function drawSummary(exp) {
  const metrics = summaryMetrics(exp);
  const cells = exp.stats.cells;
  els.statsError.textContent = statsError
    ? `${statsError}. The table and the comparisons below are at the final epoch instead.`
    : "";
  const best = Object.fromEntries(metrics.map((m) => [m, bestCell(cells, m)]));
  const head = h(
    "tr",
    {},
    h("th", { scope: "col" }, "Cell"),
    h("th", { scope: "col", className: "num" }, "n"),
    ...metrics.map((m) =>
      h("th", { scope: "col", className: "num", title: metricName(m) }, COLUMN_TITLES[m] ?? m)
    ),
  );
  const rows = cells.map((cell, i) => {
    const tds = metrics.map((m) => {
      const s = summaryCell(cell.summary?.[m], m);
      const td = h(
        "td",
        { className: "num", "data-label": COLUMN_TITLES[m] ?? m },
        h("span", { className: "stat-main" }, s.main),
        s.ci ? h("span", { className: "sub" }, s.ci) : null,
      );
      if (best[m] === i) td.classList.add("best");
      if (s.reason) td.title = s.reason;
      return td;
    });
    const running = cell.runs - cell.finished;
    return h(
      "tr",
      {},
      h("th", { scope: "row", className: "cell-name" }, swatch(i), ` ${cell.label}`),
      h(
        "td",
        { className: "num", "data-label": "n" },
        String(cell.finished),
        running > 0 ? h("span", { className: "sub" }, `+${running} training`) : null,
      ),
      ...tds,
    );
  });
  els.summary.replaceChildren(
    h(
      "caption",
      { className: "hint" },
      `At ${pointText(statsError ? { kind: "final" } : exp.stats.point)}; best mean in bold.`,
    ),
    h("thead", {}, head),
    h("tbody", {}, ...rows),
  );
}

// Pairwise matrix and verdicts ------------------------------------------------------------
function drawMatrix(exp) {
  const metrics = compareMetrics(exp);
  const key = metrics.join(",");
  if (els.metric.dataset.key !== key) {
    els.metric.dataset.key = key;
    els.metric.replaceChildren(...metrics.map((m) => h("option", { value: m }, metricName(m))));
  }
  els.metric.value = metrics.includes(exp.stats.metric) ? exp.stats.metric : "testAcc";
  const cells = exp.stats.cells;
  const comps = exp.stats.comparisons ?? [];
  const metric = exp.stats.metric;
  if (cells.length < 2) {
    els.matrix.replaceChildren();
    els.matrixNote.textContent = "";
    els.legend.textContent = "One cell: nothing to compare.";
    els.verdicts.replaceChildren();
    return;
  }
  const unit = isFraction(metric) ? "points" : "";
  const head = h(
    "tr",
    {},
    h("th", { scope: "col", className: "corner" }, "row − column"),
    ...cells.map((c, j) =>
      h("th", { scope: "col", title: c.label, className: "col-head" }, swatch(j), ` ${j + 1}`)
    ),
  );
  const body = cells.map((a, i) =>
    h(
      "tr",
      {},
      h("th", { scope: "row", className: "cell-name" }, swatch(i), ` ${i + 1} · ${a.label}`),
      ...cells.map((b, j) => {
        if (i === j) return h("td", { className: "diag", "aria-label": "same cell" }, "·");
        const e = matrixEntry(comps, a.key, b.key);
        const { fill, ink } = entryColor(e);
        const td = h(
          "td",
          { className: "entry", tabIndex: 0, style: `background:${fill};color:${ink}` },
          e ? diffText(e.diff, metric) : "–",
          e?.stars ? h("span", { className: "stars" }, e.stars) : null,
        );
        if (e) {
          td.dataset.level = String(e.level);
          td.dataset.better = String(e.better);
          td.title = e.comparison.verdict;
          td.setAttribute("aria-label", e.comparison.verdict);
          const pick = () => selectVerdict(comps.indexOf(e.comparison));
          td.addEventListener("click", pick);
          td.addEventListener("keydown", (ev) => {
            if (ev.key === "Enter" || ev.key === " ") {
              ev.preventDefault();
              pick();
            }
          });
        }
        return td;
      }),
    )
  );
  els.matrixNote.textContent = `${metricName(metric)}: mean of row − column` +
    `${unit ? ` in ${unit}` : ""}, at ${
      pointText(statsError ? { kind: "final" } : exp.stats.point)
    }.`;
  els.matrix.replaceChildren(
    h("thead", {}, head),
    h("tbody", {}, ...body),
  );
  els.legend.replaceChildren(
    legendChip({ level: 3, better: true, diff: 1 }, "row better, p(Holm) < 0.001 ***"),
    legendChip({ level: 1, better: true, diff: 1 }, "< 0.05 *"),
    legendChip({ level: 0, better: null, diff: 1 }, "not significant"),
    legendChip({ level: 1, better: false, diff: 1 }, "row worse, < 0.05 *"),
    legendChip({ level: 3, better: false, diff: 1 }, "< 0.001 ***"),
    h("span", {}, statsLegendText(exp.stats)),
  );
  els.verdicts.replaceChildren(
    ...comps.map((c, k) => {
      const e = matrixEntry(comps, c.a, c.b);
      const { fill } = entryColor(e);
      const li = h(
        "li",
        { tabIndex: -1 },
        h("span", { className: "chip", "aria-hidden": "true", style: `background:${fill}` }),
        c.verdict,
      );
      li.dataset.index = String(k);
      li.dataset.level = String(e?.level ?? 0);
      if (c.reason) li.title = c.reason;
      return li;
    }),
  );
  if (selectedVerdict !== null) selectVerdict(selectedVerdict, { scroll: false });
}

let selectedVerdict = null;
function selectVerdict(k, { scroll = true } = {}) {
  selectedVerdict = k;
  for (const li of els.verdicts.children) {
    const on = li.dataset.index === String(k);
    li.classList.toggle("selected", on);
    if (on) li.setAttribute("aria-current", "true");
    else li.removeAttribute("aria-current");
    if (on && scroll) {
      li.scrollIntoView({ block: "nearest", behavior: "smooth" });
      li.focus({ preventScroll: true });
    }
  }
}

function legendChip(entry, text) {
  const { fill } = entryColor(entry);
  return h(
    "span",
    { className: "legend-item" },
    h("span", { className: "chip", "aria-hidden": "true", style: `background:${fill}` }),
    text,
  );
}

// A cell's calibration and per-class results -------------------------------------------
function renderCell() {
  if (!data) return;
  const cells = data.stats.cells;
  const key = cells.map((c) => c.key).join("\n");
  if (els.cell.dataset.key !== key) {
    els.cell.dataset.key = key;
    els.cell.replaceChildren(
      ...cells.map((c, i) => h("option", { value: String(i) }, `${i + 1} · ${c.label}`)),
    );
    if (cellIndex >= cells.length) cellIndex = 0;
  }
  els.cell.value = String(cellIndex);
  const cell = cells[cellIndex];
  const runs = (data.runs ?? []).filter((r) =>
    r.cellKey === cell?.key && r.status === "done" && r.last?.reliability
  );
  if (!runs.length) {
    details.hide();
    return;
  }
  const k = runs[0].last.perClass?.f1?.length ?? 0;
  details.show(runs.map((r) => r.last), {
    names: classNames(runs[0], k),
    color: styleOfSlot(cellIndex).color,
    what: `${cell.label}, final epoch`,
  });
}

// Actions ---------------------------------------------------------------------------------
async function addSeeds() {
  if (!data) return;
  els.error.textContent = "";
  let seeds;
  const text = els.seedsInput.value.trim();
  try {
    seeds = text ? parseSeeds(text) : [Math.max(0, ...data.seeds) + 1];
  } catch (e) {
    els.error.textContent = `Add seeds: ${e.message}`;
    els.seedsInput.setAttribute("aria-invalid", "true");
    return;
  }
  els.seedsInput.removeAttribute("aria-invalid");
  els.addSeeds.disabled = true;
  try {
    const res = await api.addSeeds(data.id, seeds);
    els.seedsInput.value = "";
    hooks.notice(
      `Added seed${seeds.length === 1 ? "" : "s"} ${seeds.join(", ")}: ` +
        `${res.added?.length ?? 0} runs queued.`,
    );
    hooks.onRuns?.(res.added ?? []);
    refresh({ now: true });
  } catch (e) {
    if (e.status === 401) hooks.actionFailed("Adding seeds", e);
    else els.error.textContent = `Add seeds: ${e.message}`;
  } finally {
    els.addSeeds.disabled = false;
  }
}

async function cancelAll() {
  if (!data) return;
  els.cancel.disabled = true;
  try {
    const res = await api.cancelExperiment(data.id);
    hooks.notice(`Cancelled ${res.cancelled ?? 0} runs.`);
    hooks.onRuns?.(res.runs ?? []);
    refresh({ now: true });
  } catch (e) {
    hooks.actionFailed("Cancel", e);
  } finally {
    els.cancel.disabled = false;
  }
}

async function removeAll() {
  if (!data) return;
  const n = data.runs?.length ?? 0;
  if (!confirm(`Delete this experiment and its ${n} runs with their epochs?`)) return;
  try {
    await api.removeExperiment(data.id);
    const id = data.id;
    list = list.filter((x) => x.id !== id);
    currentId = list[0]?.id ?? null;
    data = null;
    hooks.notice("Deleted the experiment.");
    renderHead();
    refresh({ now: true });
  } catch (e) {
    if (e.status === 409) els.error.textContent = e.message;
    else hooks.actionFailed("Delete", e);
  }
}
