// One plain sentence per comparison, with a three-way outcome, e.g.
//   focal γ=2 − ce: −0.51 points test accuracy, 95% CI [−1.09, 0.08] (per comparison),
//   99.2% CI [−1.33, 0.32] (Holm-consistent), p(Holm) = 0.16, n = 10: inconclusive: …
// The outcome rests on the paired t (or Welch) p and the TOST p, each Holm-adjusted within the
// comparison's family; the family, its size and the correction end every sentence.
import type { PairStats } from "./compare.ts";
import { isFraction, metricDirection, metricName } from "./metric_info.ts";

export const ALPHA = 0.05;

export type Outcome = "A better" | "B better" | "equivalent" | "inconclusive" | "untested";

export interface VerdictInput {
  labelA: string;
  labelB: string;
  metric: string;
  stats: PairStats;
  /** The t-test p after Holm's adjustment; null when no test ran. */
  pHolm: number | null;
  outcome?: Outcome;
  /** The CI at the level of the verdict, and that level (e.g. 0.992). */
  ciFamily?: { level: number; ci: [number, number] } | null;
  delta?: number | null;
  mde?: number | null;
  seedsNeeded?: number | null;
  family?: { name: string; size: number; correction: string };
  /** Appended in brackets, e.g. "2 runs still training". */
  note?: string;
}

export function verdict(v: VerdictInput): string {
  const { labelA, labelB, metric, stats: s } = v;
  const head = `${labelA} − ${labelB}`;
  const notes = [v.note, diverged(v)].filter(Boolean);
  const fam = v.family
    ? ` [family: ${v.family.name}, ${v.family.size} comparison${v.family.size > 1 ? "s" : ""}, ` +
      `${v.family.correction}]`
    : "";
  const tail = (notes.length ? ` (${notes.join("; ")})` : "") + fam;
  if (s.diff === null) {
    const missing = s.nA === 0 ? labelA : labelB;
    return `${head}: ${metricName(metric)}: no finished runs of ${missing} yet${tail}`;
  }
  const unit = isFraction(metric) ? " points " : " ";
  let text = `${head}: ${formatValue(s.diff, metric, true)}${unit}${metricName(metric)}`;
  const tested = s.pT !== null && v.pHolm !== null;
  const ci = (c: [number, number]) => c.map((x) => formatValue(x, metric, false)).join(", ");
  if (tested && s.ci95) {
    text += `, 95% CI [${ci(s.ci95)}]`;
    if (v.ciFamily && Math.abs(v.ciFamily.level - 0.95) > 1e-12) {
      text += ` (per comparison), ${formatLevel(v.ciFamily.level)} CI [${ci(v.ciFamily.ci)}] ` +
        `(Holm-consistent)`;
    }
  }
  if (tested) text += `, p(Holm) ${formatP(v.pHolm!)}`;
  text += `, ${s.paired ? `n = ${s.n}` : `n = ${s.nA} + ${s.nB} (unpaired)`}: `;
  text += tested ? conclusion(v) : untested(v);
  return text + tail;
}

/** Who is better, in words, from the sign of A − B and the metric's direction. */
function better(v: VerdictInput, aAhead: boolean): string {
  const dir = metricDirection(v.metric);
  if (dir === undefined) return `${aAhead ? v.labelA : v.labelB} higher`;
  const aBetter = dir === "higher" ? aAhead : !aAhead;
  return `${aBetter ? v.labelA : v.labelB} better`;
}

function conclusion(v: VerdictInput): string {
  const outcome = v.outcome ??
    (v.pHolm! < ALPHA && v.stats.diff !== 0 ? "A better" : "inconclusive");
  const d = v.delta ? `±${formatValue(v.delta, v.metric, false)}` : null;
  if (outcome === "A better" || outcome === "B better") {
    return `significant at ${ALPHA} (${better(v, v.stats.diff! > 0)})`;
  }
  if (outcome === "equivalent") return `equivalent within ${d} (TOST at ${ALPHA})`;
  let text = "inconclusive: not significant";
  if (d) text += `, and not shown equivalent within ${d}`;
  if (v.mde != null) {
    text += `; the smallest difference this n detects (80% power): ` +
      `${formatValue(v.mde, v.metric, false)}`;
  }
  if (v.seedsNeeded != null && d) text += `; seeds needed to detect ${d}: ${v.seedsNeeded}`;
  return text;
}

function diverged(v: VerdictInput): string {
  const parts: string[] = [];
  const s = v.stats;
  if (s.divergedA) parts.push(`${s.divergedA} of ${s.divergedA + s.nA} runs of ${v.labelA}`);
  if (s.divergedB) parts.push(`${s.divergedB} of ${s.divergedB + s.nB} runs of ${v.labelB}`);
  return parts.length ? `${parts.join(" and ")} diverged (non-finite), left out` : "";
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

/** "95%", "99.2%", "97.5%": the level to a tenth of a point (the exact level is in the JSON). */
export function formatLevel(level: number): string {
  const pct = 100 * level;
  return `${Number.isInteger(Math.round(pct * 1e6) / 1e6) ? pct.toFixed(0) : pct.toFixed(1)}%`;
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

/**
 * "= 0.62", "= 0.0312", "< 0.001": as many digits as it takes that the printed p falls on the
 * same side of α as p itself (0.04996 is "= 0.04996", never "= 0.0500"); "< α" past 6 digits.
 */
export function formatP(p: number, alpha = ALPHA): string {
  if (p < 0.001) return "< 0.001";
  for (let digits = p >= 0.1 ? 2 : 3; digits <= 6; digits++) {
    const t = p >= 0.1 ? p.toFixed(digits) : p.toPrecision(digits);
    if ((Number(t) < alpha) === (p < alpha)) return "= " + t;
  }
  return p < alpha ? `< ${alpha}` : `= ${p.toPrecision(6)}`;
}
