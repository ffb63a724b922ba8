// The service's records: what KV holds and what the API returns. Plain data,
// no tensors; ml/types.ts supplies the engine's shapes. The records are
// declared once, as zod schemas (service/records.ts); these are their outputs.
import type { z } from "zod";
import type { EpochMetrics, Progress } from "../ml/types.ts";
import type {
  experimentCellSchema,
  experimentRecordSchema,
  runRecordSchema,
  runStatusSchema,
  workerRecordSchema,
} from "./records.ts";

export type RunStatus = z.output<typeof runStatusSchema>;

export const TERMINAL_STATUSES: ReadonlySet<RunStatus> = new Set([
  "done",
  "failed",
  "cancelled",
  "interrupted",
  "pruned",
]);

export const isTerminal = (s: RunStatus) => TERMINAL_STATUSES.has(s);

/** A run as stored in KV (the API adds `progress` and, for one run, `epochs`). */
export type Run = z.output<typeof runRecordSchema>;

/** Latest ephemeral batch progress of a running run. */
export type RunProgress = Progress & { runId: string };

export type ExperimentCell = z.output<typeof experimentCellSchema>;

/** A grid of cells × seeds on shared settings; every cell × seed is one run. */
export type Experiment = z.output<typeof experimentRecordSchema>;

/** Durable events: stored in KV under a monotonically increasing sequence number. */
export type DurableEvent =
  | { seq: number; type: "status"; runId: string; data: Run }
  | { seq: number; type: "epoch"; runId: string; data: EpochMetrics & { runId: string } };

/** Ephemeral events carry the sequence number of the latest durable event. */
export type ProgressEvent = { seq: number; type: "progress"; runId: string; data: RunProgress };

/**
 * A run was deleted: sent live to open streams as a `status` event with
 * status "deleted" (not stored: the run's records, events included, are gone).
 */
export type DeletedEvent = {
  seq: number;
  type: "deleted";
  runId: string;
  data: { id: string; status: "deleted" };
};

export type ServiceEvent = DurableEvent | ProgressEvent | DeletedEvent;

/** A run's lease: which worker process trains it, until when (renewed by heartbeat). */
export interface Lease {
  owner: string;
  host: string;
  pid: number;
  /** The owner's process start time (/proc/<pid>/stat), to tell a reused pid apart; 0 if unknown. */
  pidStart: number;
  /** Epoch ms after which the lease has lapsed unless renewed. */
  until: number;
}

/** A training process, as it announces itself by heartbeat (GET /api/workers). */
export type WorkerRecord = z.output<typeof workerRecordSchema>;
