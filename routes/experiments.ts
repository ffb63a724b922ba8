// /api/experiments: a grid of losses × conditions × models × seeds queued in
// one step, its statistics (per cell and per pair of cells), its exports,
// adding seeds, cancelling and deleting the whole grid.
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { z } from "zod";
import {
  checkSchedule,
  conditionSchema,
  normalizedLossSchema,
  runFieldsSchema,
  settingsSchema,
} from "../ml/config.ts";
import { buildCells, DEFAULT_LOSSES, gridConfigs, resolveSeeds } from "../service/experiments.ts";
import {
  comparisonCells,
  comparisonLossLabel,
  inComparison,
  planExperiment,
} from "../service/tuning_plan.ts";
import { compareSchema, type Comparison } from "../service/tuning_records.ts";
import { tuneSchema } from "../ml/tune/space.ts";
import { metricsOf, STAT_METRICS } from "../ml/metrics/registry.ts";
import { experimentCsv } from "../service/experiment_csv.ts";
import { untilRecord } from "../service/until.ts";
import { experimentAcross } from "../service/experiment_across.ts";
import { untilSchema } from "../service/until_records.ts";
import { isId, newId } from "../service/ids.ts";
import { ValidationError } from "../service/errors.ts";
import { type Experiment, isTerminal, type Run } from "../service/types.ts";
import { PointError } from "../stats/experiment.ts";
import type { EpochMetrics } from "../ml/types.ts";
import { type EpochPoint, ExperimentReads, sizesOf } from "../service/experiment_reads.ts";
import { conditionalJson, withEtag } from "./etag.ts";
import { StatsRunner } from "../service/stats_runner.ts";
import { ReadPacer } from "../service/read_pacer.ts";
import { StatsOptionError } from "../stats/family.ts";
import { conditionLabel } from "../ml/cell.ts";
import type { StatsQuery } from "./stats_query.ts";
import { comparisonOf, namesByKey, statsOptions, statsQuerySchema } from "./experiment_query.ts";

export { statsQuerySchema };
import { err, idParam, json, route, router, text } from "./contract/route.ts";
import { experimentSchemaOut, runViewSchema, statsSchema } from "./contract/schemas.ts";
import type { Deps } from "./deps.ts";
import { apiError } from "./errors.ts";
import { idempotencyHeader, idempotencyResponses, idempotent } from "./idempotency.ts";
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
  /** Add seeds in batches until every pair is decided (service/until.ts). */
  until: untilSchema.optional(),
  /** Tune every cell on a validation split first (service/tuning.ts). */
  tune: tuneSchema.optional(),
  compare: compareSchema.optional(),
}).superRefine(checkSchedule);

const addSeedsSchema = z.strictObject({ seeds: seedList });

const tags = ["experiments"];
const NO_EXPERIMENT = "No experiment with this id";
const withRuns = experimentSchemaOut.extend({ runs: z.array(runViewSchema) });

