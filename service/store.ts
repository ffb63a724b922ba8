// The store: every run, experiment and queue transition, each one atomic
// commit in Deno KV (commit.ts), on top of its reads (store_reads.ts). Its
// other parts: kv.ts (the key schema, retries, the write lock),
// checkpoint.ts (the codec and its chunks), lease_records.ts, retention.ts,
// migrations.ts and event_reads.ts. The store is the only module that touches
// KV, and several processes, on one machine or many (KV Connect), may open
// the same KV at once:
// - every write that hands out sequence numbers or changes the queue checks
//   ["meta","seq"] and ["meta","queued"], so processes never hand out the same
//   number and the counter stays exact; a lost race is retried from a fresh read;
// - "database is locked" (concurrent commits on one SQLite file) is retried with backoff;
// - each commit stays within denokv's limits (see kv.ts);
// - events reach this process's subscribers from the log itself (event_log.ts),
//   in sequence order, whoever wrote them.
import type { Checkpoint, EpochMetrics } from "../ml/types.ts";
import { type CheckpointMeta, dropEpochChunks, packCheckpoint, writeChunks } from "./checkpoint.ts";
import { type Build, Committer, dequeue, queueRuns, queueValue } from "./commit.ts";
import { QueueFullError } from "./errors.ts";
import type { EventBus } from "./event_bus.ts";
import type { EventLog } from "./event_log.ts";
import { followLog, readHead } from "./event_reads.ts";
import { newId } from "./ids.ts";
import { deleteRun, finishDeletes, markExperimentDeleted } from "./deletes.ts";
import { getMany, getOne, retryLocked } from "./kv.ts";
import { holdLiveness, leaseLapsed } from "./lease.ts";
import * as leases from "./lease_records.ts";
import { countQueue, fillTrainingDefaults } from "./migrations.ts";
import { storageFailure } from "./storage_health.ts";
import { clearExpirations } from "./wal.ts";
import { StoreReads } from "./store_reads.ts";
import type {
  DurableEvent,
  Experiment,
  Lease,
  Run,
  RunProgress,
  RunStatus,
  ServiceEvent,
} from "./types.ts";

// Names callers imported from here before the store was split.
export {
  type CheckpointMeta,
  CHUNK_BYTES,
  packCheckpoint,
  unpackCheckpoint,
} from "./checkpoint.ts";
export { QueueFullError } from "./errors.ts";
export { retryLocked } from "./kv.ts";
export { RETAIN_EVENTS_MS, type SweepResult } from "./retention.ts";
export type { QueueEntry } from "./store_reads.ts";

export interface StoreOptions {
  /** Called for every durable event, in sequence order, whichever process committed it. */
  onEvent?: (e: DurableEvent) => void;
  /** Gets every event (durable, progress, deleted) in order: this process's SSE fan-out. */
  bus?: EventBus;
  /** Most runs waiting in the queue at once. */
  maxQueue?: number;
  /** Interval at which the event log and progress are read (≤ 250 ms; 0 = only after own writes). */
  pollMs?: number;
  log?: (msg: string) => void;
}

export class Store extends StoreReads {
  #c: Committer;
  #log: EventLog | null = null;
  #closed = false;
  /** Identifies this process's progress records. */
  readonly processId = newId();
  readonly maxQueue: number;

