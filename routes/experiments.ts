// /api/experiments: a grid of losses × conditions × models × seeds queued in
// one step, its statistics (per cell and per pair of cells), its exports,
// adding seeds, cancelling and deleting the whole grid.
import { Hono } from "hono";
import type { Context } from "hono";
import { z } from "zod";
import {
  conditionSchema,
  normalizedLossSchema,
  runFieldsSchema,
  settingsSchema,
} from "../ml/config.ts";
import {
  buildCells,
  DEFAULT_LOSSES,
  gridConfigs,
  GridTooLargeError,
  resolveSeeds,
  STAT_METRICS,
} from "../service/experiments.ts";
import { experimentCsv } from "../service/experiment_csv.ts";
import { isId, newId } from "../service/ids.ts";
import { SeedsTakenError } from "../service/scheduler.ts";
import { QueueFullError } from "../service/store.ts";
import { type Experiment, isTerminal, type Run } from "../service/types.ts";
import { experimentStats, type Point } from "../stats/experiment.ts";
import { jsonBody } from "./body.ts";
import type { Deps } from "./deps.ts";
import { apiError } from "./errors.ts";
import { checkConditions, checkConfig } from "./runs.ts";
import { viewRun } from "./views.ts";

const seedList = z.array(runFieldsSchema.shape.seed.unwrap()).min(1).max(100);

export const experimentSchema = settingsSchema.extend({
  /** A name to find it by (e.g. the study's settings). */
  name: z.string().min(1).max(200).optional(),
  losses: z.array(normalizedLossSchema).min(1).max(32).optional(),
  conditions: z.array(conditionSchema).min(1).max(16).optional(),
  models: z.array(runFieldsSchema.shape.model.unwrap()).min(1).max(8).optional(),
  seeds: seedList.optional(),
  repeats: z.number().int().min(1).max(100).optional(),
  /** One model, as on a run: the same as `models: [model]`. */
  model: runFieldsSchema.shape.model.unwrap().optional(),
  /** One seed, as on a run: the same as `seeds: [seed]`. */
  seed: runFieldsSchema.shape.seed.unwrap().optional(),
});

const addSeedsSchema = z.strictObject({ seeds: seedList });

/** The summary point and compared metric, from the query string. */
function statsOptions(c: Context): { point: Point; metric: string } {
  const q = (k: string) => c.req.query(k);
  const metric = q("metric") ?? "testAcc";
  if (!(STAT_METRICS as readonly string[]).includes(metric)) {
    throw apiError(
      400,
      `metric: unknown metric "${metric.slice(0, 64)}"; use one of: ${STAT_METRICS.join(", ")}`,
    );
  }
  const kind = q("point") ?? "final";
  if (kind === "final") return { point: { kind }, metric };
  if (kind === "lastK") {
    const k = Number(q("k") ?? "3");
    if (!Number.isInteger(k) || k < 1 || k > 500) {
      throw apiError(400, "k: an integer from 1 to 500");
    }
    return { point: { kind, k }, metric };
  }
  if (kind === "best") {
    const on = q("on") ?? "valAcc";
    if (on !== "valAcc" && on !== "valLoss") throw apiError(400, `on: "valAcc" or "valLoss"`);
    return { point: { kind, on }, metric };
  }
  throw apiError(400, `point: "final", "lastK" or "best" (got "${kind.slice(0, 32)}")`);
}

