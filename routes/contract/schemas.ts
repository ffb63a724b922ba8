// The API's response shapes as zod schemas: the OpenAPI document is generated
// from them, and with LOSSBENCH_CONTRACT_CHECK=1 every response is checked
// against them (check.ts). Request shapes live where they validate: ml/config.ts
// and the routers. Stored records are declared once where the layers below can
// use them (ml/records.ts, ml/config.ts, service/records.ts) and only given
// their JSON form and ids here. Objects are strict, so a field the code adds
// without declaring it fails the contract check instead of going undocumented.
import { z } from "zod";
import { settingsRecordSchema, trainConfigRecordSchema } from "../../ml/config.ts";
import { jsonReal, recordSchemas } from "../../ml/records.ts";
import {
  experimentRecordSchema,
  idSchema as id,
  runSchemaOf,
  runStatusSchema,
  workerRecordSchema,
} from "../../service/records.ts";
import { experimentStatsSchema, pointSchema } from "../../stats/schema.ts";

/** Every error: a 4xx/5xx status with this body. */
export const errorSchema = z.strictObject({
  error: z.string().describe("What went wrong; validation errors name the field"),
}).meta({ id: "Error" });

/** A float that JSON sends as null when it is not finite (a diverged loss: NaN). */
const real = jsonReal;
/** The engine's records as JSON (ml/records.ts declares them once, for KV and for JSON). */
const wire = recordSchemas(real);
const count = z.number().int().min(0);
const timestamp = z.string().describe("ISO 8601 time");

export const settingsOutSchema = settingsRecordSchema;

export const trainConfigOutSchema = trainConfigRecordSchema;

export const epochMetricsSchema = wire.epochMetrics.meta({
  id: "EpochMetrics",
  description:
    "One evaluated epoch (`epoch` counts from 1); GET /api/metrics describes each metric",
});

export const progressSchema = wire.progress.extend({ runId: id })
  .meta({ id: "Progress", description: "Latest batch progress of a running run (not stored)" });

export { runStatusSchema };

export const runSchema = runSchemaOf(real, epochMetricsSchema)
  .meta({ id: "Run", description: "A run as stored" });

export const runViewSchema = runSchema.extend({
  progress: progressSchema.optional().describe("Only while running"),
}).meta({ id: "RunView", description: "A run, with its live progress while running" });

export const runDetailSchema = runViewSchema.extend({
  epochs: z.array(epochMetricsSchema),
}).meta({ id: "RunDetail" });

export const experimentSchemaOut = experimentRecordSchema;

export { pointSchema };

export const metricsSchema = z.strictObject({
  metrics: z.array(z.strictObject({
    name: z.string().describe("The key in epoch records, and the statistics' `metric`"),
    title: z.string().describe('What a reader calls it, e.g. "test accuracy"'),
    unit: z.enum(["fraction", "value"]).describe("A fraction in [0, 1], or a plain value"),
    direction: z.enum(["higher", "lower"]).describe("Which way is better"),
    stats: z.boolean().describe("Whether experiment statistics summarize and compare it"),
    csv: z.string().describe("Its column in the CSV exports"),
  })),
}).meta({ id: "Metrics", description: "The registered metrics, in CSV order" });

export const statsSchema = experimentStatsSchema;

const bareHealthSchema = z.strictObject({
  status: z.enum(["ok", "degraded", "stopping"]),
}).meta({ id: "HealthBare", description: "What a client without the token sees" });

const fullHealthSchema = z.strictObject({
  status: z.enum(["ok", "degraded", "stopping"]),
  reason: z.string().optional(),
  backend: z.string(),
  adapter: z.string(),
  workers: z.strictObject({ busy: count, ready: count, total: count }),
  connections: z.strictObject({
    open: count,
    max: count,
    accepted: count,
    refused: count.describe("Refused over the total or per-address cap (503)"),
    acceptErrors: count.describe("Accepts that failed (e.g. out of descriptors) and were survived"),
    timedOut: count.describe("Closed for a slow request head or an idle connection"),
  }).optional().meta({ description: "The HTTP front's connections since start" }),
  storage: z.union([
    z.strictObject({ status: z.literal("ok") }),
    z.strictObject({ status: z.literal("failing"), reason: z.string(), since: timestamp }),
  ]),
  queue: z.strictObject({ length: count, max: count }),
  subscribers: count,
  datasets: z.array(z.string()),
  datasetInfo: z.array(z.strictObject({ name: z.string(), ready: z.boolean() })),
  uptimeSeconds: count,
  session: z.enum(["none", "bearer", "cookie"]).meta({
    description: "How this request signed in: none (no LOSSBENCH_TOKEN), a bearer token, or the " +
      "dashboard's cookie (which POST /api/logout clears)",
  }),
}).meta({ id: "Health" });

