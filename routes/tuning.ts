// A tuned experiment's evidence: GET /api/experiments/:id/tuning (the trials,
// the choices, the budget curves and the cost, per cell) and trials.csv.
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { EpochMetrics } from "../ml/types.ts";
import { isId } from "../service/ids.ts";
import { ReadPacer } from "../service/read_pacer.ts";
import { trialsCsv, tuningView, tuningViewSchema } from "../service/tuning_view.ts";
import type { Experiment, Run } from "../service/types.ts";
import { err, idParam, json, route, router, text } from "./contract/route.ts";
import type { Deps } from "./deps.ts";
import { apiError } from "./errors.ts";

const tags = ["experiments"];

export function tuningRoutes(deps: Deps): OpenAPIHono {
  const r = router();
  // Each read gathers every trial's epochs: paced like reads of whole experiments,
  // since a dashboard refreshes it as trials report.
  const pacer = new ReadPacer(deps.experimentReadsPerSecond ?? 10);

  async function view(c: Context) {
    if (!(await pacer.take())) throw apiError(429, "too many reads of experiments waiting");
    const id = c.req.param("id") ?? "";
    const exp: Experiment | null = isId(id) ? await deps.store.getExperiment(id) : null;
    if (!exp) throw apiError(404, `no experiment with id "${id.slice(0, 100)}"`);
    if (!exp.tune) throw apiError(404, `experiment "${id}" has no tuning stage`);
    const runs = (await Promise.all(exp.runIds.map((x) => deps.store.getRun(x))))
      .filter((x): x is Run => x !== null && x.tune?.role === "trial");
    const epochs = new Map<string, EpochMetrics[]>();
    for (const run of runs) epochs.set(run.id, await deps.store.listEpochs(run.id));
    return { exp, view: tuningView(exp, runs, epochs)! };
  }

  r.openapi(
    route({
      method: "get",
      path: "/{id}/tuning",
      tags,
      summary: "A tuned experiment's trials, choices, budget curves and cost",
      description: "Per cell: every trial's settings, its validation value at the declared " +
        "point, epochs, images, seconds and status (pruned ones with their rung); the chosen " +
        "trial; the expected best validation score against the number of trials (±sd); the " +
        "cost, and what successive halving saved. The comparisons themselves are " +
        "GET /api/experiments/:id?comparison=defaults|tuned.",
      request: idParam("experiment"),
      responses: {
        200: json(tuningViewSchema, "The tuning stage"),
        404: err("No experiment with this id, or it has no tuning stage"),
        429: err("Over a thousand reads waiting their turn (reads are paced; see README)"),
      },
    }),
    async (c) => c.json((await view(c)).view, 200),
  );

  r.openapi(
    route({
      method: "get",
      path: "/{id}/trials.csv",
      tags,
      summary: "trials.csv",
      request: idParam("experiment"),
      responses: {
        200: text("text/csv", "One row per cell and trial (an attachment)"),
        404: err("No experiment with this id, or it has no tuning stage"),
        429: err("Over a thousand reads waiting their turn (reads are paced; see README)"),
      },
    }),
    async (c) => {
      const { exp, view: v } = await view(c);
      return c.body(trialsCsv(v, Object.keys(exp.tune!.space)), 200, {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="lossbench-${exp.id}-trials.csv"`,
      });
    },
  );
  return r;
}
