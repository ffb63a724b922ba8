// @ts-check
// The experiment view's tuning panel, shown only for a tuned experiment: both
// comparisons' verdicts side by side with the tuning's cost (js/exp-both.js),
// the isolation plot (one small multiple per cell) and the expected best
// validation score against the number of trials (js/tuning-charts.js), and
// per cell its trials table (js/exp-trials.js). Its data (GET …/tuning, and
// the comparison the page does not show) is refetched only when a trial or a
// comparison run changed, one read at a time and at most every 2 s: the
// experiment's own throttled read (js/exp-data.js) is what notices.
import { api } from "./api.js";
import { Chart } from "./chart.js";
import { bothTable, COMPARISON_TITLE } from "./exp-both.js";
import { query } from "./exp-data.js";
import { costText, metricPhrase, trialsCards, valueOf } from "./exp-trials.js";
import { h } from "./format.js";
import { whiteBackground } from "./png.js";
import { loadPrefs, savePrefs } from "./prefs.js";
import { state } from "./state.js";
import { budgetConfig, isolationConfig } from "./tuning-charts.js";
import {
  colourKeys,
  defaultColour,
  isolationLegend,
  keyText,
  valueRange,
  xKey,
} from "./tuning-scale.js";

/**
 * @typedef {object} TuningParts
 * @property {HTMLElement} section  the tuning panel
 * @property {HTMLElement} both  the side-by-side section
 * @property {HTMLElement} bothBody
 * @property {HTMLElement} status
 * @property {HTMLElement} isolation  the small multiples' grid
 * @property {HTMLElement} legend
 * @property {HTMLSelectElement} colour
 * @property {HTMLCanvasElement} budget
 * @property {HTMLElement} trials
 * @property {HTMLElement} pick  the comparison picker's wrapper (in the view's head)
 * @property {HTMLSelectElement} comparison
 * @property {HTMLAnchorElement} csv  trials.csv
 */

const PREFS = "lossbench.tuningView";
const exp = state.experiment;
/** @type {TuningParts | null} */
let els = null;
/** @type {() => void} */
let changed = () => {};
let colour =
  loadPrefs(PREFS, (v) => ({ colour: typeof v.colour === "string" ? v.colour : "" })).colour ?? "";

/** What was fetched for the open experiment. */
const got = {
  id: "",
  /** GET …/tuning @type {Record<string, any> | null} */
  tv: null,
  /** comparison → its answer (the shown one is exp.data) @type {Record<string, Record<string, any>>} */
  other: {},
  tuningSig: "",
  otherSig: "",
};

/**
 * @param {TuningParts} parts
 * @param {{changed: () => void, refresh: () => void}} hooks  redraw; reread the experiment
 */
export function mountTuning(parts, hooks) {
  els = parts;
  changed = hooks.changed;
  parts.colour.addEventListener("change", () => {
    colour = parts.colour.value;
    savePrefs(PREFS, { colour });
    drawn = null;
    changed();
  });
  parts.comparison.addEventListener("change", () => {
    const c = parts.comparison.value;
    exp.comparison = c === "defaults" || c === "tuned" ? c : null;
    hooks.refresh();
  });
}

/** The comparison the page's figures, summary and matrix show. @param {Record<string, any>} data */
export const shownComparison = (data) => exp.comparison ?? data.compare?.[0] ?? null;

/** @param {Record<string, any>[]} runs */
const runsSig = (runs) => runs.map((r) => `${r.id}:${r.status}:${r.epochsDone ?? 0}`).join(",");

