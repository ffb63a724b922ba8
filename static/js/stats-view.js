// @ts-check
// How an experiment's statistics read on the page: which figures it gets, the
// summary table's numbers, the pairwise matrix's entries and colours, and the
// "N of M runs finished" line. Pure functions (tested without a browser).
import { isFraction, lowerIsBetter, statMetrics } from "./metrics.js";

/** An experiment as GET /api/experiments/:id sends it. @typedef {Record<string, any>} Experiment */
/** A cell's summary at the point (stats/describe.ts). @typedef {Record<string, any>} Summary */
/** One pairwise comparison (stats/experiment.ts). @typedef {Record<string, any>} Comparison */

/** The figures every experiment gets; memorisation and validation when they exist. */
export const BASE_FIGURES = ["testAcc", "f1", "testLoss", "ece"];

/** @param {Experiment} exp */
export function hasNoise(exp) {
  // Any noise kind flips labels, except a synthetic one at rate 0.
  return (exp?.cells ?? []).some((/** @type {any} */ c) =>
    c.condition?.labelNoise !== undefined && c.condition.labelNoise.rate !== 0
  );
}

/** @param {Experiment} exp */
export function hasVal(exp) {
  return (exp?.settings?.valFraction ?? 0) > 0;
}

/** @param {Experiment} exp */
export function figureMetrics(exp) {
  return [
    ...BASE_FIGURES,
    ...(hasNoise(exp) ? ["trainAccNoisy"] : []),
    ...(hasVal(exp) ? ["valAcc"] : []),
  ];
}

/** Whether a run of the experiment recorded `metric`. @param {Experiment} exp @param {string} metric */
export function recorded(exp, metric) {
  return (exp?.stats?.cells ?? []).some((/** @type {any} */ c) => c.perEpoch?.[metric]?.length);
}

/**
 * The metrics the statistics cover (GET /api/metrics), the figures' first
 * (the view's headline), then the rest in the registry's order.
 * @param {Experiment} exp
 */
function statOrder(exp) {
  const all = statMetrics();
  const first = figureMetrics(exp).filter((m) => all.includes(m));
  return [...first, ...all.filter((m) => !first.includes(m))];
}

/**
 * The summary table's columns: those metrics that this experiment's runs recorded.
 * @param {Experiment} exp
 */
export function summaryMetrics(exp) {
  return statOrder(exp).filter((m) => recorded(exp, m));
}

/** Metrics the matrix may compare on: the same, and always the one compared now. @param {Experiment} exp */
export function compareMetrics(exp) {
  const now = exp?.stats?.metric;
  return statOrder(exp).filter((m) => m === now || recorded(exp, m));
}

/** @param {unknown} x @returns {x is number} */
const ok = (x) => typeof x === "number" && Number.isFinite(x);

/**
 * A value in its metric's unit: accuracies in % (1 decimal), others with 3 decimals.
 * @param {unknown} x @param {string} metric @param {number} [digits]
 */
export function formatStat(x, metric, digits) {
  if (!ok(x)) return "–";
  return isFraction(metric) ? (100 * x).toFixed(digits ?? 1) : x.toFixed(digits ?? 3);
}

/** One summary cell: {main: "85.3 ± 1.2", ci: "[83.1, 87.5]", n, reason}. @param {Summary | undefined} s @param {string} metric */
export function summaryCell(s, metric) {
  if (!s || !ok(s.mean)) return { main: "–", ci: "", n: s?.n ?? 0, reason: s?.reason ?? "" };
  const sd = ok(s.sd) ? ` ± ${formatStat(s.sd, metric)}` : "";
  const unit = isFraction(metric) ? "%" : "";
  const ci = Array.isArray(s.ci95)
    ? `[${formatStat(s.ci95[0], metric)}, ${formatStat(s.ci95[1], metric)}]`
    : "";
  return { main: `${formatStat(s.mean, metric)}${sd}${unit}`, ci, n: s.n, reason: s.reason ?? "" };
}

/**
 * Index of the best mean among the cells' summaries (null when fewer than two have one).
 * @param {Record<string, any>[]} cells @param {string} metric
 */
export function bestCell(cells, metric) {
  const means = cells.map((c) => c.summary?.[metric]?.mean);
  const have = means.filter(ok);
  if (have.length < 2) return null;
  const best = lowerIsBetter(metric) ? Math.min(...have) : Math.max(...have);
  return means.indexOf(best);
}

/** "***" below 0.001, "**" below 0.01, "*" below 0.05, else "". */
/** @param {unknown} p */
export function stars(p) {
  if (!ok(p)) return "";
  return p < 0.001 ? "***" : p < 0.01 ? "**" : p < 0.05 ? "*" : "";
}

/**
 * The matrix entry for row `a` against column `b` (cell keys): the
 * comparison's numbers seen from the row (diff = a − b), the Holm-adjusted
 * t-test p, whether the row is better, and a significance level 0–3.
 * @param {Comparison[]} comparisons @param {string} a @param {string} b
 */
