// What a request may name: the losses with their parameters (as JSON Schema,
// from the same zod schemas that validate runs), the models with their sizes,
// the conditions with their kinds, and the data sets; and what a run records:
// the metrics.
import type { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { describeConditions } from "../ml/conditions/registry.ts";
import { LOSSES } from "../ml/losses/registry.ts";
import { describeMetrics } from "../ml/metrics/registry.ts";
import { describeModels } from "../ml/models/registry.ts";
import { json, route, router } from "./contract/route.ts";
import {
  conditionsSchema,
  datasetsSchema,
  lossesSchema,
  metricsSchema,
  modelsSchema,
} from "./contract/schemas.ts";
import type { Deps } from "./deps.ts";

/** Models are sized for CIFAR-10's images: 32×32 RGB, 10 classes. */
const CIFAR10_SPEC = { height: 32, width: 32, channels: 3, classes: 10 };

const tags = ["catalog"];

export function catalogRoutes(deps: Deps): OpenAPIHono {
  const r = router();
  r.openapi(
    route({
      method: "get",
      path: "/losses",
      tags,
      summary: "The losses, with their parameters as JSON Schema",
      responses: { 200: json(lossesSchema, "Every registered loss") },
    }),
    (c) =>
      c.json({
        losses: LOSSES.map((l) => ({
          name: l.name,
          title: l.title,
          description: l.description,
          params: z.toJSONSchema(l.params, { io: "input" }) as Record<string, unknown>,
        })),
      }, 200),
  );
  r.openapi(
    route({
      method: "get",
      path: "/conditions",
      tags,
      summary: "The conditions: each stage's kinds with their JSON Schema, in composition order",
      description: "From the condition registry (ml/conditions/registry.ts): a run's " +
        "`condition` has one optional field per stage (`key`), whose `by` field names a kind. " +
        "The dashboard builds its condition form from this.",
      responses: { 200: json(conditionsSchema, "Every registered condition") },
    }),
    (c) => c.json(describeConditions(), 200),
  );
  r.openapi(
    route({
      method: "get",
      path: "/models",
      tags,
      summary: "The models, with their sizes for CIFAR-10's images",
      responses: { 200: json(modelsSchema, "Every registered model") },
    }),
    (c) => c.json({ input: CIFAR10_SPEC, models: describeModels(CIFAR10_SPEC) }, 200),
  );
  r.openapi(
    route({
      method: "get",
      path: "/metrics",
      tags,
      summary: "The metrics an epoch records: title, unit, which way is better, CSV column",
      description: "From the metric registry (ml/metrics/): the statistics take `metric` from " +
        "those with `stats`; the CSV exports have a column per metric, in this order.",
      responses: { 200: json(metricsSchema, "Every registered metric") },
    }),
    (c) => c.json({ metrics: describeMetrics() }, 200),
  );
  r.openapi(
    route({
      method: "get",
      path: "/datasets",
      tags,
      summary: "The data sets a run may name",
      description: "Each with its label sets (LOSSBENCH_LABEL_SETS): a set's `disagreement` is " +
        "the fraction of train labels that differ from the data set's own, null until the " +
        "data set has loaded in this process.",
      responses: { 200: json(datasetsSchema, "Built-in and LOSSBENCH_DATASETS ones") },
    }),
    (c) =>
      c.json({
        datasets: deps.datasets.names().map((name) => ({
          name,
          registered: deps.datasets.registered.has(name),
          loaded: deps.datasets.loadedClasses(name) !== undefined,
          labelSets: deps.datasets.labelSets(name),
        })),
      }, 200),
  );
  return r;
}