export function experimentRoutes(deps: Deps): OpenAPIHono {
  const r = router();
  // Statistics are computed off the main thread, once per change of the experiment.
  const statsRunner = new StatsRunner();
  let reads: ExperimentReads | undefined; // made at the first read: it hears events from then on
  const pacer = new ReadPacer(deps.experimentReadsPerSecond ?? 10); // readers wait, not training

  async function find(c: Context): Promise<Experiment> {
    const id = c.req.param("id") ?? "";
    const exp = isId(id) ? await deps.store.getExperiment(id) : null;
    if (!exp) throw apiError(404, `no experiment with id "${id.slice(0, 100)}"`);
    return exp;
  }

  const runsOf = async (exp: Experiment): Promise<Run[]> =>
    (await Promise.all(exp.runIds.map((id) => deps.store.getRun(id)))).filter((x) => x !== null);

  /** Statistics over the experiment's runs; a `best` point without a validation split is a 400. */
  async function statsOf(
    exp: Experiment,
    runs: Run[],
    opts: StatsQuery,
    comparison: Comparison,
    epochsOf = async (run: Run): Promise<{ points: EpochPoint[]; last?: EpochMetrics }> => {
      const epochs = await deps.store.listEpochs(run.id);
      return { points: epochs.map(metricsOf), last: epochs.at(-1) };
    },
  ) {
    // Failed, cancelled and interrupted runs are no sample of their cell.
    // Tuning trials are in no comparison; each comparison has its own runs.
    runs = runs.filter((x) =>
      (x.status === "done" || !isTerminal(x.status)) && inComparison(x, comparison)
    );
    const epochs = await Promise.all(runs.map(epochsOf));
    const inputs = runs.map((run, i) => ({
      cellKey: run.cellKey,
      seed: run.config.seed,
      finished: run.status === "done",
      epochs: epochs[i].points,
      sizes: sizesOf(run, epochs[i].last ? [epochs[i].last!] : []),
    }));
    // At tuned settings the cells are named by their chosen values (declared labels still name them).
    opts = namesByKey(opts, exp.cells);
    try {
      const stats = await statsRunner.run(
        comparisonCells(exp, comparison).map(({ key, label, loss, condition, model }) => ({
          key,
          label,
          loss,
          // The default family: the losses compared within one condition and model.
          group: `${conditionLabel(condition) || "no condition"} · ${model}`,
        })),
        inputs,
        { ...opts, metrics: STAT_METRICS },
      );
      const lossName = comparisonLossLabel(exp, comparison);
      const across = experimentAcross(exp.cells, inputs, opts, lossName); // ≥ 2 conditions (or models)
      return across ? { ...stats, acrossConditions: across } : stats;
    } catch (e) {
      if (e instanceof PointError) throw new ValidationError(e.message, "point");
      if (e instanceof StatsOptionError) throw new ValidationError(e.message);
      throw e;
    }
  }

  r.openapi(
    route({
      method: "post",
      path: "/",
      tags,
      summary: "Queue an experiment",
      description: "Queues every cell (loss × condition × model) × seed as one run, on shared " +
        "settings. Give one of seed, seeds or repeats, and model or models.",
      request: {
        headers: idempotencyHeader,
        body: { content: { "application/json": { schema: experimentSchema } } },
      },
      middleware: [idempotent(deps, "experiments")],
      responses: {
        201: {
          ...json(withRuns, "Queued; Location names the experiment"),
          headers: { location: { schema: { type: "string" } } },
        },
        ...idempotencyResponses,
        429: err("The queue is full"),
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const {
        name,
        losses,
        conditions,
        models,
        model,
        seeds,
        repeats,
        seed,
        until,
        tune,
        compare,
        ...settings
      } = body;
      checkConfig(deps, settings);
      checkConditions(
        deps,
        settings,
        (conditions ?? []).map((condition, i) => ({ condition, path: `conditions.${i}` })),
      );
      if (seed !== undefined && (seeds || repeats !== undefined)) {
        throw new ValidationError("give one of seed, seeds or repeats", "seed");
      }
      const seedList = resolveSeeds(seed === undefined ? seeds : [seed], repeats);
      if (model !== undefined && models) {
        throw new ValidationError("give model or models, not both", "model");
      }
      const cells = buildCells({
        losses: losses ?? DEFAULT_LOSSES,
        conditions: conditions ?? [{}],
        models: models ?? [model ?? "convnet"],
      });
      const plan = planExperiment(settings, cells, seedList, tune, compare, !!until);
      if (until) gridConfigs(settings, cells, Array(until.every).fill(0)); // a batch's size
      const sequential = until && untilRecord(until, cells, seedList); // seeds until decided
      const exp = {
        id: newId(),
        createdAt: new Date().toISOString(),
        ...(name ? { name } : {}),
        settings,
        cells,
        seeds: seedList,
        ...sequential,
        ...plan.fields,
      };
      const runs = await deps.scheduler.submit(plan.runs, exp);
      c.header("location", `/api/experiments/${exp.id}`);
      const view = runs.map((x) => viewRun(x, deps.scheduler));
      return c.json({ ...exp, runIds: runs.map((x) => x.id), runs: view }, 201);
    },
  );

  r.openapi(
    route({
      method: "get",
      path: "/",
      tags,
      summary: "List experiments",
      responses: {
        200: json(z.strictObject({ experiments: z.array(experimentSchemaOut) }), "Every one"),
      },
    }),
    async (c) => c.json({ experiments: await deps.store.listExperiments() }, 200),
  );

  r.openapi(
    route({
      method: "get",
      path: "/{id}",
      tags,
      summary: "An experiment with its runs and statistics",
      description: "Built once per change of the experiment. The ETag names this body: with " +
        "If-None-Match, an unchanged experiment is a 304 and costs a lookup.",
      request: { ...idParam("experiment"), query: statsQuerySchema },
      responses: {
        ...withEtag(json(withRuns.extend({ stats: statsSchema }), "The experiment")),
        400: err("A bad query, or point=best without a validation split"),
        404: err(NO_EXPERIMENT),
        429: err("Over a thousand reads waiting their turn (reads are paced; see README)"),
      },
    }),
    async (c) => {
      if (!(await pacer.take())) throw apiError(429, "too many reads of experiments waiting");
      const exp = await find(c);
      const q = c.req.valid("query");
      const opts = statsOptions(q);
      const comparison = comparisonOf(exp, q);
      reads ??= new ExperimentReads(deps.bus, deps.store);
      const body = await reads.read(
        exp,
        JSON.stringify({ ...opts, comparison }),
        (d) =>
          statsOf(
            exp,
            d.runs,
            opts,
            comparison,
            (run) =>
              Promise.resolve({ points: d.epochs.get(run.id) ?? [], last: d.last.get(run.id) }),
          ),
        (runs, stats) => ({ ...exp, runs: runs.map((x) => viewRun(x, deps.scheduler)), stats }),
      );
      return conditionalJson(c, body);
    },
  );

  r.openapi(
    route({
      method: "post",
      path: "/{id}/seeds",
      tags,
      summary: "Add seeds: one more run per cell and seed",
      request: {
        ...idParam("experiment"),
        body: { content: { "application/json": { schema: addSeedsSchema } } },
      },
      responses: {
        201: json(
          experimentSchemaOut.extend({ added: z.array(runViewSchema) }),
          "Queued; the experiment and the added runs",
        ),
        404: err(NO_EXPERIMENT),
        409: err("A seed is taken"),
        429: err("The queue is full"),
      },
    }),
    async (c) => {
      const exp = await find(c);
      const { seeds } = c.req.valid("json");
      resolveSeeds(seeds, undefined);
      gridConfigs(exp.settings, exp.cells, seeds); // the size check
      const out = await deps.scheduler.addSeeds(exp.id, seeds);
      if (!out) throw apiError(404, `no experiment with id "${exp.id}"`);
      return c.json({
        ...out.experiment,
        added: out.runs.map((x) => viewRun(x, deps.scheduler)),
      }, 201);
    },
  );

  r.openapi(
    route({
      method: "post",
      path: "/{id}/cancel",
      tags,
      summary: "Cancel every queued or running run",
      request: idParam("experiment"),
      responses: {
        200: json(withRuns.extend({ cancelled: z.number().int() }), "Cancelled"),
        202: json(withRuns.extend({ cancelled: z.number().int() }), "Runs still stopping"),
        404: err(NO_EXPERIMENT),
      },
    }),
    async (c) => {
      const exp = await find(c);
      const active = (await runsOf(exp)).filter((x) => !isTerminal(x.status));
      await Promise.all(active.map((x) => deps.scheduler.cancel(x.id)));
      const runs = await runsOf(exp);
      const stillActive = runs.filter((x) => !isTerminal(x.status)).length;
      const body = {
        ...exp,
        cancelled: active.length,
        runs: runs.map((x) => viewRun(x, deps.scheduler)),
      };
      return stillActive ? c.json(body, 202) : c.json(body, 200);
    },
  );

  r.openapi(
    route({
      method: "delete",
      path: "/{id}",
      tags,
      summary: "Delete a finished experiment with its runs",
      request: idParam("experiment"),
      responses: {
        204: { description: "Deleted" },
        404: err(NO_EXPERIMENT),
        409: err("Runs are queued or running: cancel first"),
      },
    }),
    async (c) => {
      const exp = await find(c);
      // One store operation: hidden at once, removed in batches (service/deletes.ts).
      if (!(await deps.store.deleteExperiment(exp.id))) {
        throw apiError(404, `no experiment with id "${exp.id}"`);
      }
      return c.body(null, 204);
    },
  );

  const csvs = {
    runs: "One row per run and epoch",
    summary: "One row per cell and metric: the summary at the point",
    comparisons: "One row per pair of cells: the comparison at the point",
    sequential: "One row per pair `until` compares: its sequential decision and the stop",
  };
  for (const kind of ["runs", "summary", "comparisons", "sequential"] as const) {
    r.openapi(
      route({
        method: "get",
        path: `/{id}/${kind}.csv`,
        tags,
        summary: `${kind}.csv`,
        request: { ...idParam("experiment"), query: statsQuerySchema },
        responses: {
          200: text("text/csv", `${csvs[kind]} (an attachment)`),
          404: err(NO_EXPERIMENT),
        },
      }),
      async (c) => {
        const exp = await find(c);
        const q = c.req.valid("query");
        const opts = statsOptions(q);
        const comparison = comparisonOf(exp, q);
        const runs = await runsOf(exp);
        const epochs = kind === "runs"
          ? await Promise.all(runs.map((x) => deps.store.listEpochs(x.id)))
          : [];
        const stats = kind === "summary" || kind === "comparisons"
          ? await statsOf(exp, runs, opts, comparison)
          : null;
        return c.body(experimentCsv(kind, exp, runs, epochs, stats), 200, {
          "content-type": "text/csv; charset=utf-8",
          "content-disposition": `attachment; filename="lossbench-${exp.id}-${kind}.csv"`,
        });
      },
    );
  }

  return r;
}
