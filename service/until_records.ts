// An experiment's `until` option (seeds added until decided) and the record of its looks: the
// request schema, and the record (service/until.ts writes it) that KV holds and the contract checks.
import { z } from "zod";
import { STAT_METRICS } from "../ml/metrics/registry.ts";

export const untilSchema = z.strictObject({
  decided: z.literal(true).describe("Add seeds until every pair of the family is decided"),
  maxSeeds: z.number().int().min(2).max(100).describe(
    "The most seeds per cell; the design's information fraction is seeds / maxSeeds",
  ),
  every: z.number().int().min(1).max(50).default(2).describe("Seeds added per batch"),
  metric: z.enum(STAT_METRICS).default("testAcc").describe(
    "The metric decided on, at each run's final epoch",
  ),
  delta: z.number().positive().max(1e6).optional().describe(
    "Equivalence margin ±δ on the metric's scale; default 0.005 (0.5 points) for accuracy- " +
      "and F1-like metrics, required for others",
  ),
  alpha: z.number().gt(0).max(0.2).default(0.05).describe(
    "Family-wise error rate over all looks and pairs",
  ),
}).meta({ id: "Until" });

export type Until = Required<z.output<typeof untilSchema>>;

export const untilOutSchema = z.strictObject({
  decided: z.literal(true),
  maxSeeds: z.number().int(),
  every: z.number().int(),
  metric: z.enum(STAT_METRICS),
  delta: z.number(),
  alpha: z.number(),
}).meta({ id: "UntilResolved" });

const decision = z.enum(["better", "equivalent", "continue", "inconclusive"]);

export const sequentialPairSchema = z.strictObject({
  a: z.string(),
  b: z.string(),
  labelA: z.string(),
  labelB: z.string(),
  decision,
  better: z.enum(["a", "b"]).optional().describe("With decision better: which cell"),
  /** The look (0-based) that decided it, or the latest look while undecided. */
  look: z.number().int().min(0),
  n: z.number().int().min(0),
  fraction: z.number(),
  boundary: z.number().nullable().describe("The z boundary c_k at that look (null: n < 2)"),
  nominalAlpha: z.number().nullable().describe("The look's nominal two-sided level 2Φ(−c_k)"),
  mean: z.number().nullable(),
  rci: z.tuple([z.number(), z.number()]).nullable().describe("The repeated confidence interval"),
  reason: z.string().optional(),
}).meta({ id: "SequentialPair" });

export const sequentialStateSchema = z.strictObject({
  design: z.string().describe("The sequential design, in words"),
  familySize: z.number().int().min(0),
  pairAlpha: z.number().describe("α per pair: the family's α over its size (Bonferroni)"),
  status: z.enum(["running", "stopped"]),
  looks: z.array(z.strictObject({
    at: z.string(),
    seeds: z.number().int().describe("Seeds per cell at this look"),
    n: z.array(z.number().int()).describe("Pairs per compared pair, in `pairs` order"),
  })),
  pairs: z.array(sequentialPairSchema),
  stopped: z.strictObject({
    at: z.string(),
    reason: z.enum(["decided", "maxSeeds", "cancelled"]),
    seedsUsed: z.number().int(),
    seedsSaved: z.number().int().describe("maxSeeds − seeds used, per cell"),
    runsSaved: z.number().int().describe("Seeds saved × cells"),
  }).optional(),
}).meta({ id: "Sequential" });

export type SequentialState = z.output<typeof sequentialStateSchema>;
export type SequentialPair = z.output<typeof sequentialPairSchema>;
