// What a request may name: the losses with their parameters (as JSON Schema,
// from the same zod schemas that validate runs), the models with their sizes,
// and the data sets.
import { Hono } from "hono";
import { z } from "zod";
import { LOSSES } from "../ml/losses/registry.ts";
import { describeModels } from "../ml/models/registry.ts";
import type { Deps } from "./deps.ts";

/** Models are sized for CIFAR-10's images: 32×32 RGB, 10 classes. */
const CIFAR10_SPEC = { height: 32, width: 32, channels: 3, classes: 10 };

export function catalogRoutes(deps: Deps): Hono {
  const r = new Hono();
  r.get("/losses", (c) =>
    c.json({
      losses: LOSSES.map((l) => ({
        name: l.name,
        title: l.title,
        description: l.description,
        params: z.toJSONSchema(l.params, { io: "input" }),
      })),
    }));
  r.get("/models", (c) => c.json({ input: CIFAR10_SPEC, models: describeModels(CIFAR10_SPEC) }));
  r.get("/datasets", (c) =>
    c.json({
      datasets: deps.datasets.names().map((name) => ({
        name,
        registered: deps.datasets.registered.has(name),
        loaded: deps.datasets.loadedClasses(name) !== undefined,
      })),
    }));
  return r;
}
