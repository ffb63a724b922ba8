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
  pImprove: stat.describe(
    "P(A better than B) by the metric's direction (P(A > B) without one): over seeds when " +
      "paired, over all (a, b) when not; ties count ½",
  ),
  se: stat.describe("Standard error of `diff` (null when no t-test ran)"),
  df: stat.describe("The t-test's degrees of freedom"),
  sdDiff: stat.describe("Sample sd of the per-seed differences (paired): what power rests on"),
  divergedA: count.describe("Runs of A whose value is not finite: left out, and said so"),
  divergedB: count,
  resolution: z.number().optional()
    .describe("Differences were rounded to multiples of this (1/N for hits on N images)"),
  reason: z.string().optional(),
});

export const outcomeSchema = z.enum([
  "A better",
  "B better",
  "equivalent",
  "inconclusive",
  "untested",
]);

export const familySchema = z.strictObject({
  name: z.string(),
  kind: z.enum(["losses", "control", "all"]),
  size: count,
  correction: z.literal("Holm"),
}).meta({ id: "Family", description: "Comparisons that share one Holm correction" });

export const hypothesisResultSchema = z.strictObject({
  claim: z.string(),
  better: z.string(),
  than: z.string(),
  n: count,
  diff: stat.describe("mean(better − than), signed so that positive favours the claim"),
  p: stat.describe("One-sided p of exactly the claim"),
  pHolm: stat.describe("Holm over the declared claims"),
  bound: z.strictObject({ level: z.number(), value: z.number() }).nullable()
    .describe("One-sided lower bound of the claim's difference at the verdict's level"),
  supported: z.boolean(),
  verdict: z.string(),
}).meta({ id: "HypothesisResult" });

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
  family: z.string(),
  familySize: count,
  correction: z.literal("Holm"),
  ciFamily: z.strictObject({ level: z.number(), ci: z.tuple([z.number(), z.number()]) }).nullable()
    .describe("The CI at the level the verdict was decided at (Holm-consistent)"),
  delta: stat.describe("The equivalence margin δ, in the metric's units"),
  pTost: stat,
  pTostHolm: stat,
  outcome: outcomeSchema,
  mde: stat.describe("Smallest difference detected with 80% power at this n (undecided only)"),
  seedsNeeded: stat.describe("Seeds to detect δ with 80% power (undecided only)"),
  verdict: z.string(),
}).meta({ id: "Comparison" });

export const experimentStatsSchema = z.strictObject({
  /** With ≥ 2 conditions (or models): losses across them (stats/across.ts). */
  acrossConditions: acrossConditionsSchema.optional(),
  point: pointSchema,
  metric,
  alpha: z.number(),
  delta: stat.describe("δ for the compared metric (equivalence margin), in its units"),
  runs: z.strictObject({ total: count, finished: count }),
  cells: z.array(cellStatsSchema),
  families: z.array(familySchema),
  comparisons: z.array(comparisonSchema),
  hypotheses: z.array(hypothesisResultSchema),
}).meta({ id: "ExperimentStats" });
