// /api/runs: start, list, inspect, cancel and delete runs; their CSV.
import { Hono } from "hono";
import type { Context } from "hono";
import { trainConfigSchema } from "../ml/config.ts";
import { toCsv } from "../ml/csv.ts";
import { checkCondition } from "../ml/conditions/mod.ts";
import type { Condition, TrainConfig } from "../ml/types.ts";
import { isId } from "../service/ids.ts";
import { QueueFullError } from "../service/store.ts";
import { isTerminal, type Run } from "../service/types.ts";
import { jsonBody } from "./body.ts";
import type { Deps } from "./deps.ts";
import { apiError } from "./errors.ts";
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
  const counts = config.trainLimit === undefined
    ? deps.datasets.loadedTrainCounts(config.data)
    : undefined;
  const classes = deps.datasets.loadedClasses(config.data);
  if (!counts || !classes) return;
  for (const { condition, path } of conditions) {
    const bad = checkCondition(condition, counts, classes, config.valFraction);
    if (bad) throw apiError(400, path ? bad.replace(/^condition\./, `${path}.`) : bad);
  }
}

/** Submits runs, turning a full queue into 429. */
export async function submit(
  deps: Deps,
  configs: TrainConfig[],
  experiment?: Parameters<Deps["scheduler"]["submit"]>[1],
) {
  try {
    return await deps.scheduler.submit(configs, experiment);
  } catch (e) {
    if (e instanceof QueueFullError) throw apiError(429, e.message);
    throw e;
  }
}

/** The run named by `:id`, or 404. */
export async function findRun(deps: Deps, c: Context): Promise<Run> {
  const id = c.req.param("id") ?? "";
  const run = isId(id) ? await deps.store.getRun(id) : null;
  if (!run) throw apiError(404, `no run with id "${id.slice(0, 100)}"`);
  return run;
}

export function runRoutes(deps: Deps): Hono {
  const r = new Hono();

  r.post("/", async (c) => {
    const config = await jsonBody(c, trainConfigSchema) as TrainConfig;
    checkConfig(deps, config);
    checkConditions(deps, config, [{ condition: config.condition, path: "" }]);
    const [run] = await submit(deps, [config]);
    c.header("location", `/api/runs/${run.id}`);
    return c.json(viewRun(run, deps.scheduler), 201);
  });

  r.get("/", async (c) => {
    const runs = await deps.store.listRuns();
    return c.json({ runs: runs.map((run) => viewRun(run, deps.scheduler)) });
  });

  r.get("/:id", async (c) => {
    const run = await findRun(deps, c);
    const epochs = await deps.store.listEpochs(run.id);
    return c.json({ ...viewRun(run, deps.scheduler), epochs });
  });

  r.post("/:id/cancel", async (c) => {
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
    return c.json(viewRun(after, deps.scheduler), isTerminal(after.status) ? 200 : 202);
  });

  r.delete("/:id", async (c) => {
    const run = await findRun(deps, c);
    if (!isTerminal(run.status)) {
      throw apiError(
        409,
        `run ${run.id} is ${run.status}; cancel it first (only finished runs can be deleted)`,
      );
    }
    await deps.store.deleteRun(run.id);
    return c.body(null, 204);
  });

  r.get("/:id/results.csv", async (c) => {
    const run = await findRun(deps, c);
    const csv = toCsv(await deps.store.listEpochs(run.id));
    return c.body(csv, 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="lossbench-${run.id}.csv"`,
    });
  });

  return r;
}
