// Messages across the worker boundary: plain, structured-cloneable, versioned.
// The service (main thread) and ml/worker.ts are the only two parties.
import type { DivergedAt } from "./divergence.ts";
import type {
  Checkpoint,
  ConditionRecord,
  Dataset,
  EpochMetrics,
  Progress,
  TrainConfig,
} from "./types.ts";

export const PROTOCOL_VERSION = 1;

/** main → worker */
export type ToWorker =
  | {
    v: 1;
    type: "start";
    runId: string;
    config: TrainConfig;
    /** Arrays backed by SharedArrayBuffer, so workers share one decoded copy. */
    data: Dataset;
    resume?: Checkpoint;
    /** A tuning trial: never evaluate the test split (ml/trainer.ts's evalTest). */
    evalTest?: false;
    /** A tuning trial paused at a rung: stop after this epoch, then post `paused`. */
    stopAfter?: number;
  }
  | { v: 1; type: "cancel"; runId: string }
  /** Kernel threads the worker's run may use from now on (service/threads_allot.ts). */
  | { v: 1; type: "threads"; n: number };

/** worker → main */
export type FromWorker =
  | { v: 1; type: "ready"; backend: string; adapter: string }
  | { v: 1; type: "started"; runId: string; fromEpoch: number }
  /** What the run's condition and validation split did to its train split. */
  | { v: 1; type: "prepared"; runId: string; record: ConditionRecord }
  | { v: 1; type: "progress"; runId: string; progress: Progress }
  | { v: 1; type: "epoch"; runId: string; metrics: EpochMetrics; checkpoint: Checkpoint }
  | { v: 1; type: "done"; runId: string }
  /** Stopped after `stopAfter` (before its last epoch); its checkpoint resumes it. */
  | { v: 1; type: "paused"; runId: string; epoch: number }
  | { v: 1; type: "cancelled"; runId: string }
  /** `diverged`: the loss stopped being finite there (ml/divergence.ts). */
  | { v: 1; type: "failed"; runId: string | null; error: string; diverged?: DivergedAt };

/** Copies a data set's arrays into SharedArrayBuffers (once per process); drops trainFiles. */
export function shareDataset(d: Dataset): Dataset {
  const share = (a: Uint8Array) => {
    if (a.buffer instanceof SharedArrayBuffer) return a;
    const s = new Uint8Array(new SharedArrayBuffer(a.byteLength));
    s.set(a);
    return s;
  };
  const sets = d.train.labelSets;
  const { trainFiles: _files, ...rest } = d;
  return {
    ...rest,
    train: {
      ...d.train,
      images: share(d.train.images),
      labels: share(d.train.labels),
      ...(sets
        ? { labelSets: Object.fromEntries(Object.entries(sets).map(([k, v]) => [k, share(v)])) }
        : {}),
    },
    test: { ...d.test, images: share(d.test.images), labels: share(d.test.labels) },
  };
}