export const healthSchema = z.union([fullHealthSchema, bareHealthSchema]);

export const lossesSchema = z.strictObject({
  losses: z.array(z.strictObject({
    name: z.string(),
    title: z.string(),
    description: z.string(),
    params: z.record(z.string(), z.unknown()).describe("JSON Schema of the loss's parameters"),
  })),
});

export const conditionsSchema = z.strictObject({
  order: z.array(z.string()).describe(
    'How a run\'s train split is prepared: the stages in order, then "validation" (valFraction)',
  ),
  stages: z.array(z.strictObject({
    key: z.string().describe('The condition\'s field, e.g. "labelNoise"'),
    by: z.string().describe('The field that picks a kind, e.g. "kind" or "profile"'),
    title: z.string(),
    description: z.string(),
    kinds: z.array(z.strictObject({
      name: z.string().describe("The discriminator's value"),
      title: z.string(),
      description: z.string(),
      schema: z.record(z.string(), z.unknown()).describe(
        "JSON Schema of the kind's spec (the discriminator a const), as the run schema checks it",
      ),
    })),
  })).describe("In composition order; each from its own seeded stream"),
}).meta({ id: "Conditions" });

const imageSpecSchema = z.strictObject({
  height: z.number().int(),
  width: z.number().int(),
  channels: z.number().int(),
  classes: z.number().int(),
});

export const modelsSchema = z.strictObject({
  input: imageSpecSchema,
  models: z.array(z.strictObject({
    name: z.string(),
    title: z.string(),
    description: z.string(),
    params: count.describe("Trainable values"),
    flopsPerImage: count.describe("Multiply-adds of one forward pass of one image"),
  })),
});

export const datasetsSchema = z.strictObject({
  datasets: z.array(z.strictObject({
    name: z.string(),
    registered: z.boolean().describe("Named in LOSSBENCH_DATASETS"),
    loaded: z.boolean().describe("Decoded in memory now"),
    labelSets: z.array(z.strictObject({
      name: z.string().describe('A label set, for {"kind": "human", "set": name}'),
      disagreement: z.number().min(0).max(1).nullable().describe(
        "Fraction of train labels that differ from the data set's own; null until it loads",
      ),
    })).describe("Alternative train labels (LOSSBENCH_LABEL_SETS)"),
  })),
});

export const workersSchema = z.strictObject({
  workers: z.array(
    workerRecordSchema.omit({ until: true }).extend({
      heartbeatSecondsAgo: z.number().min(0),
    }),
  ),
}).meta({ id: "Workers" });

// Server-sent events. Each item is one event as an EventSource delivers it:
// the `event:` name, the `id:` (a sequence number, for Last-Event-ID) and the
// JSON of its `data:` line.
const seqId = z.string().regex(/^\d+$/).describe(
  "Sequence number: a status or epoch event's own; a progress event repeats the last one's",
);

export const deletedSchema = z.strictObject({
  id,
  status: z.literal("deleted"),
}).meta({ id: "RunDeleted", description: "Sent as a status event when a run is deleted" });

export const sseEventSchema = z.discriminatedUnion("event", [
  z.strictObject({
    event: z.literal("status"),
    id: seqId,
    data: z.union([runSchema, deletedSchema]),
  }).describe('A run changed status (or was deleted: status "deleted"). Stored, replayed.'),
  z.strictObject({
    event: z.literal("epoch"),
    id: seqId,
    data: epochMetricsSchema.extend({ runId: id }),
  }).describe("A run finished an epoch. Stored, replayed."),
  z.strictObject({
    event: z.literal("progress"),
    id: seqId,
    data: progressSchema,
  }).describe("Batch progress, a few times a second while training. Not stored."),
]).meta({
  id: "ServerSentEvent",
  description: "One event of a text/event-stream: its `event:` name, its `id:` and the JSON " +
    "of its `data:` line. The stream also carries `retry:` and `:` comment lines (heartbeats).",
});
