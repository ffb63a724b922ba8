// @ts-check
// The experiment view's pairwise comparisons: a matrix of row − column
// differences on the chosen metric, coloured by Holm-adjusted significance and
// direction, and every verdict listed (an entry picks its verdict).
import { h } from "./format.js";
import { isFraction, metricTitle } from "./metrics.js";
import { state } from "./state.js";
import {
  compareMetrics,
  diffText,
  entryColor,
  matrixEntry,
  statsLegendText,
} from "./stats-view.js";
import { pointText, swatch } from "./exp-summary.js";

/**
 * @typedef {object} MatrixParts
 * @property {HTMLSelectElement} metric  the metric compared on
 * @property {HTMLTableElement} matrix
 * @property {HTMLElement} note
 * @property {HTMLElement} legend
 * @property {HTMLOListElement} verdicts
 */

/** @type {MatrixParts | null} */
let els = null;

/**
 * @param {MatrixParts} parts
 * @param {(metric: string) => void} onMetric  another metric was chosen
 */
export function mountMatrix(parts, onMetric) {
  els = parts;
  parts.metric.addEventListener("change", () => onMetric(parts.metric.value));
}

/** @param {import("./state.js").Experiment} exp */
export function drawMatrix(exp) {
  if (!els) return;
  const metrics = compareMetrics(exp);
  const key = metrics.join(",");
  if (els.metric.dataset.key !== key) {
    els.metric.dataset.key = key;
    els.metric.replaceChildren(
      ...metrics.map((m) => h("option", { value: m }, metricTitle(m))),
    );
  }
  els.metric.value = exp.stats.metric;
  const cells = exp.stats.cells;
  /** @type {Record<string, any>[]} */
  const comps = exp.stats.comparisons ?? [];
  const metric = exp.stats.metric;
  if (cells.length < 2) {
    els.matrix.replaceChildren();
    els.note.textContent = "";
    els.legend.textContent = "One cell: nothing to compare.";
    els.verdicts.replaceChildren();
    return;
  }
  const unit = isFraction(metric) ? "points" : "";
  const head = h(
    "tr",
    {},
    h("th", { scope: "col", className: "corner" }, "row − column"),
    ...cells.map((/** @type {any} */ c, /** @type {number} */ j) =>
      h(
        "th",
        { scope: "col", title: c.label, className: "col-head" },
        swatch(j),
        ` ${j + 1}`,
      )
    ),
  );
  const body = cells.map((/** @type {any} */ a, /** @type {number} */ i) =>
    h(
      "tr",
      {},
      h(
        "th",
        { scope: "row", className: "cell-name" },
        swatch(i),
        ` ${i + 1} · ${a.label}`,
      ),
      ...cells.map((/** @type {any} */ b, /** @type {number} */ j) =>
        i === j
          ? h("td", { className: "diag", "aria-label": "same cell" }, "·")
          : entryCell(comps, a.key, b.key, metric)
      ),
    )
  );
  els.note.textContent = `${metricTitle(metric)}: mean of row − column` +
    `${unit ? ` in ${unit}` : ""}, at ${pointText(exp)}.`;
  els.matrix.replaceChildren(h("thead", {}, head), h("tbody", {}, ...body));
  els.legend.replaceChildren(
    legendChip(
      { level: 3, better: true, diff: 1 },
      "row better, p(Holm) < 0.001 ***",
    ),
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
        h("span", {
          className: "chip",
          "aria-hidden": "true",
          style: `background:${fill}`,
        }),
        c.verdict,
      );
      li.dataset.index = String(k);
      li.dataset.level = String(e?.level ?? 0);
      if (c.reason) li.title = c.reason;
      return li;
    }),
  );
  const picked = state.experiment.verdict;
  if (picked !== null) selectVerdict(picked, { scroll: false });
}

/**
 * The entry of row `a` against column `b`: the difference, its stars, its colour.
 * @param {Record<string, any>[]} comps @param {string} a @param {string} b @param {string} metric
 */
function entryCell(comps, a, b, metric) {
  const e = matrixEntry(comps, a, b);
  const { fill, ink } = entryColor(e);
  const td = h(
    "td",
    {
      className: "entry",
      tabIndex: 0,
      style: `background:${fill};color:${ink}`,
    },
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
}

/** @param {number} k @param {{scroll?: boolean}} [opts] */
function selectVerdict(k, { scroll = true } = {}) {
  state.experiment.verdict = k;
  for (
    const li of /** @type {HTMLCollectionOf<HTMLElement>} */ (els?.verdicts.children ??
      [])
  ) {
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

/** @param {{level: number, better: boolean | null, diff: number}} entry @param {string} text */
function legendChip(entry, text) {
  const { fill } = entryColor(entry);
  return h(
    "span",
    { className: "legend-item" },
    h("span", {
      className: "chip",
      "aria-hidden": "true",
      style: `background:${fill}`,
    }),
    text,
  );
}
