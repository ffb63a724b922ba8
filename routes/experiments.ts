// /api/experiments: one request queues the report's comparison (several
// losses on shared settings) as a group of runs.
import { Hono } from "hono";
import { z } from "zod";
import { trainConfigSchema } from "../ml/config.ts";
import type { TrainConfig } from "../ml/types.ts";
import { isId, newId } from "../service/ids.ts";
import { jsonBody } from "./body.ts";
import type { Deps } from "./deps.ts";
import { apiError } from "./errors.ts";
import { checkConfig, submit } from "./runs.ts";
import { viewRun } from "./views.ts";

const lossSchema = z.strictObject({
  loss: z.enum(["ce", "focal", "l1"]),
  gamma: z.number().min(0).max(20).optional(),
});

export const experimentSchema = trainConfigSchema.omit({ loss: true, gamma: true }).extend({
  losses: z.array(lossSchema).min(1).max(16).optional(),
});

/** The report's comparison: L1, cross-entropy, focal γ=0.5 and γ=2. */
export const DEFAULT_LOSSES: z.infer<typeof lossSchema>[] = [
  { loss: "l1" },
  { loss: "ce" },
  { loss: "focal", gamma: 0.5 },
  { loss: "focal", gamma: 2 },
];

export function experimentRoutes(deps: Deps): Hono {
  const r = new Hono();

  r.post("/", async (c) => {
    const { losses = DEFAULT_LOSSES, ...settings } = await jsonBody(c, experimentSchema);
    checkConfig(deps, settings);
    const configs = losses.map((l) =>
      trainConfigSchema.parse({ ...settings, ...l }) as TrainConfig
    );
    const exp = { id: newId(), createdAt: new Date().toISOString(), settings, losses };
    const runs = await submit(deps, configs, exp);
    c.header("location", `/api/experiments/${exp.id}`);
    return c.json({ ...exp, runIds: runs.map((x) => x.id), runs }, 201);
  });

  r.get("/", async (c) => c.json({ experiments: await deps.store.listExperiments() }));

  r.get("/:id", async (c) => {
    const id = c.req.param("id");
    const exp = isId(id) ? await deps.store.getExperiment(id) : null;
    if (!exp) throw apiError(404, `no experiment with id "${id.slice(0, 100)}"`);
    const runs = (await Promise.all(exp.runIds.map((rid) => deps.store.getRun(rid))))
      .filter((x) => x !== null)
      .map((x) => viewRun(x, deps.scheduler));
    return c.json({ ...exp, runs });
  });

  return r;
}
