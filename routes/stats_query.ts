// The statistics' options that an experiment's query and an analysis share: the comparison family,
// the equivalence margin δ and declared one-sided hypotheses.
import { z } from "zod";
import { type FamilySpec, StatsOptionError } from "../stats/family.ts";
import type { Hypothesis, Point } from "../stats/experiment.ts";

export const familyQuery = {
  family: z.enum(["losses", "control", "all"], {
    error: `"losses", "control" or "all"`,
  }).default("losses").describe(
    "Which comparisons share a Holm correction: the losses within one condition and model " +
      "(default), every cell against `control`, or all pairs of cells",
  ),
  control: z.string().min(1).max(200).optional()
    .describe("family=control: the control cell (its key, label, or its loss name)"),
  delta: z.coerce.number({ error: "a number > 0" }).positive({ error: "a number > 0" })
    .optional().describe(
      "Equivalence margin δ in the metric's units (default 0.005 = 0.5 points for accuracy-like " +
        "metrics, 0.02 for losses, 0.005 for ECE)",
    ),
  hypothesis: z.union([z.string(), z.array(z.string())]).optional().describe(
    'Declared claims "A>B" (cell keys or labels: A better than B on the metric), each tested ' +
      "one-sided, Holm over the declared ones",
  ),
};

export interface StatsQuery {
  point: Point;
  metric: string;
  family?: FamilySpec;
  delta?: number;
  hypotheses?: Hypothesis[];
}

type FamilyQuery = {
  family: "losses" | "control" | "all";
  control?: string;
  delta?: number;
  hypothesis?: string | string[];
};

/** Options from the parsed query; throws (a 400) on a claim without ">" or control without a cell. */
export function familyOptions(q: FamilyQuery): Omit<StatsQuery, "point" | "metric"> {
  if (q.family === "control" && !q.control) {
    throw new StatsOptionError("family=control needs control (a cell key, label or loss)");
  }
  const claims = q.hypothesis === undefined
    ? []
    : Array.isArray(q.hypothesis)
    ? q.hypothesis
    : [q.hypothesis];
  const hypotheses = claims.map((h) => {
    const [better, than, ...rest] = h.split(">").map((x) => x.trim());
    if (!better || !than || rest.length) {
      throw new StatsOptionError(`hypothesis: "${h.slice(0, 100)}" is not of the form "A>B"`);
    }
    return { better, than };
  });
  return {
    family: { kind: q.family, ...(q.control ? { control: q.control } : {}) },
    ...(q.delta !== undefined ? { delta: q.delta } : {}),
    ...(hypotheses.length ? { hypotheses } : {}),
  };
}