/** Draws the panel for the open experiment's answer, and fetches what changed. @param {Record<string, any>} data */
export function drawTuning(data) {
  if (!els) return;
  const tuned = Boolean(data.tune);
  els.section.hidden = !tuned;
  els.csv.hidden = !tuned;
  els.pick.hidden = !tuned || (data.compare?.length ?? 0) < 2;
  els.both.hidden = !tuned || (data.compare?.length ?? 0) < 2;
  if (!tuned) return;
  if (got.id !== data.id) {
    Object.assign(got, { id: data.id, tv: null, other: {}, tuningSig: "", otherSig: "" });
  }
  els.csv.href = `/api/experiments/${encodeURIComponent(data.id)}/trials.csv`;
  const shown = shownComparison(data);
  if (els.comparison.dataset.key !== data.compare.join(",")) {
    els.comparison.dataset.key = data.compare.join(",");
    els.comparison.replaceChildren(
      ...data.compare.map((/** @type {"defaults" | "tuned"} */ c) =>
        h("option", { value: c }, COMPARISON_TITLE[c])
      ),
    );
  }
  els.comparison.value = shown;
  // What the tuning evidence and the other comparison depend on: their runs' progress.
  const runs = data.runs ?? [];
  const trials = runs.filter((/** @type {any} */ r) => r.tune?.role === "trial");
  want.tuning = `${data.tuning?.status}|${runsSig(trials)}`;
  want.other = `${JSON.stringify(query())}|${
    runsSig(runs.filter((/** @type {any} */ r) => r.tune?.role !== "trial"))
  }`;
  if (want.tuning !== got.tuningSig || want.other !== got.otherSig) schedule();
  draw(data, shown);
}

/** The signatures the open experiment's answer asks for. */
const want = { tuning: "", other: "" };

// --- fetching, one at a time, at most every 2 s ------------------------------------------
let inflight = false;
let timer = 0;
let last = 0;

function schedule() {
  if (inflight || timer) return;
  timer = setTimeout(load, Math.max(0, last + 2000 - Date.now()));
}

async function load() {
  timer = 0;
  const id = exp.id, data = exp.data;
  if (!id || !data?.tune || data.id !== id) return;
  inflight = true;
  last = Date.now();
  const sig = { ...want };
  try {
    if (sig.tuning !== got.tuningSig) {
      const tv = await api.tuning(id);
      if (got.id !== id) return;
      Object.assign(got, { tv, tuningSig: sig.tuning });
    }
    if (sig.other !== got.otherSig) {
      const shown = shownComparison(data);
      for (const c of data.compare.filter((/** @type {string} */ c) => c !== shown)) {
        const answer = await api.experiment(id, { ...query(), comparison: c });
        if (got.id !== id) return;
        got.other[c] = answer;
      }
      got.otherSig = sig.other;
    }
    changed();
  } catch (e) {
    if (els) {
      els.status.textContent = `Could not load the tuning: ${/** @type {Error} */ (e).message}`;
    }
    got.tuningSig = sig.tuning; // no retry until something changes
    got.otherSig = sig.other;
  } finally {
    inflight = false;
    if (want.tuning !== got.tuningSig || want.other !== got.otherSig) schedule();
  }
}

// --- drawing ----------------------------------------------------------------------------
/** The tuning view last drawn, with its colour: charts and tables are redrawn only when it changes. */
let drawn = /** @type {Record<string, any> | null} */ (null);
/** cell key → its isolation chart @type {Map<string, {chart: import("chart.js").Chart, card: HTMLElement}>} */
const isolation = new Map();
/** @type {import("chart.js").Chart | null} */
let budget = null;

