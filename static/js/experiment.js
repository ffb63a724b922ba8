// @ts-check
// The experiment view: one experiment's statistics as the service computes
// them (GET /api/experiments/:id). This module mounts the view and draws it;
// each part is its own module: the data and its throttled refetch
// (exp-data.js), the figures (exp-figures.js), the summary (exp-summary.js),
// the pairwise matrix (exp-matrix.js), a cell's calibration and per-class
// results (exp-cell.js), the actions and exports (exp-actions.js), and under the
// verdicts the critical-difference diagram (cd-diagram.js) and an experiment
// with `until`'s sequential design (sequential-view.js); a tuned experiment's
// panel (exp-tuning.js). What the
// view shows lives in state.experiment and state.experimentView.
import { drawCdDiagram } from "./cd-diagram.js";
import { drawActions, mountActions } from "./exp-actions.js";
import { drawCell, mountCell } from "./exp-cell.js";
import {
  loadList,
  loadSeedEpochs,
  mountData,
  onRunEvent,
  open,
  refresh,
  saveView,
} from "./exp-data.js";
import { drawFigures, mountFigures } from "./exp-figures.js";
import { drawMatrix, mountMatrix } from "./exp-matrix.js";
import { drawSummary, mountSummary } from "./exp-summary.js";
import { drawTuning, mountTuning } from "./exp-tuning.js";
import { $, h, shortId, time } from "./format.js";
import { drawSequential } from "./sequential-view.js";
import { state } from "./state.js";
import { progressText, settingsLine } from "./stats-view.js";

export { loadList, onRunEvent, open, refresh };

/**
 * @typedef {object} ViewHooks
 * @property {(text: string) => void} notice
 * @property {(id: string) => Promise<void> | undefined} ensureEpochs
 * @property {(what: string, e: any) => void} actionFailed
 * @property {(runs: import("./state.js").Run[]) => void} [onRuns]
 * @property {(id: string | null) => void} [onOpen]  the open experiment is now `id`
 */

const exp = state.experiment;
const view = state.experimentView;

/**
 * @type {{select: HTMLSelectElement, progress: HTMLElement, meta: HTMLElement,
 *   error: HTMLElement, empty: HTMLElement, body: HTMLElement, head: HTMLElement,
 *   seedLines: HTMLInputElement, bands: HTMLElement[], point: HTMLSelectElement,
 *    k: HTMLInputElement, on: HTMLSelectElement, verdicts: HTMLElement} | null}
 */
let els = null;
/** @type {ViewHooks | null} */
let hooks = null;

/** Finds the view's elements, builds its parts and wires the controls. @param {ViewHooks} h0 */
export function mountExperiment(h0) {
  hooks = h0;
  mountData({
    notice: h0.notice,
    ensureEpochs: h0.ensureEpochs,
    changed: render,
    failed: (text) => {
      if (els) els.error.textContent = text;
    },
  });
  els = {
    select: $("#exp-select"),
    progress: $("#exp-progress"),
    meta: $("#exp-meta"),
    error: $("#exp-error"),
    empty: $("#exp-empty"),
    body: $("#exp-body"),
    head: $(".exp-head"),
    seedLines: $("#exp-seeds-lines"),
    bands: [...document.querySelectorAll("[data-band]")].map((
      b,
    ) => /** @type {HTMLElement} */ (b)),
    point: $("#exp-point"),
    k: $("#exp-k"),
    on: $("#exp-on"),
    verdicts: $("#exp-verdicts"),
  };
  mountFigures($("#exp-grid"));
  mountSummary({ error: $("#exp-stats-error"), table: $("#exp-summary") });
  mountMatrix(
    {
      metric: $("#exp-metric"),
      matrix: $("#exp-matrix"),
      note: $("#exp-matrix-note"),
      legend: $("#exp-matrix-legend"),
      verdicts: $("#exp-verdicts"),
    },
    (metric) => {
      view.metric = metric;
      saveView();
      refresh({ now: true });
    },
  );
  mountCell($("#exp-cell"), $("#exp-cell-figs"));
  mountTuning({
    section: $("#exp-tuning"),
    both: $("#exp-both"),
    bothBody: $("#exp-both-body"),
    status: $("#exp-tuning-status"),
    isolation: $("#exp-isolation"),
    legend: $("#exp-isolation-legend"),
    colour: $("#exp-colour"),
    budget: $("#exp-budget"),
    trials: $("#exp-trials"),
    pick: $("#exp-comparison-pick"),
    comparison: $("#exp-comparison"),
    csv: $("#exp-csv-trials"),
  }, { changed: render, refresh: () => refresh({ now: true }) });
  mountActions({
    error: els.error,
    seedsInput: $("#exp-seeds"),
    addSeeds: $("#exp-add-seeds"),
    cancel: $("#exp-cancel"),
    remove: $("#exp-delete"),
    csv: {
      runs: $("#exp-csv-runs"),
      summary: $("#exp-csv-summary"),
      comparisons: $("#exp-csv-comparisons"),
    },
  }, {
    notice: h0.notice,
    actionFailed: h0.actionFailed,
    onRuns: h0.onRuns,
    changed: render,
  });
  wireControls(els);
  renderHead();
}

