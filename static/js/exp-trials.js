// @ts-check
// The tuning panel's tables: per cell, every trial (the settings it tried, its
// validation value at the declared point, epochs, images, seconds, status, and
// the rung a pruned trial stopped at: pruned reads "pruned", never "failed"),
// the chosen trial highlighted; and what the tuning cost, in words.
import { duration, h, int } from "./format.js";
import { isFraction, metricTitle } from "./metrics.js";
import { swatch } from "./exp-summary.js";
import { keyText, statusText, trialText, valueText } from "./tuning-scale.js";

/** @typedef {Record<string, any>} TuningView  GET /api/experiments/:id/tuning */

/**
 * "40 runs · 52,000 images · 2m 10s of training · successive halving saved 45% of the images (94,000 without)".
 * While it tunes, the cost so far, and no saving yet (untrained epochs are not saved ones).
 * @param {Record<string, any>} cost  a TuningCost @param {string} [status]  the tuning's
 */
export function costText(cost, status = "done") {
  if (!cost) return "";
  const parts = [
    `${int(cost.runs)} trial run${cost.runs === 1 ? "" : "s"}`,
    `${int(cost.epochs)} epochs`,
    `${int(cost.images)} training images`,
    `${duration(cost.seconds)} of training (summed over runs)`,
  ];
  if (status === "tuning") return `${parts.join(" · ")} so far`;
  if (typeof cost.savedFraction === "number" && cost.images < cost.imagesWithoutPruning) {
    parts.push(
      `successive halving saved ${(cost.savedFraction * 100).toFixed(0)}% of the images ` +
        `(${int(cost.imagesWithoutPruning)} without it)`,
    );
  }
  return parts.join(" · ");
}

/** A metric value in its unit: "45.2%" or "0.6931"; "–" for none. @param {unknown} v @param {string} metric */
export function valueOf(v, metric) {
  if (typeof v !== "number" || !Number.isFinite(v)) return "–";
  return isFraction(metric) ? `${(v * 100).toFixed(1)}%` : v.toFixed(4);
}

/** "validation accuracy at its best epoch". @param {TuningView} tv */
export function metricPhrase(tv) {
  return `${metricTitle(tv.metric)} at ${
    tv.point === "best" ? "its best epoch" : "its last epoch"
  }`;
}

/**
 * One card per cell: the chosen trial, the cell's cost, and its trials table.
 * @param {TuningView} tv @param {Record<string, any>} space  the experiment's tune.space
 * @returns {HTMLElement[]}
 */
export function trialsCards(tv, space) {
  return tv.cells.map((/** @type {any} */ cell, /** @type {number} */ i) => {
    const keys = Object.keys(space).filter((k) =>
      cell.trials.some((/** @type {any} */ t) => k in t.values)
    );
    const head = h(
      "tr",
      {},
      h("th", { scope: "col", className: "num" }, "trial"),
      ...keys.map((k) => h("th", { scope: "col", className: "num" }, keyText(k))),
      h("th", { scope: "col", className: "num", title: metricPhrase(tv) }, metricTitle(tv.metric)),
      h("th", { scope: "col", className: "num" }, "epochs"),
      h("th", { scope: "col", className: "num" }, "images"),
      h("th", { scope: "col", className: "num" }, "seconds"),
      h("th", { scope: "col" }, "status"),
    );
    const rows = cell.trials.map((/** @type {any} */ t) => {
      const chosen = cell.chosen?.trial === t.trial;
      const tr = h(
        "tr",
        { className: chosen ? "chosen" : "" },
        h("th", { scope: "row", className: "num" }, String(t.trial), chosen ? " ★" : ""),
        ...keys.map((k) =>
          h("td", { className: "num" }, k in t.values ? valueText(t.values[k]) : "")
        ),
        h("td", { className: "num" }, valueOf(t.value, tv.metric)),
        h("td", { className: "num" }, String(t.epochs)),
        h("td", { className: "num" }, int(t.images)),
        h("td", { className: "num" }, t.seconds.toFixed(1)),
        h(
          "td",
          { className: "status" },
          statusText(tv, t),
          chosen ? h("strong", {}, " · chosen") : null,
        ),
      );
      tr.dataset.status = t.status;
      tr.dataset.trial = String(t.trial);
      if (chosen) tr.setAttribute("aria-current", "true");
      return tr;
    });
    const c = cell.chosen;
    const card = h(
      "figure",
      { className: "card trials-card" },
      h("figcaption", {}, h("h3", {}, swatch(i), ` ${cell.label}`)),
      h(
        "p",
        { className: "hint" },
        c
          ? `Chosen: ${trialText(c.trial, c.values)} → ${valueOf(c.value, tv.metric)}. `
          : "No trial chosen yet. ",
        `Cost: ${costText(cell.cost, tv.status)}.`,
      ),
      h(
        "div",
        { className: "table-wrap" },
        h(
          "table",
          { className: "stats-table trials-table" },
          h(
            "caption",
            { className: "hint" },
            `${metricPhrase(tv)}, mean over ${tv.seeds.length} tuning seed${
              tv.seeds.length === 1 ? "" : "s"
            }; ★ the chosen trial.`,
          ),
          h("thead", {}, head),
          h("tbody", {}, ...rows),
        ),
      ),
    );
    card.dataset.cell = cell.key;
    return card;
  });
}
