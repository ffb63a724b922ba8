// POST /api/analyses: the statistics of an experiment for per-seed values trained elsewhere
// (PyTorch, a tracker's export), given as JSON rows or as CSV text in the JSON body.
import type { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import {
  AnalysisInputError,
  analyze,
  checkRow,
  parseCsv,
  type ValueRow,
} from "../stats/analysis.ts";
import { json, route, router } from "./contract/route.ts";
import { statsSchema } from "./contract/schemas.ts";
import type { Deps } from "./deps.ts";
import { ValidationError } from "../service/errors.ts";
import { StatsOptionError } from "../stats/family.ts";
import { familyOptions, familyQuery } from "./stats_query.ts";

const rowSchema = z.strictObject({
  cell: z.string().min(1).max(200),
  seed: z.number().int(),
  metric: z.string().min(1).max(64),
  value: z.union([z.number(), z.null(), z.literal("NaN")])
    .describe('The run\'s value; null or "NaN" for a diverged run (counted and reported)'),
  n: z.number().int().positive().optional()
    .describe("Images the metric counts (e.g. the test set's size): sets its resolution 1/n"),
  group: z.string().min(1).max(200).optional()
    .describe("Condition/model: the default family compares cells within one group"),
});

export const analysisSchema = z.strictObject({
  values: z.array(rowSchema).min(1).max(100_000).optional(),
  csv: z.string().min(1).max(10_000_000).optional()
    .describe("The same rows as CSV with a header: cell,seed,metric,value[,n][,group]"),
  metric: z.string().min(1).max(64).optional()
    .describe("The metric compared (default: the only one, or testAcc)"),
  family: familyQuery.family,
  control: familyQuery.control,
  delta: z.number().positive().optional().describe(familyQuery.delta.description ?? ""),
  hypotheses: z.array(z.string().max(400)).max(100).optional()
    .describe('Declared claims "A>B" (A better than B on the metric), each tested one-sided'),
});

const resultSchema = statsSchema.extend({ metric: z.string(), metrics: z.array(z.string()) })
  .meta({ id: "Analysis" });

export function analysisRoutes(_deps: Deps): OpenAPIHono {
  const r = router();
  r.openapi(
    route({
      method: "post",
      path: "/",
      tags: ["analyses"],
      summary: "Statistics for per-seed values trained elsewhere",
      description: "Takes per-seed values (JSON rows or CSV) and returns the same per-cell " +
        "summaries, families, three-way verdicts and declared hypotheses as an experiment. " +
        "Nothing is stored.",
      request: { body: { content: { "application/json": { schema: analysisSchema } } } },
      responses: { 200: json(resultSchema, "The statistics") },
    }),
    (c) => {
      const body = c.req.valid("json");
      try {
        if (!body.values === !body.csv) {
          throw new AnalysisInputError("give values or csv, one of them");
        }
        const rows: ValueRow[] = body.csv !== undefined
          ? parseCsv(body.csv)
          : body.values!.map((v, i) =>
            checkRow({ ...v, value: v.value === "NaN" ? null : v.value }, `values.${i}`)
          );
        const opts = familyOptions({ ...body, hypothesis: body.hypotheses });
        const stats = analyze(rows, { metric: body.metric, ...opts });
        const metrics = [...new Set(rows.map((x) => x.metric))];
        return c.json({ ...stats, metrics }, 200);
      } catch (e) {
        if (e instanceof AnalysisInputError || e instanceof StatsOptionError) {
          throw new ValidationError(e.message);
        }
        throw e;
      }
    },
  );
  return r;
}