  private constructor(kv: Deno.Kv, file: string | null, opts: StoreOptions) {
    super(kv, file);
    this.maxQueue = opts.maxQueue ?? 1000;
    this.#c = new Committer(
      kv,
      this.lock,
      () => this.#log?.catchUp() ?? Promise.resolve(),
      opts.log,
    );
  }

  static async open(path: string, opts: StoreOptions = {}): Promise<Store> {
    const file = /^https?:\/\/|^:memory:$/.test(path) ? null : path;
    if (file) clearExpirations(file); // before Deno KV's own cleanup at open (wal.ts)
    const kv = await Deno.openKv(path);
    holdLiveness(path); // before any lease is taken here (lease.ts)
    const store = new Store(kv, file, opts);
    // A full disk must not keep the service from starting: it serves reads.
    const spared = (e: unknown) => storageFailure(e) ? undefined : Promise.reject(e);
    await countQueue(kv).catch(spared);
    await fillTrainingDefaults(kv).catch(spared);
    const head = await readHead(kv);
    store.#c.seq = head.seq;
    store.#c.queued = head.queued;
    if (opts.onEvent || opts.bus) {
      store.#log = followLog(kv, /^https?:\/\//.test(path), head, {
        deliver: (e: ServiceEvent) => {
          if (e.type === "status" || e.type === "epoch") opts.onEvent?.(e);
          opts.bus?.publish(e);
        },
        self: store.processId,
        pollMs: opts.pollMs,
        log: opts.log,
      });
    }
    return store;
  }

  /** Waits for pending writes, then closes KV (once). */
  async close(): Promise<void> {
    await this.#c.lock.run(() => Promise.resolve());
    await this.#log?.stop();
    if (!this.#closed) this.kv.close();
    this.#closed = true;
  }

  /** The sequence number of the latest durable event published here (or known, without a log). */
  get lastSeq(): number {
    return this.#log?.delivered ?? this.#c.seq;
  }

  /** Runs waiting, from KV's shared counter (as of the latest read). */
  get queueLength(): number {
    return this.#log?.queued ?? this.#c.queued;
  }

  /** The queue's length read from KV now. */
  async readQueueLength(): Promise<number> {
    return (await readHead(this.kv)).queued;
  }

  /** A running run's latest batch progress (ephemeral; from any process). */
  progress(id: string): RunProgress | undefined {
    return this.#log?.progress(id);
  }

  /**
   * A run's batch progress: published here at once (when `publish`), and
   * written to KV for other processes (when `persist`; callers throttle it).
   */
  async putProgress(
    p: RunProgress,
    opts: { publish: boolean; persist: boolean; ttlMs: number },
  ): Promise<void> {
    if (opts.publish) {
      await this.#log?.publishLocal({ seq: 0, type: "progress", runId: p.runId, data: p });
    }
    if (opts.persist) {
      const value = { writer: this.processId, data: p };
      await retryLocked(() => this.kv.set(["progress", p.runId], value));
    }
  }

  // ---- transitions (each one atomic, each under the lock) ----

  #write<T>(build: Build<T>): Promise<T> {
    return this.#c.write(build);
  }

  /**
   * Creates queued runs (and their experiment) in one atomic op; all or none.
   * Run ids are unique by construction, so the op checks only the experiment
   * (and the shared counters): denokv allows 10 checks per commit, and a grid
   * has up to 200 runs.
   */
  createRuns(runs: Run[], experiment?: Experiment): Promise<Run[]> {
    return this.#write((op, emit, state) => {
      if (state.queued + runs.length > this.maxQueue) {
        throw new QueueFullError(this.maxQueue, state.queued, runs.length);
      }
      queueRuns(op, emit, runs);
      if (experiment) {
        op.check({ key: ["experiment", experiment.id], versionstamp: null });
        op.set(["experiment", experiment.id], experiment);
      }
      return { result: runs, queued: runs.length };
    });
  }

  /**
   * Adds runs to an existing experiment in one atomic op: `build` gets the
   * experiment as stored and returns the new runs and the updated record
   * (it may throw to refuse). Null when there is no such experiment.
   */
  extendExperiment(
    id: string,
    build: (exp: Experiment) => { runs: Run[]; experiment: Experiment },
  ): Promise<{ runs: Run[]; experiment: Experiment } | null> {
    return this.#write(async (op, emit, state) => {
      const cur = await getOne<Experiment>(this.kv, ["experiment", id]);
      if (!cur.value) return { result: null };
      const out = build(cur.value);
      if (state.queued + out.runs.length > this.maxQueue) {
        throw new QueueFullError(this.maxQueue, state.queued, out.runs.length);
      }
      queueRuns(op, emit, out.runs);
      op.check(cur).set(["experiment", id], out.experiment);
      return { result: out, queued: out.runs.length };
    });
  }

  /**
   * Deletes an experiment with its runs: one commit hides them all at once,
   * then their records go in bounded batches (deletes.ts). False when there
   * is no such experiment; ConflictError while a run is queued or running.
   */
  async deleteExperiment(id: string): Promise<boolean> {
    if (!(await markExperimentDeleted(this.kv, this.#c, id))) return false;
    await this.finishDeletes(id);
    return true;
  }

  /** Finishes deletes of experiments that an earlier call (or process) left marked. */
  finishDeletes(only?: string): Promise<number> {
    return finishDeletes(this.kv, this.#c, (e) => this.#log?.publishLocal(e), only);
  }

  /**
   * Changes a run's status (and fields) if its current status is one of
   * `from`; returns the updated run, or null when it isn't (or is gone).
   * Leaving "queued" takes it off the queue; `requeue` puts it back at the
   * front. With `owner`, only while that worker holds the run's lease (a
   * worker that lost its run can't end it). Leaving "running" ends the lease.
   */
  transition(
    id: string,
    from: readonly RunStatus[],
    patch: Partial<Run> & { status: RunStatus },
    opts: { requeue?: boolean; owner?: string } = {},
  ): Promise<Run | null> {
    return this.#write(async (op, emit) => {
      const [cur, lease] = await getMany<[Run, Lease]>(this.kv, [["run", id], ["lease", id]]);
      if (!cur.value || !from.includes(cur.value.status)) return { result: null };
      if (opts.owner !== undefined) {
        if (lease.value?.owner !== opts.owner) return { result: null };
        op.check(lease);
      }
      const run: Run = { ...cur.value, ...patch };
      op.check(cur).set(["run", id], run);
      let queued = 0;
      if (cur.value.status === "queued" && run.status !== "queued") {
        queued = -(await dequeue(this.kv, op, id));
      }
      if (cur.value.status === "running" && run.status !== "running") leases.endActive(op, id);
      if (opts.requeue) {
        op.set(["queue", 0, id], queueValue(run));
        queued += 1;
      }
      emit({ type: "status", runId: id, data: run });
      return { result: run, queued };
    });
  }

  /**
   * Takes a queued run for a worker, with its lease, in one atomic op. Missed
   * when another process took it first ("taken") or it is no longer queued ("stale").
   */
  claimRun(
    id: string,
    lease: Lease,
    patch: Partial<Run>,
    _leaseMs?: number,
  ): Promise<{ run: Run } | { missed: "taken" | "stale" }> {
    return this.#write<{ run: Run } | { missed: "taken" | "stale" }>(async (op, emit) => {
      const [cur, held] = await getMany<[Run, Lease]>(this.kv, [["run", id], ["lease", id]]);
      if (!cur.value || cur.value.status !== "queued") return { result: { missed: "stale" } };
      if (!leaseLapsed(held.value)) return { result: { missed: "taken" } };
      const run: Run = { ...cur.value, ...patch, status: "running", worker: lease.owner };
      op.check(cur, held).set(["run", id], run);
      const queued = -(await dequeue(this.kv, op, id));
      op.set(["lease", id], lease).set(["active", id], true);
      op.delete(["cancel", id]);
      emit({ type: "status", runId: id, data: run });
      return { result: { run }, queued };
    });
  }

  /**
   * Takes a running run over from an owner that is gone (its lease lapsed, or
   * it never had one): `decide` says what becomes of it. Null when the run
   * isn't running, or its lease is still live.
   */
  takeOver(
    id: string,
    decide: (run: Run, hasCheckpoint: boolean) => Partial<Run> & {
      status: RunStatus;
      requeue?: boolean;
    },
  ): Promise<Run | null> {
    return this.#write(async (op, emit) => {
      const [cur, lease, ckpt] = await getMany<[Run, Lease, CheckpointMeta]>(this.kv, [
        ["run", id],
        ["lease", id],
        ["ckpt", id],
      ]);
      if (!cur.value || cur.value.status !== "running" || !leaseLapsed(lease.value)) {
        return { result: null };
      }
      const { requeue, ...patch } = decide(cur.value, ckpt.value !== null);
      const run: Run = { ...cur.value, ...patch };
      op.check(cur, lease, ckpt).set(["run", id], run);
      leases.endActive(op, id);
      let queued = 0;
      if (requeue) {
        op.set(["queue", 0, id], queueValue(run));
        queued = 1;
      }
      emit({ type: "status", runId: id, data: run });
      return { result: run, queued };
    });
  }

  /**
   * Records what a run learned once training starts (its data set's class
   * names, what its condition did); no event of its own: the next status or
   * epoch event carries them.
   */
  annotateRun(id: string, patch: Pick<Partial<Run>, "classes" | "prepared">): Promise<Run | null> {
    return this.#write(async (op) => {
      const cur = await getOne<Run>(this.kv, ["run", id]);
      if (!cur.value) return { result: null };
      const run: Run = { ...cur.value, ...patch };
      op.check(cur).set(["run", id], run);
      return { result: run };
    });
  }

  /**
   * Records one finished epoch: its metrics, the checkpoint's metadata, the
   * run's summary and the event in one atomic op (the checkpoint's chunks just
   * before it; the previous checkpoint's are removed after). An epoch already
   * recorded is ignored (returns null), so each is stored exactly once. With
   * `owner`, every write checks that this worker still holds the run's lease:
   * a stale owner's late epoch (its run was taken over) is refused (null).
   */
  async recordEpoch(
    id: string,
    metrics: EpochMetrics,
    checkpoint: Checkpoint,
    owner?: string,
  ): Promise<Run | null> {
    const { meta, chunks } = packCheckpoint(checkpoint);
    let previous: CheckpointMeta | null = null;
    const run = await this.#write(async (op, emit) => {
      const [cur, existing, prevMeta, lease] = await getMany<
        [Run, EpochMetrics, CheckpointMeta, Lease]
      >(this.kv, [["run", id], ["epoch", id, metrics.epoch], ["ckpt", id], ["lease", id]]);
      if (!cur.value || cur.value.status !== "running" || existing.value) return { result: null };
      if (owner !== undefined && lease.value?.owner !== owner) return { result: null };
      await writeChunks(this.kv, id, meta.epoch, chunks, owner !== undefined ? lease : undefined);
      const best = cur.value.best;
      // The best epoch is chosen on the validation split only, never on the test set (that would
      // be test-set selection); a run without a validation split has none.
      const val = metrics.valAcc;
      const run: Run = {
        ...cur.value,
        epochsDone: metrics.epoch,
        last: metrics,
        best: val !== undefined && Number.isFinite(val) && (!best || val > best.valAcc)
          ? { valAcc: val, testAcc: metrics.testAcc, f1: metrics.f1, epoch: metrics.epoch }
          : best,
      };
      op.check(cur, existing, prevMeta);
      if (owner !== undefined) op.check(lease);
      op.set(["run", id], run).set(["epoch", id, metrics.epoch], metrics).set(["ckpt", id], meta);
      emit({ type: "epoch", runId: id, data: { runId: id, ...metrics } });
      previous = prevMeta.value;
      return { result: run };
    });
    // The previous checkpoint is dropped only once the new one is referenced.
    const prev = previous as CheckpointMeta | null;
    if (run && prev && prev.epoch !== meta.epoch) await dropEpochChunks(this.kv, id, prev);
    return run;
  }

  /**
   * Removes a run and everything recorded for it (its events included), and
   * tells this process's subscribers (a `deleted` event, not stored: nothing
   * of the run may remain). False when there is no such run.
   */
  deleteRun(id: string): Promise<boolean> {
    return deleteRun(this.kv, this.#c, id, (e) => this.#log?.publishLocal(e));
  }

  /** Removes a queue entry whose run is gone or no longer queued (never expected; defensive). */
  async dropStale(id: string): Promise<void> {
    await this.#write(async (op) => {
      const run = await this.getRun(id);
      if (run?.status === "queued") return { result: null };
      const queued = -(await dequeue(this.kv, op, id));
      return { result: queued ? true : null, queued };
    });
  }
}
