// The statistics' results as zod schemas, whose outputs are the types the stats
// functions return (Summary, PairStats, Point, ExperimentStats): one declaration
// for the code and for the API's contract and OpenAPI document. Every number is
// finite or null, so the objects are the same in memory and in JSON.
import { z } from "zod";
import { acrossConditionsSchema } from "./across_schema.ts";

const count = z.number().int().min(0);
/** A statistic, or null where it is undefined (`reason` says why). */
const stat = z.number().nullable();
const interval = z.tuple([z.number(), z.number()]).nullable();

export const summarySchema = z.strictObject({
  n: count,
  mean: stat,
  sd: stat.describe("Sample standard deviation (ddof = 1)"),
  se: stat.describe("Standard error of the mean, sd / √n"),
  ci95: interval.describe("95% t-interval of the mean, t quantile at df = n − 1"),
  min: stat,
  max: stat,
  reason: z.string().optional().describe("Why a field is null, or what was left out"),
}).meta({ id: "Summary" });

export const pairStatsSchema = z.strictObject({
  paired: z.boolean().describe("True when the tests ran on per-seed differences"),
  n: count.describe("Pairs when paired, nA + nB otherwise"),
  nA: count,
  nB: count,
  diff: stat.describe("mean(A − B): over the pairs when paired, difference of the means otherwise"),
  ci95: interval.describe("95% CI of `diff` (paired t, or Welch)"),
  pT: stat.describe("Paired t-test p (two-sided), or Welch's when unpaired"),
  pWilcoxon: stat.describe("Wilcoxon signed-rank p (two-sided); null when unpaired or too few"),
  pImprove: stat.describe("P(A > B): over seeds when paired, over all (a, b) when not"),
  reason: z.string().optional(),
});

export const pointSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("final") }),
  z.strictObject({ kind: z.literal("lastK"), k: z.number().int() }),
  z.strictObject({ kind: z.literal("best"), on: z.enum(["valAcc", "valLoss"]) }),
]).meta({ id: "Point", description: "Where in training a run's value is read" });

const metric = z.string().describe("A metric with `stats: true` in GET /api/metrics");

export const epochSummarySchema = summarySchema.extend({ epoch: z.number().int() });

export const cellStatsSchema = z.strictObject({
  key: z.string(),
  label: z.string(),
  runs: count,
  finished: count,
  seeds: z.array(z.number().int()).describe("Seeds of the finished runs, ascending"),
  perEpoch: z.record(z.string(), z.array(epochSummarySchema))
    .describe("All runs that reached each epoch: the live bands"),
  summary: z.record(z.string(), summarySchema).describe("Finished runs only, at the point"),
});

export const comparisonSchema = z.strictObject({
  a: z.string(),
  b: z.string(),
  labelA: z.string(),
  labelB: z.string(),
  metric,
  ...pairStatsSchema.shape,
  pTHolm: stat,
  pWilcoxonHolm: stat,
  verdict: z.string(),
});

export const experimentStatsSchema = z.strictObject({
  /** With ≥ 2 conditions (or models): losses across them (stats/across.ts). */
  acrossConditions: acrossConditionsSchema.optional(),
  point: pointSchema,
  metric,
  runs: z.strictObject({ total: count, finished: count }),
  cells: z.array(cellStatsSchema),
  comparisons: z.array(comparisonSchema),
}).meta({ id: "ExperimentStats" });
