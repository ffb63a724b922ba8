// The API's response shapes as zod schemas: the OpenAPI document is generated
// from them, and with LOSSBENCH_CONTRACT_CHECK=1 every response is checked
// against them (check.ts). Request shapes live where they validate: ml/config.ts
// and the routers. Objects are strict, so a field the code adds without
// declaring it here fails the contract check instead of going undocumented.
import { z } from "zod";
import { conditionSchema, runFieldsSchema, settingsSchema } from "../../ml/config.ts";
import { STAT_METRICS } from "../../service/experiments.ts";

/** Every error: a 4xx/5xx status with this body. */
export const errorSchema = z.strictObject({
  error: z.string().describe("What went wrong; validation errors name the field"),
}).meta({ id: "Error" });

/** A request schema's fields as stored: defaults applied, so present (optional ones stay so). */
function stored<T extends z.core.$ZodLooseShape>(shape: T) {
  return Object.fromEntries(
    Object.entries(shape).map(([k, s]) => [k, s instanceof z.ZodDefault ? s.unwrap() : s]),
  ) as { [K in keyof T]: T[K] extends z.ZodDefault<infer I> ? I : T[K] };
}

/** A float that JSON sends as null when it is not finite (a diverged loss: NaN). */
const real = z.number().nullable();
const count = z.number().int().min(0);
const timestamp = z.string().describe("ISO 8601 time");
const id = z.string().describe("18 lowercase base-36 characters, sorting by creation time");

export const settingsOutSchema = z.strictObject(stored(settingsSchema.shape))
  .meta({ id: "Settings", description: "What every run of an experiment shares" });

const { gamma: _gamma, params: _params, ...runFields } = runFieldsSchema.shape;
export const trainConfigOutSchema = z.strictObject({
  ...stored(runFields),
  params: z.record(z.string(), z.number()).describe("The loss's parameters, defaults filled in"),
}).meta({ id: "TrainConfig", description: "A run's full configuration (defaults filled in)" });

export const epochMetricsSchema = z.strictObject({
  epoch: z.number().int().min(1),
  trainLoss: real,
  trainAcc: real,
  testLoss: real,
  testAcc: real,
  f1: real,
  balancedAcc: real,
  worstClassAcc: real,
  ece: real,
  reliability: z.strictObject({
    count: z.array(count),
    confidence: z.array(real),
    accuracy: z.array(real),
  }),
  perClass: z.strictObject({
    precision: z.array(real),
    recall: z.array(real),
    f1: z.array(real),
  }),
  trainAccClean: real.optional(),
  trainAccNoisy: real.optional(),
  valLoss: real.optional(),
  valAcc: real.optional(),
  valF1: real.optional(),
  lr: real,
  epochSeconds: real,
  trainImgPerSec: real,
  evalImgPerSec: real,
  confusion: z.array(z.array(count)),
}).meta({ id: "EpochMetrics", description: "One evaluated epoch (`epoch` counts from 1)" });

export const progressSchema = z.strictObject({
  runId: id,
  epoch: z.number().int(),
  batch: z.number().int(),
  batches: z.number().int(),
  loss: real,
  imgPerSec: real,
  etaSeconds: real,
}).meta({ id: "Progress", description: "Latest batch progress of a running run (not stored)" });

export const runStatusSchema = z.enum([
  "queued",
  "running",
  "done",
  "failed",
  "cancelled",
  "interrupted",
]).meta({ id: "RunStatus" });

const conditionRecordSchema = z.strictObject({
  imbalanceCounts: z.array(count),
  flips: z.array(z.array(count)).describe("flips[true][given]; the diagonal is kept labels"),
  flipped: count,
  trainCounts: z.array(count),
  valCount: count,
}).meta({ id: "ConditionRecord", description: "What the condition and validation split did" });

export const runSchema = z.strictObject({
  id,
  status: runStatusSchema,
  config: trainConfigOutSchema,
  createdAt: timestamp,
  startedAt: timestamp.optional(),
  finishedAt: timestamp.optional(),
  error: z.string().optional().describe("Why a run failed or was interrupted"),
  experimentId: id.optional(),
  backend: z.string().optional().describe("The backend it trained on"),
  worker: z.string().optional().describe("The worker process training it (GET /api/workers)"),
  classes: z.array(z.string()).optional().describe("Class names in label order"),
  label: z.string().describe("The cell's label (loss with parameters, condition, model)"),
  cellKey: z.string().describe("Runs with equal keys differ only by seed"),
  prepared: conditionRecordSchema.optional(),
  epochsDone: count,
  best: z.strictObject({ valAcc: real, testAcc: real, f1: real, epoch: z.number().int() })
    .optional().describe("The epoch best on validation accuracy (absent without a split)"),
  last: epochMetricsSchema.optional(),
}).meta({ id: "Run", description: "A run as stored" });

export const runViewSchema = runSchema.extend({
  progress: progressSchema.optional().describe("Only while running"),
}).meta({ id: "RunView", description: "A run, with its live progress while running" });

export const runDetailSchema = runViewSchema.extend({
  epochs: z.array(epochMetricsSchema),
}).meta({ id: "RunDetail" });

