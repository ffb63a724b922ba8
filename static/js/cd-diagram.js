// @ts-check
// The critical-difference diagram of an experiment with several conditions (Demšar 2006): each
// loss at its mean rank across conditions (1 = best), Nemenyi's CD as a scale bar, and a thick line
// under every maximal group of losses whose mean ranks lie within one CD (not told apart). With the
// Friedman and Iman–Davenport p, and rliable's P(A > B) per pair in the caption's table.
// `cdSvg` and `cliques` are pure (tested without a browser); `drawCdDiagram` puts the figure on
// the page after `anchor`, or removes it when the statistics have no `acrossConditions`.
import { metricTitle } from "./metrics.js";

/**
 * The statistics' `acrossConditions` (stats/across_schema.ts).
 * @typedef {{metric: string, better: "higher" | "lower", alpha: number,
 *   blocks: {key: string, label: string}[], losses: {key: string, label: string, meanRank: number}[],
 *   friedman: {chi2: number, df: number, p: number, f: number | null, df1: number, df2: number,
 *     pF: number},
 *   nemenyi: {q: number, cd: number},
 *   pairs: {labelA: string, labelB: string, pHolm: number, pImprove: number,
 *     pImproveCi: number[]}[],
 *   reason?: string}} Across
 */

/** @param {unknown} s */
const esc = (s) =>
  String(s).replace(
    /[&<>"]/g,
    (c) =>
      /** @type {Record<string, string>} */ ({
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
      })[c],
  );

/**
 * Maximal runs [i, j] (i < j) of ranks, sorted ascending, whose spread is below `cd`.
 * @param {number[]} sortedRanks @param {number} cd @returns {[number, number][]}
 */
export function cliques(sortedRanks, cd) {
  /** @type {[number, number][]} */
  const out = [];
  for (let i = 0; i < sortedRanks.length; i++) {
    let j = i;
    while (j + 1 < sortedRanks.length && sortedRanks[j + 1] - sortedRanks[i] < cd) j++;
    if (j > i && !out.some(([a, b]) => a <= i && b >= j)) out.push([i, j]);
  }
  return out;
}

/** @param {number} p */
const fmtP = (p) => (p < 0.001 ? "< 0.001" : `= ${p >= 0.1 ? p.toFixed(2) : p.toPrecision(2)}`);

/** The diagram as an SVG string. @param {Across} across */
export function cdSvg(across, width = 640) {
  const losses = [...across.losses].sort((a, b) => a.meanRank - b.meanRank);
  const k = losses.length;
  const cd = across.nemenyi.cd;
  const left = 140, right = width - 140, top = 46;
  /** @param {number} r */
  const x = (r) => left + ((r - 1) / Math.max(1, k - 1)) * (right - left);
  const groups = cliques(losses.map((l) => l.meanRank), cd);
  const half = Math.ceil(k / 2);
  const rowH = 20;
  const groupsY = top + 14;
  const labelsY = groupsY + groups.length * 7 + 16;
  const height = labelsY + Math.max(half, k - half) * rowH + 8;
  const parts = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="cd-diagram" viewBox="0 0 ${width} ${height}" ` +
      `width="${width}" height="${height}" role="img" aria-label="Critical-difference diagram">`,
  );
  // CD scale bar.
  parts.push(
    `<line x1="${x(1)}" y1="12" x2="${
      x(1) + (cd / Math.max(1, k - 1)) * (right - left)
    }" y2="12" ` +
      `stroke="currentColor" stroke-width="2"/>`,
    `<text x="${x(1)}" y="9" font-size="11">CD = ${cd.toFixed(2)}</text>`,
  );
  // Axis, 1 (best) on the left.
  parts.push(
    `<line x1="${left}" y1="${top}" x2="${right}" y2="${top}" stroke="currentColor"/>`,
  );
  for (let r = 1; r <= k; r++) {
    parts.push(
      `<line x1="${x(r)}" y1="${top - 5}" x2="${x(r)}" y2="${top}" stroke="currentColor"/>`,
      `<text x="${x(r)}" y="${top - 8}" font-size="11" text-anchor="middle">${r}</text>`,
    );
  }
  // Groups not told apart.
  groups.forEach(([i, j], g) => {
    const y = groupsY + g * 7;
    parts.push(
      `<line class="cd-group" x1="${x(losses[i].meanRank) - 3}" y1="${y}" ` +
        `x2="${x(losses[j].meanRank) + 3}" y2="${y}" stroke="currentColor" stroke-width="3"/>`,
    );
  });
  // Losses: the better half labelled on the left, the rest on the right.
  losses.forEach((l, i) => {
    const onLeft = i < half;
    const row = onLeft ? i : k - 1 - i;
    const y = labelsY + row * rowH;
    const px = x(l.meanRank);
    const lx = onLeft ? left - 10 : right + 10;
    parts.push(
      `<polyline fill="none" stroke="currentColor" stroke-width="0.8" ` +
        `points="${px},${top} ${px},${y} ${onLeft ? lx + 4 : lx - 4},${y}"/>`,
      `<text class="cd-loss" x="${lx}" y="${y + 4}" font-size="12" ` +
        `text-anchor="${onLeft ? "end" : "start"}">${esc(l.label)} (${
          l.meanRank.toFixed(2)
        })</text>`,
    );
  });
  parts.push("</svg>");
  return parts.join("");
}

/**
 * One line under the diagram: the omnibus tests and what the bars mean (the
 * metric named as the registry names it).
 * @param {Across} across
 */
export function cdCaption(across) {
  const f = across.friedman;
  const id = f.f === null
    ? "every condition ranks the losses alike"
    : `Iman–Davenport F(${f.df1}, ${f.df2}) = ${f.f.toFixed(2)}, p ${fmtP(f.pF)}`;
  return `Mean rank over ${across.blocks.length} conditions on ${metricTitle(across.metric)} ` +
    `(${across.better} is better; 1 = best). Friedman χ²(${f.df}) = ${f.chi2.toFixed(2)}, ` +
    `p ${fmtP(f.p)}; ${id}. A bar joins losses within Nemenyi's critical difference ` +
    `(α = ${across.alpha}): not told apart.` + (across.reason ? ` ${across.reason}.` : "");
}

/**
 * Shows the figure after `anchor` (creating it once), or removes it when there is none.
 * @param {Element} anchor @param {{acrossConditions?: Across} | undefined} stats
 */
export function drawCdDiagram(anchor, stats) {
  const across = stats?.acrossConditions;
  let fig = document.getElementById("exp-cd");
  if (!across) {
    fig?.remove();
    return;
  }
  if (!fig) {
    fig = document.createElement("figure");
    fig.id = "exp-cd";
    fig.className = "cd-figure";
    anchor.after(fig);
  }
  const rows = across.pairs.map((p) =>
    `<tr><td>${esc(p.labelA)} vs ${esc(p.labelB)}</td><td>${p.pImprove.toFixed(2)} ` +
    `[${p.pImproveCi[0].toFixed(2)}, ${p.pImproveCi[1].toFixed(2)}]</td>` +
    `<td>${p.pHolm < 0.001 ? "< 0.001" : p.pHolm.toFixed(3)}</td></tr>`
  ).join("");
  fig.innerHTML = cdSvg(across) +
    `<figcaption>${esc(cdCaption(across))}</figcaption>` +
    `<table class="stats-table cd-pairs"><thead><tr><th>pair</th>` +
    `<th>P(A better than B), 95% CI</th><th>p(Holm), mean ranks</th></tr></thead>` +
    `<tbody>${rows}</tbody></table>`;
}
