// The service's records as zod schemas, whose outputs are service/types.ts's
// types: one declaration for KV, the scheduler and the API's contract
// (routes/contract/schemas.ts adds ids and the JSON form of floats).
import { z } from "zod";
import { cellSchema } from "../ml/cell.ts";
import { settingsRecordSchema, trainConfigRecordSchema } from "../ml/config.ts";
import { conditionRecordSchema, stored, storedReal } from "../ml/records.ts";
import { sequentialStateSchema, untilOutSchema } from "./until_records.ts";
import { compareSchema, tuningStateSchema } from "./tuning_records.ts";
import { tuneSchema } from "../ml/tune/space.ts";

const count = z.number().int().min(0);
const timestamp = z.string().describe("ISO 8601 time");
export const idSchema = z.string().describe(
  "18 lowercase base-36 characters, sorting by creation time",
);

export const runStatusSchema = z.enum([
  "queued",
  "running",
  "done",
  "failed",
  "cancelled",
  "interrupted",
  // A tuning trial stopped at a rung (its checkpoint kept) until successive halving decides.
  "paused",
  // A tuning trial that successive halving did not promote: ended at its rung, not failed.
  "pruned",
]).meta({ id: "RunStatus" });

/** A run as stored, for a float schema `real` and the epoch record built on it (ml/records.ts). */
export function runSchemaOf<R extends z.ZodType, E extends z.ZodType>(real: R, epochMetrics: E) {
  return z.strictObject({
    id: idSchema,
    status: runStatusSchema,
    config: trainConfigRecordSchema,
    createdAt: timestamp,
    startedAt: timestamp.optional(),
    finishedAt: timestamp.optional(),
    error: z.string().optional().describe("Why a run failed or was interrupted"),
    diverged: z.strictObject({ epoch: count, batch: count }).optional().describe(
      "Set when the run failed because training diverged: where its loss was first not finite",
    ),
    experimentId: idSchema.optional(),
    backend: z.string().optional().describe(
      "The backend it trained on (set when a worker takes it)",
    ),
    worker: z.string().optional().describe("The worker process training it (GET /api/workers)"),
    classes: z.array(z.string()).optional().describe("Class names in label order"),
    label: z.string().describe(
      "The cell's label (\"focal γ=2 · sym noise 40%\"), built by ml/cell.ts's cellLabel",
    ),
    cellKey: z.string().describe("Runs with equal keys differ only by seed"),
    prepared: conditionRecordSchema.optional(),
    epochsDone: count,
    tune: z.strictObject({
      role: z.enum(["trial", "confirm"]),
      trial: count.describe("The trial's index in its cell (from 0)"),
    }).optional().describe(
      "A tuning stage's run: a trial (never evaluates the test split) or a chosen " +
        "configuration confirmed on a comparison seed",
    ),
    stopAt: z.number().int().min(1).optional().describe(
      "A trial pauses after this epoch (its successive-halving rung)",
    ),
    best: z.strictObject({
      valAcc: real,
      testAcc: real.optional().describe("Absent in a tuning trial (no test split)"),
      f1: real.optional(),
      epoch: z.number().int(),
    })
      .optional().describe(
        "The epoch best on validation accuracy (never chosen on the test set); none without a split",
      ),
    last: epochMetrics.optional(),
  });
}

export const runRecordSchema = runSchemaOf(storedReal, stored.epochMetrics);

export const experimentCellSchema = cellSchema.extend({
  key: z.string().describe("Canonical JSON of the cell: runs with equal keys differ only by seed"),
  label: z.string().describe("Loss with parameters, condition and model, from ml/cell.ts"),
}).meta({ id: "Cell", description: "Loss with parameters × condition × model" });

/**
 * A grid of cells (loss with its params × condition × model) × seeds on shared
 * settings; every cell × seed is one run. Seeds can be added later.
 */
export const experimentRecordSchema = z.strictObject({
  id: idSchema,
  createdAt: timestamp,
  name: z.string().optional(),
  settings: settingsRecordSchema,
  cells: z.array(experimentCellSchema),
  seeds: z.array(z.number().int()),
  runIds: z.array(idSchema),
  /** Seeds added until decided, and the record of its looks (service/until.ts). */
  until: untilOutSchema.optional(),
  sequential: sequentialStateSchema.optional(),
  /** A tuning stage before the comparison (service/tuning.ts). */
  tune: tuneSchema.optional(),
  compare: compareSchema.optional(),
  tuning: tuningStateSchema.optional(),
}).meta({ id: "Experiment" });

/** A training process, as it announces itself by heartbeat (GET /api/workers). */
export const workerRecordSchema = z.strictObject({
  id: z.string(),
  host: z.string(),
  pid: count,
  pidStart: z.number().describe("The process's start time, to tell a reused pid apart"),
  backend: z.string(),
  adapter: z.string(),
  datasets: z.array(z.string()).describe("Data set names it can resolve"),
  cores: count,
  slots: count.describe("Runs it trains at once (Web Workers)"),
  runs: z.array(z.string()).describe("Ids of the runs it is training now"),
  startedAt: z.string(),
  heartbeatAt: z.string(),
  until: z.number().describe("Epoch ms after which it counts as gone unless it beats again"),
});
