// @ts-check
// An experiment with `until` (seeds added until decided): which sequential design, where it
// stands, and each pair's decision, as a short list under the verdicts. `sequentialLines` is pure
// (tested without a browser); `drawSequential` puts it on the page after `anchor`, or removes it.
// The metric's title and unit are the registry's (js/metrics.js).
import { isFraction, metricTitle } from "./metrics.js";

/** @param {number} x */
const pct = (x) => `${(x * 100).toFixed(2)}`;

/**
 * One pair's decision and its repeated confidence interval.
 * @param {Record<string, any>} p  a pair of the experiment's `sequential` state
 * @param {string} metric
 */
function pairLine(p, metric) {
  const frac = isFraction(metric);
  /** @param {number} x */
  const v = (x) => (frac ? pct(x) : x.toPrecision(4));
  const rci = p.rci ? ` [${v(p.rci[0])}, ${v(p.rci[1])}]${frac ? " points" : ""}` : "";
  const what = p.decision === "better"
    ? `${p.better === "a" ? p.labelA : p.labelB} better`
    : p.decision === "equivalent"
    ? "equivalent within ±δ"
    : p.decision;
  return `${p.labelA} vs ${p.labelB}: ${what} (look ${p.look + 1}, n = ${p.n}, repeated CI${rci})`;
}

/**
 * The lines to show, or [] when the experiment has no `until`.
 * @param {Record<string, any>} exp  GET /api/experiments/:id
 * @returns {string[]}
 */
export function sequentialLines(exp) {
  const u = exp?.until, s = exp?.sequential;
  if (!u || !s) return [];
  const head = `Seeds added until decided on ${metricTitle(u.metric)}, δ = ${u.delta}, ` +
    `α = ${u.alpha} ` +
    `over ${s.familySize} pair${s.familySize === 1 ? "" : "s"} (${s.pairAlpha.toPrecision(3)} ` +
    `each): ${s.design}.`;
  /** @type {Record<string, any>[]} */
  const pairs = s.pairs;
  const decided = pairs.filter((p) => p.decision === "better" || p.decision === "equivalent");
  const where = s.stopped
    ? `Stopped (${s.stopped.reason}) after ${s.stopped.seedsUsed} of ${u.maxSeeds} seeds: ` +
      `${s.stopped.seedsSaved} seeds (${s.stopped.runsSaved} runs) saved.`
    : `${s.looks.length} look${s.looks.length === 1 ? "" : "s"} so far, ${decided.length} of ` +
      `${s.familySize} pairs decided; ${exp.seeds.length} of at most ${u.maxSeeds} seeds.`;
  return [head, where, ...pairs.map((p) => pairLine(p, u.metric))];
}

/** @param {Element} anchor @param {Record<string, any>} exp */
export function drawSequential(anchor, exp) {
  const lines = sequentialLines(exp);
  let box = document.getElementById("exp-sequential");
  if (!lines.length) {
    box?.remove();
    return;
  }
  if (!box) {
    box = document.createElement("div");
    box.id = "exp-sequential";
    box.className = "hint";
    anchor.after(box);
  }
  box.replaceChildren(...lines.map((t) => {
    const p = document.createElement("p");
    p.textContent = t;
    return p;
  }));
}
