// @ts-check
// The figure page's tuned-experiment figures (js/figure.js), drawn as the
// dashboard's tuning panel draws them (js/tuning-charts.js):
//   /figure.html?experiment=ID&tuning=isolation[&colour=KEY][&cells=0,2][&title=…]
//     the validation metric against lr, one panel per cell on shared axes,
//     KEY's value as colour (default: a setting every cell searched, else a
//     loss's own parameter), pruned trials hollow, the chosen one ringed
//   /figure.html?experiment=ID&tuning=budget[&title=…]
//     the expected best validation score against the number of trials, ±1 sd
import { Chart } from "./chart.js";
import { h } from "./format.js";
import { metricTitle } from "./metrics.js";
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
 * Draws the figure into `wrap` (replacing its canvas).
 * @param {Record<string, any>} exp  GET /api/experiments/:id
 * @param {URLSearchParams} q
 * @param {HTMLElement} wrap
 */
export async function tuningFigure(exp, q, wrap) {
  if (!exp.tune) throw new Error(`experiment ${exp.id} has no tuning stage`);
  const res = await fetch(`/api/experiments/${encodeURIComponent(exp.id)}/tuning`);
  const tv = await res.json();
  if (!res.ok) throw new Error(tv?.error ?? `${res.status}`);
  const kind = q.get("tuning");
  const point = tv.point === "best" ? "its best epoch" : "its last epoch";
  if (kind === "budget") {
    const canvas = /** @type {HTMLCanvasElement} */ (wrap.querySelector("canvas"));
    const title = q.get("title") ??
      `Expected best ${metricTitle(tv.metric)} (at ${point}) against the number of trials, ±1 sd`;
    new Chart(canvas, budgetConfig(tv, { title }));
    return;
  }
  if (kind !== "isolation") throw new Error(`tuning=${kind}: "isolation" or "budget"`);
  const space = exp.tune.space;
  const asked = q.get("colour");
  if (asked && !colourKeys(space).includes(asked)) {
    throw new Error(
      `colour=${asked}: not a searched setting (${colourKeys(space).join(", ") || "none"})`,
    );
  }
  const colour = asked ?? defaultColour(tv, space);
  const pick = q.get("cells")?.split(",").map(Number);
  const cells = tv.cells.map((/** @type {any} */ _, /** @type {number} */ i) => i)
    .filter((/** @type {number} */ i) => !pick || pick.includes(i));
  const cols = Math.ceil(Math.sqrt(cells.length));
  const range = valueRange(tv);
  const grid = h("div", {
    className: "multiples",
    style: `grid-template-columns:repeat(${cols}, 1fr);` +
      `grid-template-rows:repeat(${Math.ceil(cells.length / cols)}, 1fr)`,
  });
  const title = q.get("title") ??
    `${metricTitle(tv.metric)} (at ${point}) of every trial against ${keyText(xKey(space))}` +
      `${colour ? `, colour: ${keyText(colour)}` : ""}`;
  wrap.replaceChildren(h("h1", {}, title), isolationLegend(tv, space, colour), grid);
  for (const i of cells) {
    const canvas = /** @type {HTMLCanvasElement} */ (h("canvas", { role: "img" }));
    canvas.setAttribute(
      "aria-label",
      `${tv.cells[i].label}: trials against ${keyText(xKey(space))}`,
    );
    grid.append(h("div", { className: "multiple" }, canvas));
    new Chart(canvas, isolationConfig(tv, i, { space, colour, range, shared: exp.settings }));
  }
}
