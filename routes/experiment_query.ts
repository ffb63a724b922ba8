// An experiment's read query (GET /api/experiments/:id and its CSV exports): the
// summary point, the compared metric, the comparison family, and for a tuned
// experiment which comparison (defaults or tuned) is read.
import { z } from "zod";
import { STAT_METRICS } from "../ml/metrics/registry.ts";
import { ValidationError } from "../service/errors.ts";
import { type Comparison, COMPARISONS } from "../service/tuning_records.ts";
import type { Experiment, ExperimentCell } from "../service/types.ts";
import type { Point } from "../stats/experiment.ts";
import { StatsOptionError } from "../stats/family.ts";
import { familyOptions, familyQuery, type StatsQuery } from "./stats_query.ts";

/** The summary point and compared metric, from the query string. */
export const statsQuerySchema = z.object({
  metric: z.enum(STAT_METRICS, {
    error: (i) =>
      `unknown metric "${String(i.input).slice(0, 64)}"; use one of: ${STAT_METRICS.join(", ")}`,
  }).default("testAcc").describe("The metric summarized and compared"),
  point: z.enum(["final", "lastK", "best"], {
    error: (i) => `"final", "lastK" or "best" (got "${String(i.input).slice(0, 32)}")`,
  }).default("final").describe(
    "Where in training a run's value is read: its last epoch, the mean of its last k, or the " +
      "epoch best on the validation split",
  ),
  k: z.coerce.number({ error: "an integer from 1 to 500" })
    .int({ error: "an integer from 1 to 500" })
    .min(1, { error: "an integer from 1 to 500" })
    .max(500, { error: "an integer from 1 to 500" })
    .default(3).describe("Epochs averaged by point=lastK"),
  on: z.enum(["valAcc", "valLoss"], { error: `"valAcc" or "valLoss"` }).default("valAcc")
    .describe("What point=best picks the epoch by"),
  comparison: z.enum(COMPARISONS, { error: `"defaults" or "tuned"` }).optional().describe(
    "A tuned experiment's comparison: at the shared defaults or at each cell's tuned settings " +
      "(default: the experiment's first `compare`)",
  ),
  ...familyQuery,
});

/** The comparison a query reads: the one named, or the experiment's first. */
export function comparisonOf(exp: Experiment, q: { comparison?: Comparison }): Comparison {
  const has = exp.compare ?? ["defaults"];
  const c = q.comparison ?? has[0];
  if (!has.includes(c)) {
    throw new ValidationError(`comparison: this experiment holds ${has.join(", ")}`, "comparison");
  }
  return c;
}

export function statsOptions(q: z.output<typeof statsQuerySchema>): StatsQuery {
  let fam;
  try {
    fam = familyOptions(q);
  } catch (e) {
    if (e instanceof StatsOptionError) throw new ValidationError(e.message);
    throw e;
  }
  const point: Point = q.point === "lastK"
    ? { kind: "lastK", k: q.k }
    : q.point === "best"
    ? { kind: "best", on: q.on }
    : { kind: "final" };
  return { point, metric: q.metric, ...fam };
}

/**
 * The query's claims and control with each cell's declared label as its key: at tuned
 * settings a cell's label names its chosen values, and a claim written against the
 * declaration ("gce q=0.7>ce") still names that cell.
 */
export function namesByKey(opts: StatsQuery, cells: readonly ExperimentCell[]): StatsQuery {
  const key = (x: string) => cells.find((c) => c.label === x)?.key ?? x;
  const { family, hypotheses } = opts;
  // A control that is a loss name stays one: it names that loss's cell in each group.
  const control = family?.control;
  return {
    ...opts,
    ...(control && !cells.some((c) => c.loss === control)
      ? { family: { ...family, control: key(control) } }
      : {}),
    ...(hypotheses
      ? { hypotheses: hypotheses.map((h) => ({ better: key(h.better), than: key(h.than) })) }
      : {}),
  };
}