export function matrixEntry(comparisons, a, b) {
  const c = comparisons.find((x) => x.a === a && x.b === b) ??
    comparisons.find((x) => x.a === b && x.b === a);
  if (!c) return null;
  const flip = c.a !== a;
  const diff = ok(c.diff) ? (flip ? -c.diff : c.diff) : null;
  const p = ok(c.pTHolm) ? c.pTHolm : null;
  const level = p === null || diff === 0 ? 0 : p < 0.001 ? 3 : p < 0.01 ? 2 : p < 0.05 ? 1 : 0;
  const better = diff === null || diff === 0 ? null : lowerIsBetter(c.metric) ? diff < 0 : diff > 0;
  // "≈": shown equivalent within ±δ (TOST), which "not significant" alone never says.
  const mark = c.outcome === "equivalent" ? "≈" : stars(p);
  return { comparison: c, diff, p, level, better, tested: p !== null, stars: mark };
}

/**
 * The legend's sentence: how the verdicts were reached, with the families, their sizes and the
 * correction, δ, and what an inconclusive verdict states.
 * @param {Record<string, any> | undefined} stats
 */
export function statsLegendText(stats) {
  /** @type {{name: string, size: number}[]} */
  const families = stats?.families ?? [];
  const fams = families.map((f) => `${f.name} (${f.size})`).join("; ");
  const delta = ok(stats?.delta) ? formatStat(stats.delta, stats.metric, 2) : null;
  return "Paired t-test over common seeds (Welch's when unpaired), Holm-adjusted within each " +
    `family${fams ? `: ${fams}` : ""}. ` +
    (delta
      ? `≈ marks a pair shown equivalent within ±${delta}${
        stats && isFraction(stats.metric) ? " points" : ""
      } (TOST); `
      : "") +
    "an inconclusive verdict states the smallest difference its n detects (80% power) and the " +
    "seeds needed to detect δ. Click an entry for its verdict.";
}

// Blue when the row is significantly better, vermillion when worse (Okabe–Ito
// hues, darker with smaller p); grey when not significant. The text repeats
// the sign and the stars, so colour is never the only cue.
const BETTER = ["#cfe3f3", "#9cc8e8", "#3d8fc9", "#0b5d94"];
const WORSE = ["#f7dccb", "#f3b896", "#e07b3f", "#a94300"];

/** @param {{diff: number | null, level: number, better: boolean | null} | null} e */
export function entryColor(e) {
  if (!e || e.diff === null) return { fill: "#ffffff", ink: "#5b616b" };
  if (!e.level) return { fill: "#eef0f2", ink: "#3a3f47" };
  const fill = (e.better ? BETTER : WORSE)[e.level];
  return { fill, ink: e.level >= 2 ? "#ffffff" : "#1b1d21" };
}

/** "+1.23" (points for accuracies) or "−0.0123": the row's difference, signed. @param {unknown} diff @param {string} metric */
export function diffText(diff, metric) {
  if (!ok(diff)) return "–";
  const t = isFraction(metric) ? (100 * diff).toFixed(2) : diff.toPrecision(3);
  if (/^-?0?\.?0+(e.*)?$/.test(t.replace(/^-/, ""))) return "0.00";
  return t.startsWith("-") ? `−${t.slice(1)}` : `+${t}`;
}

/** "8 of 12 runs finished · 2 running · 2 queued", from the experiment's runs. @param {{status: string}[]} runs */
export function progressText(runs) {
  const count = (/** @type {string} */ s) => runs.filter((r) => r.status === s).length;
  const done = count("done");
  const parts = [`${done} of ${runs.length} run${runs.length === 1 ? "" : "s"} finished`];
  for (
    const s of ["running", "queued", "paused", "failed", "cancelled", "interrupted", "pruned"]
  ) {
    const n = count(s);
    if (n) parts.push(`${n} ${s}`);
  }
  return parts.join(" · ");
}

/** The experiment's shared settings, compactly. @param {Experiment} exp */
export function settingsLine(exp) {
  const s = exp?.settings ?? {};
  const parts = [
    s.data,
    s.epochs !== undefined ? `${s.epochs} epochs` : null,
    s.batchSize !== undefined ? `batch ${s.batchSize}` : null,
    s.lr !== undefined ? `lr ${s.lr}` : null,
    s.momentum !== undefined ? `momentum ${s.momentum}` : null,
    s.schedule === "cosine"
      ? `cosine lr${s.warmupEpochs ? `, warmup ${s.warmupEpochs}` : ""}`
      : s.stepSize !== undefined
      ? `lr ×${s.stepGamma} every ${s.stepSize}`
      : null,
    s.weightDecay ? `weight decay ${s.weightDecay}` : null,
    s.gradClip !== undefined ? `grad clip ${s.gradClip}` : null,
    s.trainLimit ? `${s.trainLimit} train images` : null,
    s.testLimit ? `${s.testLimit} test images` : null,
    s.valFraction ? `${Math.round(s.valFraction * 100)}% validation` : null,
    Array.isArray(exp?.seeds) ? `seeds ${seedsText(exp.seeds)}` : null,
  ];
  return parts.filter(Boolean).join(" · ");
}

/** [1,2,3,5] → "1–3, 5". @param {number[]} seeds */
export function seedsText(seeds) {
  const s = [...seeds].sort((a, b) => a - b);
  const out = [];
  for (let i = 0; i < s.length; i++) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j] + 1) j++;
    out.push(j - i >= 2 ? `${s[i]}–${s[j]}` : j > i ? `${s[i]}, ${s[j]}` : `${s[i]}`);
    i = j;
  }
  return out.join(", ");
}
