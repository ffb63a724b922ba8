// The `acrossConditions` field of an experiment's statistics (stats/across.ts), for the code and
// the API's contract.
import { z } from "zod";

export const acrossConditionsSchema = z.strictObject({
  metric: z.string(),
  better: z.enum(["higher", "lower"]),
  alpha: z.number(),
  blocks: z.array(z.strictObject({ key: z.string(), label: z.string() })),
  losses: z.array(z.strictObject({ key: z.string(), label: z.string(), meanRank: z.number() })),
  friedman: z.strictObject({
    chi2: z.number(),
    df: z.number().int(),
    p: z.number(),
    f: z.number().nullable().describe("Iman–Davenport F; null when every block ranks alike"),
    df1: z.number().int(),
    df2: z.number().int(),
    pF: z.number(),
  }),
  nemenyi: z.strictObject({ q: z.number(), cd: z.number().describe("Critical difference") }),
  pairs: z.array(z.strictObject({
    a: z.string(),
    b: z.string(),
    labelA: z.string(),
    labelB: z.string(),
    rankDiff: z.number(),
    z: z.number(),
    p: z.number(),
    pHolm: z.number(),
    nemenyi: z.boolean(),
    pImprove: z.number(),
    pImproveCi: z.tuple([z.number(), z.number()]),
  })),
  bootstrap: z.strictObject({ reps: z.number().int(), seed: z.number().int() }),
  reason: z.string().optional(),
}).meta({
  id: "AcrossConditions",
  description: "Losses across conditions: mean ranks, Friedman and Iman–Davenport, Nemenyi's " +
    "critical difference, Holm over pairs of mean ranks, and rliable's probability of improvement",
});
