// /api/runs: start, list, inspect, cancel and delete runs; their CSV.
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { z } from "zod";
import { trainConfigSchema } from "../ml/config.ts";
import { toCsv } from "../ml/csv.ts";
import { checkCondition, conditionProblem } from "../ml/conditions/mod.ts";
import type { Condition, TrainConfig } from "../ml/types.ts";
import { isId } from "../service/ids.ts";
import { isTerminal, type Run } from "../service/types.ts";
import { err, idParam, json, route, router, text } from "./contract/route.ts";
import { runDetailSchema, runViewSchema } from "./contract/schemas.ts";
import type { Deps } from "./deps.ts";
import { apiError } from "./errors.ts";
import { idempotencyHeader, idempotencyResponses, idempotent } from "./idempotency.ts";
import { viewRun } from "./views.ts";

/** Checks what the schema can't: the data set name and the backend. */
export function checkConfig(deps: Deps, config: Pick<TrainConfig, "data" | "backend">): void {
  const bad = deps.datasets.check(config.data);
  if (bad) throw apiError(400, bad);
  if (config.backend !== "auto" && config.backend !== deps.backend) {
    throw apiError(
      400,
      `backend: this service trains on ${deps.backend}; use "auto" or "${deps.backend}"`,
    );
  }
}

/**
 * Checks conditions against the data set's class counts when they are known
 * here (a loaded set, whole train split); otherwise the run fails at its start
 * with the same message.
 */
export function checkConditions(
  deps: Deps,
  config: Pick<TrainConfig, "data" | "trainLimit" | "valFraction">,
  conditions: { condition: Condition; path: string }[],
): void {
  const fail = (bad: string, path: string) =>
    apiError(400, path ? bad.replace(/^condition\./, `${path}.`) : bad);
  // Label sets are known from their file's header, loaded or not.
  const sets = deps.datasets.labelSetNames(config.data);
  for (const { condition, path } of conditions) {
    const bad = conditionProblem(condition, { labelSets: sets });
    if (bad) throw fail(bad, path);
  }
  const counts = config.trainLimit === undefined
    ? deps.datasets.loadedTrainCounts(config.data)
    : undefined;
  const classes = deps.datasets.loadedClasses(config.data);
  if (!counts || !classes) return;
  for (const { condition, path } of conditions) {
    const bad = checkCondition(condition, counts, classes, config.valFraction, sets);
    if (bad) throw fail(bad, path);
  }
}

/** The run named by `:id`, or 404. */
export async function findRun(deps: Deps, c: Context): Promise<Run> {
  const id = c.req.param("id") ?? "";
  const run = isId(id) ? await deps.store.getRun(id) : null;
  if (!run) throw apiError(404, `no run with id "${id.slice(0, 100)}"`);
  return run;
}

const tags = ["runs"];

export function runRoutes(deps: Deps): OpenAPIHono {
  const r = router();

  r.openapi(
    route({
      method: "post",
      path: "/",
      tags,
      summary: "Start a run",
      description: "Queues one run. Unknown fields are refused; defaults fill the rest.",
      request: {
        headers: idempotencyHeader,
        body: { content: { "application/json": { schema: trainConfigSchema } } },
      },
      middleware: [idempotent(deps, "runs")],
      responses: {
        201: {
          ...json(runViewSchema, "Queued; Location names the run"),
          headers: { location: { schema: { type: "string" } } },
        },
        ...idempotencyResponses,
        409: err("A request with this Idempotency-Key is still running"),
        429: err("The queue is full"),
      },
    }),
    async (c) => {
      const config: TrainConfig = c.req.valid("json");
      checkConfig(deps, config);
      checkConditions(deps, config, [{ condition: config.condition, path: "" }]);
      const [run] = await deps.scheduler.submit([config]);
      c.header("location", `/api/runs/${run.id}`);
      return c.json(viewRun(run, deps.scheduler), 201);
    },
  );

  r.openapi(
    route({
      method: "get",
      path: "/",
      tags,
      summary: "List runs",
      responses: { 200: json(z.strictObject({ runs: z.array(runViewSchema) }), "Every run") },
    }),
    async (c) => {
      const runs = await deps.store.listRuns();
      return c.json({ runs: runs.map((run) => viewRun(run, deps.scheduler)) }, 200);
    },
  );

  r.openapi(
    route({
      method: "get",
      path: "/{id}",
      tags,
      summary: "A run with its epochs",
      request: idParam("run"),
      responses: { 200: json(runDetailSchema, "The run"), 404: err(NO_RUN) },
    }),
    async (c) => {
      const run = await findRun(deps, c);
      const epochs = await deps.store.listEpochs(run.id);
      return c.json({ ...viewRun(run, deps.scheduler), epochs }, 200);
    },
  );

  r.openapi(
    route({
      method: "post",
      path: "/{id}/cancel",
      tags,
      summary: "Cancel a queued or running run",
      request: idParam("run"),
      responses: {
        200: json(runViewSchema, "Cancelled"),
        202: json(runViewSchema, "Stopping (within one batch)"),
        404: err(NO_RUN),
        409: err("The run already finished"),
      },
    }),
    async (c) => {
      const run = await findRun(deps, c);
      if (isTerminal(run.status)) {
        throw apiError(
          409,
          `run ${run.id} is already ${run.status}; only queued or running runs can be cancelled`,
        );
      }
      const after = await deps.scheduler.cancel(run.id);
      if (!after) throw apiError(404, `no run with id "${run.id}"`);
      // 202 while the worker is still stopping (it stops within one batch).
      const view = viewRun(after, deps.scheduler);
      return isTerminal(after.status) ? c.json(view, 200) : c.json(view, 202);
    },
  );

  r.openapi(
    route({
      method: "delete",
      path: "/{id}",
      tags,
      summary: "Delete a finished run",
      request: idParam("run"),
      responses: {
        204: { description: "Deleted, with its epochs and events" },
        404: err(NO_RUN),
        409: err("The run is queued or running: cancel it first"),
      },
    }),
    async (c) => {
      const run = await findRun(deps, c);
      if (!isTerminal(run.status)) {
        throw apiError(
          409,
          `run ${run.id} is ${run.status}; cancel it first (only finished runs can be deleted)`,
        );
      }
      await deps.store.deleteRun(run.id); // announces the delete on open streams
      return c.body(null, 204);
    },
  );

  r.openapi(
    route({
      method: "get",
      path: "/{id}/results.csv",
      tags,
      summary: "A run's epochs as CSV",
      request: idParam("run"),
      responses: {
        200: text("text/csv", "One row per epoch (an attachment)"),
        404: err(NO_RUN),
      },
    }),
    async (c) => {
      const run = await findRun(deps, c);
      const csv = toCsv(await deps.store.listEpochs(run.id));
      return c.body(csv, 200, {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="lossbench-${run.id}.csv"`,
      });
    },
  );

  return r;
}

const NO_RUN = "No run with this id";