/** @param {Record<string, any>} data @param {string} shown */
function draw(data, shown) {
  if (!els) return;
  const answers = { ...got.other, [shown]: data };
  const tv = got.tv?.id === data.id ? got.tv : null;
  const table = bothTable(answers, tv);
  els.bothBody.replaceChildren(table ?? h("p", { className: "hint" }, "Loading both comparisons…"));
  if (!tv) {
    els.status.textContent = "Loading the tuning…";
    return;
  }
  const space = data.tune.space;
  const keys = colourKeys(space);
  const pick = keys.includes(colour) ? colour : defaultColour(tv, space);
  if (els.colour.dataset.key !== keys.join(",")) {
    els.colour.dataset.key = keys.join(",");
    els.colour.replaceChildren(...keys.map((k) => h("option", { value: k }, keyText(k))));
  }
  els.colour.disabled = !keys.length;
  if (pick) els.colour.value = pick;
  const chosen = tv.cells.filter((/** @type {any} */ c) => c.chosen).length;
  els.status.textContent =
    `${tv.status === "tuning" ? "Tuning" : tv.status === "done" ? "Tuned" : "Tuning cancelled"}: ` +
    `${tv.cells[0]?.trials.length ?? 0} trials per cell on ${tv.seeds.length} tuning seed${
      tv.seeds.length === 1 ? "" : "s"
    }, chosen by ${metricPhrase(tv)}` +
    `${tv.rungs.length > 1 ? `, successive halving at ${tv.rungs.join(", ")} epochs` : ""}; ` +
    `${chosen} of ${tv.cells.length} cells chosen. Cost: ${costText(tv.cost, tv.status)}.`;
  const key = `${pick}`;
  if (drawn === tv && els.colour.dataset.drawn === key) return;
  drawn = tv;
  els.colour.dataset.drawn = key;
  drawIsolation(tv, space, pick, data.settings);
  const cfg = budgetConfig(tv);
  if (!budget) budget = new Chart(els.budget, { ...cfg, plugins: [whiteBackground] });
  else {
    budget.data = cfg.data;
    budget.options = cfg.options ?? {};
    budget.update();
  }
  els.budget.setAttribute("aria-label", budgetLabel(tv));
  els.trials.replaceChildren(...trialsCards(tv, space));
}

/**
 * @param {Record<string, any>} tv @param {Record<string, any>} space
 * @param {string | null} pick @param {Record<string, any>} settings
 */
function drawIsolation(tv, space, pick, settings) {
  if (!els) return;
  const range = valueRange(tv);
  const keys = new Set(tv.cells.map((/** @type {any} */ c) => c.key));
  for (const [k, f] of isolation) {
    if (!keys.has(k)) {
      f.chart.destroy();
      f.card.remove();
      isolation.delete(k);
    }
  }
  tv.cells.forEach((/** @type {any} */ cell, /** @type {number} */ i) => {
    const cfg = isolationConfig(tv, i, { space, colour: pick, range, shared: settings });
    let f = isolation.get(cell.key);
    if (!f) {
      const canvas = /** @type {HTMLCanvasElement} */ (h("canvas", { role: "img" }));
      canvas.dataset.cell = cell.key;
      const card = h(
        "figure",
        { className: "card chart-card" },
        h("div", { className: "chart-box" }, canvas),
      );
      els?.isolation.append(card);
      f = { chart: new Chart(canvas, { ...cfg, plugins: [whiteBackground] }), card };
      isolation.set(cell.key, f);
    } else {
      f.chart.data = cfg.data;
      f.chart.options = cfg.options ?? {};
      f.chart.update();
    }
    f.chart.canvas.setAttribute(
      "aria-label",
      `${cell.label}: ${metricPhrase(tv)} of each trial against ${keyText(xKey(space))}` +
        `${cell.chosen ? `; chosen trial ${cell.chosen.trial}` : ""}`,
    );
  });
  // In the cells' order (another experiment may reuse a cell's chart).
  els.isolation.append(...tv.cells.map((/** @type {any} */ c) => isolation.get(c.key)?.card ?? ""));
  els.legend.replaceWith(els.legend = isolationLegend(tv, space, pick));
  els.legend.id = "exp-isolation-legend";
}

/** @param {Record<string, any>} tv */
function budgetLabel(tv) {
  return `Expected best ${metricPhrase(tv)} against the number of trials, ±1 sd: ` +
    tv.cells.map((/** @type {any} */ c) => {
      const r = c.expectedBest?.at(-1);
      return r ? `${c.label} ${valueOf(r.mean, tv.metric)} at n = ${r.n}` : `${c.label}: none yet`;
    }).join("; ");
}