export function experimentRoutes(deps: Deps): Hono {
  const r = new Hono();

  async function find(c: Context): Promise<Experiment> {
    const id = c.req.param("id") ?? "";
    const exp = isId(id) ? await deps.store.getExperiment(id) : null;
    if (!exp) throw apiError(404, `no experiment with id "${id.slice(0, 100)}"`);
    return exp;
  }

  const runsOf = async (exp: Experiment): Promise<Run[]> =>
    (await Promise.all(exp.runIds.map((id) => deps.store.getRun(id)))).filter((x) => x !== null);

  /** Statistics over the experiment's runs; a `best` point without a validation split is a 400. */
  async function statsOf(exp: Experiment, runs: Run[], opts: { point: Point; metric: string }) {
    // Failed, cancelled and interrupted runs are no sample of their cell.
    runs = runs.filter((x) => x.status === "done" || !isTerminal(x.status));
    const epochs = await Promise.all(runs.map((run) => deps.store.listEpochs(run.id)));
    try {
      return experimentStats(
        exp.cells.map(({ key, label }) => ({ key, label })),
        runs.map((run, i) => ({
          cellKey: run.cellKey,
          seed: run.config.seed,
          finished: run.status === "done",
          epochs: epochs[i] as unknown as Record<string, number | undefined>[],
        })),
        { ...opts, metrics: STAT_METRICS },
      );
    } catch (e) {
      throw apiError(400, (e as Error).message);
    }
  }

  r.post("/", async (c) => {
    const body = await jsonBody(c, experimentSchema);
    const { name, losses, conditions, models, model, seeds, repeats, seed, ...settings } = body;
    checkConfig(deps, settings);
    checkConditions(
      deps,
      settings,
      (conditions ?? []).map((condition, i) => ({ condition, path: `conditions.${i}` })),
    );
    let cells, configs, seedList;
    try {
      if (seed !== undefined && (seeds || repeats !== undefined)) {
        throw new Error("give one of seed, seeds or repeats");
      }
      seedList = resolveSeeds(seed === undefined ? seeds : [seed], repeats);
      if (model !== undefined && models) throw new Error("give model or models, not both");
      cells = buildCells({
        losses: losses ?? DEFAULT_LOSSES,
        conditions: conditions ?? [{}],
        models: models ?? [model ?? "convnet"],
      });
      configs = gridConfigs(settings, cells, seedList);
    } catch (e) {
      throw apiError(400, (e as Error).message);
    }
    const exp = {
      id: newId(),
      createdAt: new Date().toISOString(),
      ...(name ? { name } : {}),
      settings,
      cells,
      seeds: seedList,
    };
    const runs = await queue(() => deps.scheduler.submit(configs, exp));
    c.header("location", `/api/experiments/${exp.id}`);
    const view = runs.map((x) => viewRun(x, deps.scheduler));
    return c.json({ ...exp, runIds: runs.map((x) => x.id), runs: view }, 201);
  });

  r.get("/", async (c) => c.json({ experiments: await deps.store.listExperiments() }));

  r.get("/:id", async (c) => {
    const exp = await find(c);
    const opts = statsOptions(c);
    const runs = await runsOf(exp);
    const stats = await statsOf(exp, runs, opts);
    return c.json({ ...exp, runs: runs.map((x) => viewRun(x, deps.scheduler)), stats });
  });

  r.post("/:id/seeds", async (c) => {
    const exp = await find(c);
    const { seeds } = await jsonBody(c, addSeedsSchema);
    try {
      resolveSeeds(seeds, undefined);
      gridConfigs(exp.settings, exp.cells, seeds); // the size check
    } catch (e) {
      throw apiError(400, (e as Error).message);
    }
    const out = await queue(() => deps.scheduler.addSeeds(exp.id, seeds));
    if (!out) throw apiError(404, `no experiment with id "${exp.id}"`);
    return c.json({
      ...out.experiment,
      added: out.runs.map((x) => viewRun(x, deps.scheduler)),
    }, 201);
  });

  r.post("/:id/cancel", async (c) => {
    const exp = await find(c);
    const active = (await runsOf(exp)).filter((x) => !isTerminal(x.status));
    await Promise.all(active.map((x) => deps.scheduler.cancel(x.id)));
    const runs = await runsOf(exp);
    const stillActive = runs.filter((x) => !isTerminal(x.status)).length;
    return c.json(
      { ...exp, cancelled: active.length, runs: runs.map((x) => viewRun(x, deps.scheduler)) },
      stillActive ? 202 : 200,
    );
  });

  r.delete("/:id", async (c) => {
    const exp = await find(c);
    const runs = await runsOf(exp);
    const active = runs.filter((x) => !isTerminal(x.status));
    if (active.length) {
      throw apiError(
        409,
        `experiment ${exp.id} has ${active.length} queued or running run(s); ` +
          `cancel it first (POST /api/experiments/${exp.id}/cancel)`,
      );
    }
    for (const run of runs) {
      await deps.store.deleteRun(run.id);
    }
    await deps.store.deleteExperiment(exp.id);
    return c.body(null, 204);
  });

  for (const kind of ["runs", "summary", "comparisons"] as const) {
    r.get(`/:id/${kind}.csv`, async (c) => {
      const exp = await find(c);
      const opts = statsOptions(c);
      const runs = await runsOf(exp);
      const epochs = kind === "runs"
        ? await Promise.all(runs.map((x) => deps.store.listEpochs(x.id)))
        : [];
      const stats = kind === "runs" ? null : await statsOf(exp, runs, opts);
      return c.body(experimentCsv(kind, exp, runs, epochs, stats), 200, {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="lossbench-${exp.id}-${kind}.csv"`,
      });
    });
  }

  return r;
}

/** Queues runs, turning a full queue into 429 and a taken seed into 409. */
async function queue<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof QueueFullError) throw apiError(429, e.message);
    if (e instanceof SeedsTakenError) throw apiError(409, e.message);
    if (e instanceof GridTooLargeError) throw apiError(400, e.message);
    throw e;
  }
}