const cellSchema = z.strictObject({
  model: z.string(),
  loss: z.string(),
  params: z.record(z.string(), z.number()),
  condition: conditionSchema,
  key: z.string(),
  label: z.string(),
}).meta({ id: "Cell", description: "Loss with parameters × condition × model" });

export const experimentSchemaOut = z.strictObject({
  id,
  createdAt: timestamp,
  name: z.string().optional(),
  settings: settingsOutSchema,
  cells: z.array(cellSchema),
  seeds: z.array(z.number().int()),
  runIds: z.array(id),
}).meta({ id: "Experiment" });

const summarySchema = z.strictObject({
  n: count,
  mean: real,
  sd: real,
  se: real,
  ci95: z.tuple([z.number(), z.number()]).nullable(),
  min: real,
  max: real,
  reason: z.string().optional(),
}).meta({ id: "Summary" });

export const pointSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("final") }),
  z.strictObject({ kind: z.literal("lastK"), k: z.number().int() }),
  z.strictObject({ kind: z.literal("best"), on: z.enum(["valAcc", "valLoss"]) }),
]).meta({ id: "Point", description: "Where in training a run's value is read" });

const metricSchema = z.enum(STAT_METRICS);

const familySchema = z.strictObject({
  name: z.string(),
  kind: z.enum(["losses", "control", "all"]),
  size: count,
  correction: z.literal("Holm"),
}).meta({ id: "Family", description: "Comparisons that share one Holm correction" });

const interval = z.tuple([z.number(), z.number()]);

/** One comparison of two cells: the tests, the family, the three-way outcome and its sentence. */
export const comparisonSchema = z.strictObject({
  a: z.string(),
  b: z.string(),
  labelA: z.string(),
  labelB: z.string(),
  metric: z.string(),
  paired: z.boolean(),
  n: count,
  nA: count,
  nB: count,
  diff: real,
  ci95: interval.nullable(),
  pT: real,
  pWilcoxon: real,
  pImprove: real.describe("P(A better than B) (P(A > B) for a metric without a direction)"),
  se: real,
  df: real,
  sdDiff: real,
  divergedA: count.describe("Runs of A whose value is not finite: left out, and said so"),
  divergedB: count,
  resolution: z.number().optional().describe("Differences were rounded to multiples of this"),
  reason: z.string().optional(),
  pTHolm: real,
  pWilcoxonHolm: real,
  family: z.string(),
  familySize: count,
  correction: z.literal("Holm"),
  ciFamily: z.strictObject({ level: z.number(), ci: interval }).nullable()
    .describe("The CI at the level the verdict was decided at (Holm-consistent)"),
  delta: real.describe("The equivalence margin δ, in the metric's units"),
  pTost: real,
  pTostHolm: real,
  outcome: z.enum(["A better", "B better", "equivalent", "inconclusive", "untested"]),
  mde: real.describe("Smallest difference detected with 80% power at this n (inconclusive only)"),
  seedsNeeded: real.describe("Seeds to detect δ with 80% power (inconclusive only)"),
  verdict: z.string(),
}).meta({ id: "Comparison" });

export const hypothesisSchema = z.strictObject({
  claim: z.string(),
  better: z.string(),
  than: z.string(),
  n: count,
  diff: real,
  p: real,
  pHolm: real,
  bound: z.strictObject({ level: z.number(), value: z.number() }).nullable(),
  supported: z.boolean(),
  verdict: z.string(),
}).meta({ id: "HypothesisResult" });

export const statsSchema = z.strictObject({
  point: pointSchema,
  metric: metricSchema,
  alpha: z.number(),
  delta: real,
  runs: z.strictObject({ total: count, finished: count }),
  cells: z.array(z.strictObject({
    key: z.string(),
    label: z.string(),
    runs: count,
    finished: count,
    seeds: z.array(z.number().int()),
    perEpoch: z.record(z.string(), z.array(summarySchema.extend({ epoch: z.number().int() }))),
    summary: z.record(z.string(), summarySchema),
  })),
  families: z.array(familySchema),
  comparisons: z.array(comparisonSchema),
  hypotheses: z.array(hypothesisSchema),
}).meta({ id: "ExperimentStats" });

const bareHealthSchema = z.strictObject({
  status: z.enum(["ok", "degraded", "stopping"]),
}).meta({ id: "HealthBare", description: "What a client without the token sees" });

const fullHealthSchema = z.strictObject({
  status: z.enum(["ok", "degraded", "stopping"]),
  reason: z.string().optional(),
  backend: z.string(),
  adapter: z.string(),
  workers: z.strictObject({ busy: count, ready: count, total: count }),
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
  })),
});

export const workersSchema = z.strictObject({
  workers: z.array(z.strictObject({
    id: z.string(),
    host: z.string(),
    pid: count,
    pidStart: z.number(),
    backend: z.string(),
    adapter: z.string(),
    datasets: z.array(z.string()).describe("Data set names it can resolve"),
    cores: count,
    slots: count.describe("Runs it trains at once"),
    runs: z.array(z.string()).describe("Ids of the runs it is training now"),
    startedAt: z.string(),
    heartbeatAt: z.string(),
    heartbeatSecondsAgo: z.number().min(0),
  })),
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
