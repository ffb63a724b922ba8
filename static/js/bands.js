// @ts-check
// What an experiment's statistics look like as figures, shared by the
// dashboard's experiment view and the standalone figure page: per cell, a mean
// line over seeds with a band (95% CI, ±1 sd or min–max), and a cell's (or a
// run's) reliability diagram and per-class bars. Plain data in, Chart.js
// datasets out; no DOM.

/** @typedef {{epoch: number, n?: number, mean: number | null, sd: number | null, ci95: number[] | null, min: number | null, max: number | null}} EpochSummary */
/** @typedef {{color: string, dash: number[], point: string}} Style */

/** The bands a mean line may carry, by the name the controls and figure.html use. */
export const BANDS = { ci: "95% CI", sd: "±1 sd", minmax: "min–max" };

/** "#0072B2" → "rgba(0, 114, 178, a)". @param {string} hex @param {number} a */
export function alpha(hex, a) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
}

/**
 * [low, high] of one epoch's summary for the chosen band.
 * @param {EpochSummary} s @param {string} band
 * @returns {(number | null)[]}
 */
export function bandOf(s, band) {
  if (s.mean === null || s.mean === undefined) return [null, null];
  if (band === "minmax") return [s.min, s.max];
  if (band === "sd") return s.sd === null ? [s.mean, s.mean] : [s.mean - s.sd, s.mean + s.sd];
  return s.ci95 ?? [s.mean, s.mean];
}

/** The most runs any epoch of the cell averages (the legend's n). @param {EpochSummary[]} rows */
export function cellN(rows) {
  return rows.length ? Math.max(...rows.map((r) => r.n ?? 0)) : 0;
}

/**
 * Three datasets for one cell: the band's lower edge, its upper edge filled
 * down to the lower one, and the mean line labelled "label (n = 3)".
 * `rows` are the cell's perEpoch[metric]; `style` {color, dash, point};
 * `scale` multiplies values (100 for percent); `edges` draws the band's edges
 * as thin lines. Bands carry `band: true` so legends and tooltips can leave them out.
 * @param {EpochSummary[]} rows
 * @param {{label: string, style: Style, band?: string, scale?: number, edges?: boolean}} opts
 * @returns {Record<string, any>[]}
 */
export function bandDatasets(rows, { label, style, band = "ci", scale = 1, edges = false }) {
  // Thin edges in the cell's colour keep overlapping bands apart (their
  // shades mix to grey where they overlap).
  const edge = edges
    ? { borderWidth: 1, borderColor: alpha(style.color, 0.55) }
    : { borderWidth: 0 };
  /** @param {(r: EpochSummary) => number | null | undefined} f */
  const pts = (f) =>
    rows.map((r) => {
      const v = f(r);
      return { x: r.epoch, y: v === null || v === undefined ? null : v * scale };
    });
  return [
    {
      label: `${label} band low`,
      data: pts((r) => bandOf(r, band)[0]),
      ...edge,
      pointRadius: 0,
      pointHoverRadius: 0,
      fill: false,
      band: true,
    },
    {
      label: `${label} band`,
      data: pts((r) => bandOf(r, band)[1]),
      ...edge,
      pointRadius: 0,
      pointHoverRadius: 0,
      backgroundColor: alpha(style.color, 0.16),
      fill: "-1",
      band: true,
    },
    {
      label: `${label} (n = ${cellN(rows)})`,
      data: pts((r) => r.mean),
      borderColor: style.color,
      backgroundColor: style.color,
      borderDash: style.dash,
      pointStyle: style.point,
      pointRadius: 2.5,
      borderWidth: 2,
      fill: false,
    },
  ];
}

/**
 * Reliability bins summed over runs' epochs ({reliability, ece}): per bin the
 * count and the accuracy, the bin centres, and the mean ECE.
 * @param {Record<string, any>[]} epochs
 */
export function pooledReliability(epochs) {
  const withBins = epochs.filter((e) => e?.reliability?.count);
  const bins = withBins[0]?.reliability.count.length ?? 15;
  const count = new Array(bins).fill(0);
  const hit = new Array(bins).fill(0);
  const conf = new Array(bins).fill(0);
  for (const e of withBins) {
    const rel = e.reliability;
    for (let b = 0; b < bins; b++) {
      const c = rel.count[b] ?? 0;
      count[b] += c;
      hit[b] += (rel.accuracy[b] ?? 0) * c;
      conf[b] += (rel.confidence?.[b] ?? 0) * c;
    }
  }
  const eces = withBins.map((e) => e.ece).filter((x) => typeof x === "number");
  return {
    runs: withBins.length,
    centres: count.map((_, b) => (b + 0.5) / bins),
    count,
    accuracy: count.map((c, b) => (c ? hit[b] / c : null)),
    confidence: count.map((c, b) => (c ? conf[b] / c : null)),
    meanEce: eces.length ? eces.reduce((a, b) => a + b, 0) / eces.length : null,
  };
}

/**
 * Chart.js data for a reliability diagram (accuracy per bin against the diagonal), in %.
 * @param {ReturnType<typeof pooledReliability>} pooled @param {string} color
 */
export function reliabilityData(pooled, color) {
  return {
    labels: pooled.centres.map((c) => c.toFixed(2)),
    datasets: [
      {
        label: "accuracy in bin",
        data: pooled.accuracy.map((a) => (a === null ? null : 100 * a)),
        backgroundColor: alpha(color, 0.7),
        borderColor: color,
        borderWidth: 1,
      },
      {
        type: "line",
        label: "perfect calibration",
        data: pooled.centres.map((c) => 100 * c),
        borderColor: "#555",
        borderDash: [4, 4],
        borderWidth: 1.5,
        pointRadius: 0,
        fill: false,
      },
    ],
  };
}

/**
 * Per-class precision, recall and F1 averaged over runs' epochs ({perClass}):
 * {precision: [...], recall: [...], f1: [...], runs}.
 * @param {Record<string, any>[]} epochs
 * @returns {{runs: number, precision: number[], recall: number[], f1: number[]}}
 */
export function meanPerClass(epochs) {
  const list = epochs.filter((e) => e?.perClass?.f1);
  const k = list[0]?.perClass.f1.length ?? 0;
  /** @type {{runs: number, precision: number[], recall: number[], f1: number[]}} */
  const out = { runs: list.length, precision: [], recall: [], f1: [] };
  for (const key of /** @type {const} */ (["precision", "recall", "f1"])) {
    out[key] = Array.from(
      { length: k },
      (_, c) => list.reduce((s, e) => s + (e.perClass[key][c] ?? 0), 0) / Math.max(1, list.length),
    );
  }
  return out;
}

/** Three bar colours for precision, recall and F1 (Okabe–Ito, with hatch-free contrast). */
export const PER_CLASS_COLORS = { precision: "#56B4E9", recall: "#E69F00", f1: "#0072B2" };

/**
 * Chart.js data for the per-class bars, in %.
 * @param {ReturnType<typeof meanPerClass>} pc @param {string[]} names
 */
export function perClassData(pc, names) {
  return {
    labels: names,
    datasets: /** @type {const} */ (["precision", "recall", "f1"]).map((key) => ({
      label: key === "f1" ? "F1" : key,
      data: pc[key].map((v) => 100 * v),
      backgroundColor: PER_CLASS_COLORS[key],
    })),
  };
}
