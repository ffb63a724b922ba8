// One plain sentence per comparison, e.g.
//   focal γ=2 − ce: +0.41 points test accuracy, 95% CI [−0.30, 1.12], p(Holm) = 0.62, n = 5: not significant
// The verdict rests on the paired t (or Welch) p, Holm-adjusted over all pairs.
import type { PairStats } from "./compare.ts";
import { isFraction, metricDirection, metricName } from "./metric_info.ts";

export const ALPHA = 0.05;

export interface VerdictInput {
  labelA: string;
  labelB: string;
  metric: string;
  stats: PairStats;
  /** The t-test p after Holm's adjustment; null when no test ran. */
  pHolm: number | null;
  /** Appended in brackets, e.g. "2 runs still training". */
  note?: string;
}

export function verdict(v: VerdictInput): string {
  const { labelA, labelB, metric, stats: s } = v;
  const head = `${labelA} − ${labelB}`;
  const tail = v.note ? ` (${v.note})` : "";
  if (s.diff === null) {
    const missing = s.nA === 0 ? labelA : labelB;
    return `${head}: ${metricName(metric)}: no finished runs of ${missing} yet${tail}`;
  }
  const unit = isFraction(metric) ? " points " : " ";
  let text = `${head}: ${formatValue(s.diff, metric, true)}${unit}${metricName(metric)}`;
  const tested = s.pT !== null && v.pHolm !== null;
  if (tested && s.ci95) {
    const [lo, hi] = s.ci95.map((x) => formatValue(x, metric, false));
    text += `, 95% CI [${lo}, ${hi}]`;
  }
  if (tested) text += `, p(Holm) ${formatP(v.pHolm!)}`;
  text += `, ${s.paired ? `n = ${s.n}` : `n = ${s.nA} + ${s.nB} (unpaired)`}: `;
  text += tested ? conclusion(v) : untested(v);
  return text + tail;
}

function conclusion(v: VerdictInput): string {
  if (v.pHolm! >= ALPHA || v.stats.diff === 0) return "not significant";
  const aAhead = v.stats.diff! > 0;
  const dir = metricDirection(v.metric);
  if (dir === undefined) {
    return `significant at ${ALPHA} (${aAhead ? v.labelA : v.labelB} higher)`;
  }
  const aBetter = dir === "higher" ? aAhead : !aAhead;
  return `significant at ${ALPHA} (${aBetter ? v.labelA : v.labelB} better)`;
}

function untested(v: VerdictInput): string {
  const s = v.stats;
  if (s.paired) {
    return s.diff === 0
      ? "identical results on every seed"
      : "the same difference on every seed: no variance to test";
  }
  if (s.nA < 2 || s.nB < 2) {
    return `n = 1 for ${s.nA < 2 ? v.labelA : v.labelB}: no test possible`;
  }
  return "no variance in either cell: no test possible";
}

/**
 * Accuracy-like values as percentage points with 2 decimals, others with 4 significant digits;
 * a true minus sign, and "+" on positive differences when `signed`.
 */
export function formatValue(x: number, metric: string, signed: boolean): string {
  let t = isFraction(metric) ? (x * 100).toFixed(2) : x.toPrecision(4);
  if (/^-?[0.]+$/.test(t.replace(/e.*$/, ""))) t = t.replace(/^-/, ""); // no "−0.00"
  if (t.startsWith("-")) return "−" + t.slice(1);
  return signed && !/^[0.]+$/.test(t) ? "+" + t : t;
}

/** "= 0.62", "= 0.0312", "< 0.001": enough digits that rounding never crosses 0.05. */
export function formatP(p: number): string {
  if (p < 0.001) return "< 0.001";
  return "= " + (p >= 0.1 ? p.toFixed(2) : p.toPrecision(3));
}
