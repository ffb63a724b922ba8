// Declared hypotheses: directional claims stated before looking, each tested one-sided, with
// Holm over the declared ones and the one-sided bound at the verdict's level.
import { type PairStats, pOneSided, tInterval } from "./compare.ts";
import type { CellInput, Hypothesis, HypothesisResult } from "./experiment.ts";
import { StatsOptionError } from "./family.ts";
import { holm, holmLevels } from "./holm.ts";
import { isFraction, metricDirection, metricName } from "./metric_info.ts";
import { detectableEffect } from "./power.ts";
import { ALPHA, formatLevel, formatP, formatValue } from "./verdict.ts";

/** One-sided tests of the declared claims, Holm over them, with the one-sided bound. */
export function testHypotheses(
  hs: Hypothesis[],
  cells: CellInput[],
  cmp: (i: number, j: number) => PairStats,
  metric: string,
): HypothesisResult[] {
  const find = (x: string) => {
    const i = cells.findIndex((c) => c.key === x || c.label === x);
    if (i < 0) {
      throw new StatsOptionError(`hypothesis names no cell "${x}" (use a cell key or label)`);
    }
    return i;
  };
  const dir = metricDirection(metric) === "lower" ? -1 : 1;
  const tests = hs.map((h) => {
    const [i, j] = [find(h.better), find(h.than)];
    const s = cmp(i, j);
    return { h, i, j, s, p: pOneSided(s, dir) };
  });
  const pH = holm(tests.map((t) => t.p), tests.length);
  const levels = holmLevels(tests.map((t) => t.p), ALPHA, tests.length);
  return tests.map(({ i, j, s, p }, k) => {
    const [a, b] = [cells[i].label, cells[j].label];
    const claim = `${a} beats ${b} on ${metricName(metric)}`;
    const bound = s.se !== null && levels[k] !== null
      ? {
        level: 1 - levels[k]!,
        // The lower end of a two-sided interval at 1 − 2α_j is the one-sided bound at 1 − α_j.
        value: dir * s.diff! - (tInterval(0, s.se, s.df!, 1 - 2 * levels[k]!)[1]),
      }
      : null;
    const supported = pH[k] !== null && pH[k]! < ALPHA;
    const unit = isFraction(metric) ? " points" : "";
    const diffText = s.diff === null
      ? "no data"
      : `${formatValue(dir * s.diff, metric, true)}${unit}`;
    let words = pH[k] === null
      ? `no test possible (${s.reason ?? "too few seeds"})`
      : `one-sided p(Holm over ${tests.length}) ${formatP(pH[k]!)}: ` +
        (supported
          ? "supported"
          : dir * s.diff! <= 0
          ? "not supported (the difference goes the other way)"
          : "not supported at this n");
    if (!supported && s.paired && s.sdDiff) {
      // What Holm's first step over the claims could detect, one-sided, with 80% power.
      const mde = detectableEffect(s.n, ALPHA / tests.length, 0.8, "larger") * s.sdDiff;
      words += `; the smallest difference this n detects: ${
        formatValue(mde, metric, false)
      }${unit}`;
    }
    return {
      claim,
      better: cells[i].key,
      than: cells[j].key,
      n: s.n,
      diff: s.diff === null ? null : dir * s.diff,
      p,
      pHolm: pH[k],
      bound,
      supported,
      verdict: `${claim}: ${diffText}${
        bound
          ? `, ${formatLevel(bound.level)} lower bound ${formatValue(bound.value, metric, true)}`
          : ""
      }, n = ${s.n}, ${words}`,
    };
  });
}
