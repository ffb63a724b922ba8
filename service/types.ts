// The service's records: what KV holds and what the API returns. Plain data,
// no tensors; ml/types.ts supplies the engine's shapes.
import type { Cell } from "../ml/cell.ts";
import type { Settings } from "../ml/config.ts";
import type { ConditionRecord, EpochMetrics, Progress, TrainConfig } from "../ml/types.ts";

export type RunStatus = "queued" | "running" | "done" | "failed" | "cancelled" | "interrupted";

export const TERMINAL_STATUSES: ReadonlySet<RunStatus> = new Set([
  "done",
  "failed",
  "cancelled",
  "interrupted",
]);

export const isTerminal = (s: RunStatus) => TERMINAL_STATUSES.has(s);

/** A run as stored in KV (the API adds `progress` and, for one run, `epochs`). */
export interface Run {
  id: string;
  status: RunStatus;
  config: TrainConfig;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  error?: string;
  experimentId?: string;
  /** The backend it trained on (set when a worker takes it). */
  backend?: string;
  /** The worker process training it (set when one takes it; see GET /api/workers). */
  worker?: string;
  /** The data set's class names, in label order (set when training starts). */
  classes?: string[];
  /** The cell's label ("focal γ=2 · sym noise 40%"), for tables and legends. */
  label: string;
  /** The cell's canonical key: runs with equal keys differ only by seed (and settings). */
  cellKey: string;
  /** What the condition and validation split did (set when training starts). */
  prepared?: ConditionRecord;
  epochsDone: number;
  /** The epoch best on validation accuracy (never chosen on the test set); none without a split. */
  best?: { valAcc: number; testAcc: number; f1: number; epoch: number };
  last?: EpochMetrics;
}

/** Latest ephemeral batch progress of a running run. */
export type RunProgress = Progress & { runId: string };

export interface ExperimentCell extends Cell {
  key: string;
  label: string;
}

/**
 * A grid of cells (loss with its params × condition × model) × seeds on shared
 * settings; every cell × seed is one run. Seeds can be added later.
 */
export interface Experiment {
  id: string;
  createdAt: string;
  name?: string;
  settings: Settings;
  cells: ExperimentCell[];
  seeds: number[];
  runIds: string[];
}

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
export interface WorkerRecord {
  id: string;
  host: string;
  pid: number;
  pidStart: number;
  backend: string;
  adapter: string;
  /** Data set names it can resolve. */
  datasets: string[];
  cores: number;
  /** Web Workers (concurrent runs). */
  slots: number;
  /** Runs it is training now. */
  runs: string[];
  startedAt: string;
  heartbeatAt: string;
  /** Epoch ms after which it counts as gone unless it beats again. */
  until: number;
}