/**
 * The band, single seeds' lines and summary point controls.
 * @param {{select: HTMLSelectElement, bands: HTMLElement[], seedLines: HTMLInputElement,
 *   point: HTMLSelectElement, k: HTMLInputElement, on: HTMLSelectElement}} e
 */
function wireControls(e) {
  e.select.addEventListener("change", () => open(e.select.value));
  for (const b of e.bands) {
    b.addEventListener("click", () => {
      const band = b.dataset.band;
      if (band === "ci" || band === "sd" || band === "minmax") view.band = band;
      saveView();
      render();
    });
  }
  e.seedLines.checked = view.seeds;
  e.seedLines.addEventListener("change", () => {
    view.seeds = e.seedLines.checked;
    saveView();
    if (view.seeds) loadSeedEpochs();
    render();
  });
  e.point.value = view.point;
  e.k.value = String(view.k);
  e.on.value = view.on;
  const pointChanged = () => {
    const point = e.point.value;
    if (point === "final" || point === "lastK" || point === "best") {
      view.point = point;
    }
    const k = Number(e.k.value);
    if (Number.isInteger(k) && k >= 1) view.k = k;
    view.on = e.on.value === "valLoss" ? "valLoss" : "valAcc";
    saveView();
    syncPointInputs();
    refresh({ now: true });
  };
  e.point.addEventListener("change", pointChanged);
  e.k.addEventListener("change", pointChanged);
  e.on.addEventListener("change", pointChanged);
  syncPointInputs();
}

function syncPointInputs() {
  for (const el of document.querySelectorAll(".point-k")) {
    /** @type {HTMLElement} */ (el).hidden = view.point !== "lastK";
  }
  for (const el of document.querySelectorAll(".point-on")) {
    /** @type {HTMLElement} */ (el).hidden = view.point !== "best";
  }
}

/** The experiment open in the view (null when none). */
export const openId = () => exp.id;

/** "Experiment #ab12 · 2 cells × 3 seeds · synthetic · <created>": an option of the picker. @param {import("./state.js").Experiment} x */
function listLabel(x) {
  const cells = x.cells?.length ?? 0;
  const seeds = x.seeds?.length ?? 0;
  return `${x.name ?? `Experiment #${shortId(x.id)}`} · ${cells} cell${cells === 1 ? "" : "s"} × ` +
    `${seeds} seed${seeds === 1 ? "" : "s"} · ${x.settings?.data ?? ""} · ${time(x.createdAt)}`;
}

function renderHead() {
  if (!els) return;
  const key = exp.list.map((x) => `${x.id}:${x.seeds?.length}`).join(",");
  if (els.select.dataset.key !== key) {
    els.select.dataset.key = key;
    els.select.replaceChildren(
      ...exp.list.map((x) => h("option", { value: x.id }, listLabel(x))),
    );
  }
  if (exp.id) els.select.value = exp.id;
  hooks?.onOpen?.(exp.id);
  const has = Boolean(exp.id);
  els.empty.hidden = has;
  els.head.hidden = !has;
  els.body.hidden = !exp.data;
}

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
  const data = exp.data;
  if (!data || data.id !== exp.id) return;
  /** @type {{status: string}[]} */
  const runs = data.runs ?? [];
  els.progress.textContent = progressText(runs);
  els.progress.dataset.finished = String(
    runs.every((r) => r.status === "done"),
  );
  els.meta.textContent = settingsLine(data);
  for (const b of els.bands) {
    b.setAttribute("aria-pressed", String(b.dataset.band === view.band));
  }
  drawActions(data);
  drawFigures(data);
  drawSummary(data);
  drawMatrix(data);
  // ≥ 2 conditions: the critical-difference diagram; `until`: where the sequential design stands.
  drawCdDiagram(els.verdicts, data.stats);
  drawSequential(els.verdicts, data);
  drawTuning(data);
  drawCell();
}
