// @ts-check
// The experiment view's summary: one row per cell, one column per metric the
// statistics cover (mean ± sd, the 95% CI below), at the chosen point, the
// best mean in bold.
import { h } from "./format.js";
import { metricHeading, metricTitle } from "./metrics.js";
import { styleOfSlot } from "./series.js";
import { state } from "./state.js";
import { bestCell, summaryCell, summaryMetrics } from "./stats-view.js";

/** @type {{error: HTMLElement, table: HTMLTableElement} | null} */
let els = null;

/** @param {{error: HTMLElement, table: HTMLTableElement}} parts */
export function mountSummary(parts) {
  els = parts;
}

/** The cell's colour, as in the figures. @param {number} i */
export function swatch(i) {
  return h("span", {
    className: "swatch",
    "aria-hidden": "true",
    style: `background:${styleOfSlot(i).color}`,
  });
}

/**
 * "the mean of the last 3 epochs": where the statistics were read (the final
 * epoch when the chosen point could not be given).
 * @param {import("./state.js").Experiment} exp
 */
export function pointText(exp) {
  const point = state.experiment.statsError ? { kind: "final" } : exp.stats.point;
  if (!point) return "";
  if (point.kind === "lastK") return `the mean of the last ${point.k} epochs`;
  if (point.kind === "best") {
    return `the best epoch on ${metricTitle(point.on)}`;
  }
  return "the final epoch";
}

/** @param {import("./state.js").Experiment} exp */
export function drawSummary(exp) {
  if (!els) return;
  const metrics = summaryMetrics(exp);
  const cells = exp.stats.cells;
  const statsError = state.experiment.statsError;
  els.error.textContent = statsError
    ? `${statsError}. The table and the comparisons below are at the final epoch instead.`
    : "";
  const best = Object.fromEntries(metrics.map((m) => [m, bestCell(cells, m)]));
  const head = h(
    "tr",
    {},
    h("th", { scope: "col" }, "Cell"),
    h("th", { scope: "col", className: "num" }, "n"),
    ...metrics.map((m) => h("th", { scope: "col", className: "num" }, metricHeading(m))),
  );
  const rows = cells.map(
    (/** @type {Record<string, any>} */ cell, /** @type {number} */ i) => {
      const tds = metrics.map((m) => {
        const s = summaryCell(cell.summary?.[m], m);
        const td = h(
          "td",
          { className: "num", "data-label": metricHeading(m) },
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
        h(
          "th",
          { scope: "row", className: "cell-name" },
          swatch(i),
          ` ${cell.label}`,
        ),
        h(
          "td",
          { className: "num", "data-label": "n" },
          String(cell.finished),
          running > 0 ? h("span", { className: "sub" }, `+${running} training`) : null,
        ),
        ...tds,
      );
    },
  );
  els.table.replaceChildren(
    h(
      "caption",
      { className: "hint" },
      `At ${pointText(exp)}; best mean in bold.`,
    ),
    h("thead", {}, head),
    h("tbody", {}, ...rows),
  );
}
