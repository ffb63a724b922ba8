// Everything durable, in Deno KV: runs, the queue, per-epoch metrics,
// checkpoints, experiments and the event log. Writes go through one lock, so
// event sequence numbers are handed out, committed and published in order.
//
// Keys:
//   ["run", id]                       Run
//   ["queue", priority, id]           true   (0 = resume after restart, 1 = new)
//   ["epoch", id, n]                  EpochMetrics of epoch n (from 1)
//   ["ckpt", id]                      CheckpointMeta of the latest epoch
//   ["ckpt_chunk", id, epoch, i]      Uint8Array, part i of that checkpoint
//   ["experiment", id]                Experiment
//   ["event", seq]                    DurableEvent (the global log)
//   ["run_event", id, seq]            the same event, indexed by run
//   ["meta", "seq"]                   last sequence number handed out
import type { Checkpoint, EpochMetrics } from "../ml/types.ts";
import type { DurableEvent, Experiment, Run, RunStatus } from "./types.ts";

/** Values are limited to 64 KiB; 60 KiB is a multiple of 4 (whole float32s). */
export const CHUNK_BYTES = 60 * 1024;
/** Checkpoint chunks per atomic write (10 × 60 KiB stays under KV's 800 KiB). */
const CHUNKS_PER_WRITE = 10;
/** Deletes per atomic op when removing a run (KV caps mutations per op). */
const DELETE_BATCH = 500;

export interface CheckpointMeta {
  epoch: number;
  bytes: number;
  chunks: number;
  tensors: { group: "weights" | "momentum"; name: string; length: number }[];
}

export class QueueFullError extends Error {
  constructor(readonly max: number, waiting = max, asked = 1) {
    super(
      asked > 1
        ? `the queue can't take ${asked} runs (${waiting} of ${max} places taken); try again later`
        : `the queue is full (${max} runs waiting); try again later`,
    );
  }
}

/** A tiny FIFO mutex: KV writes that hand out sequence numbers run one at a time. */
class Lock {
  #tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.#tail.then(fn);
    this.#tail = p.catch(() => {});
    return p;
  }
}

export function packCheckpoint(ck: Checkpoint): { meta: CheckpointMeta; chunks: Uint8Array[] } {
  const tensors: CheckpointMeta["tensors"] = [];
  const arrays: Float32Array[] = [];
  for (const group of ["weights", "momentum"] as const) {
    for (const name of Object.keys(ck[group]).sort()) {
      tensors.push({ group, name, length: ck[group][name].length });
      arrays.push(ck[group][name]);
    }
  }
  const all = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of arrays) {
    all.set(a, o);
    o += a.length;
  }
  const bytes = new Uint8Array(all.buffer);
  const chunks: Uint8Array[] = [];
  for (let s = 0; s < bytes.length; s += CHUNK_BYTES) chunks.push(bytes.slice(s, s + CHUNK_BYTES));
  return { meta: { epoch: ck.epoch, bytes: bytes.length, chunks: chunks.length, tensors }, chunks };
}

export function unpackCheckpoint(meta: CheckpointMeta, chunks: Uint8Array[]): Checkpoint {
  const bytes = new Uint8Array(meta.bytes);
  let o = 0;
  for (const c of chunks) {
    bytes.set(c, o);
    o += c.length;
  }
  if (o !== meta.bytes) throw new Error(`checkpoint: expected ${meta.bytes} bytes, found ${o}`);
  const all = new Float32Array(bytes.buffer);
  const ck: Checkpoint = { epoch: meta.epoch, weights: {}, momentum: {} };
  let at = 0;
  for (const t of meta.tensors) {
    ck[t.group][t.name] = all.slice(at, at + t.length);
    at += t.length;
  }
  return ck;
}

const now = () => new Date().toISOString();

export interface StoreOptions {
  /** Called for every committed durable event, in sequence order, inside the write lock. */
  onEvent?: (e: DurableEvent) => void;
  /** Most runs waiting in the queue at once. */
  maxQueue?: number;
}

export class Store {
  #lock = new Lock();
  #seq = 0;
  #queued = 0;
  readonly maxQueue: number;

  private constructor(readonly kv: Deno.Kv, private opts: StoreOptions) {
    this.maxQueue = opts.maxQueue ?? 1000;
  }

  static async open(path: string, opts: StoreOptions = {}): Promise<Store> {
    const kv = await Deno.openKv(path);
    const store = new Store(kv, opts);
    store.#seq = (await kv.get<number>(["meta", "seq"])).value ?? 0;
    for await (const _ of kv.list({ prefix: ["queue"] })) store.#queued++;
    return store;
  }

  #closed = false;

  /** Waits for pending writes, then closes KV (once). */
  async close(): Promise<void> {
    await this.#lock.run(() => Promise.resolve());
    if (this.#closed) return;
    this.#closed = true;
    this.kv.close();
  }

  /** The sequence number of the latest committed (and published) durable event. */
  get lastSeq(): number {
    return this.#seq;
  }

  get queueLength(): number {
    return this.#queued;
  }

  // ---- reads ----

  async getRun(id: string): Promise<Run | null> {
    return (await this.kv.get<Run>(["run", id])).value;
  }

  /** Newest first. */
  async listRuns(limit = 1000): Promise<Run[]> {
    const out: Run[] = [];
    for await (const e of this.kv.list<Run>({ prefix: ["run"] }, { reverse: true, limit })) {
      out.push(e.value);
    }
    return out;
  }

  async listEpochs(id: string): Promise<EpochMetrics[]> {
    const out: EpochMetrics[] = [];
    for await (const e of this.kv.list<EpochMetrics>({ prefix: ["epoch", id] })) out.push(e.value);
    return out;
  }

  async getExperiment(id: string): Promise<Experiment | null> {
    return (await this.kv.get<Experiment>(["experiment", id])).value;
  }

  async listExperiments(limit = 1000): Promise<Experiment[]> {
    const out: Experiment[] = [];
    const it = this.kv.list<Experiment>({ prefix: ["experiment"] }, { reverse: true, limit });
    for await (const e of it) out.push(e.value);
    return out;
  }

  /** The next run to start: resumed runs first, then the oldest new one. */
  async peekQueue(): Promise<string | null> {
    for await (const e of this.kv.list({ prefix: ["queue"] }, { limit: 1 })) {
      return e.key[2] as string;
    }
    return null;
  }

  async loadCheckpoint(id: string): Promise<Checkpoint | null> {
    const meta = (await this.kv.get<CheckpointMeta>(["ckpt", id])).value;
    if (!meta) return null;
    const chunks: Uint8Array[] = [];
    const it = this.kv.list<Uint8Array>({ prefix: ["ckpt_chunk", id, meta.epoch] });
    for await (const e of it) chunks.push(e.value);
    if (chunks.length !== meta.chunks) {
      throw new Error(`checkpoint of run ${id}: ${chunks.length} of ${meta.chunks} chunks found`);
    }
    return unpackCheckpoint(meta, chunks);
  }

  /** Durable events after `since`, oldest first, for one run or all of them. */
  async listEvents(since: number, runId?: string, limit = 10_000): Promise<DurableEvent[]> {
    const sel = runId
      ? { prefix: ["run_event", runId], start: ["run_event", runId, since + 1] }
      : { prefix: ["event"], start: ["event", since + 1] };
    const out: DurableEvent[] = [];
    for await (const e of this.kv.list<DurableEvent>(sel, { limit })) out.push(e.value);
    return out;
  }

  // ---- writes (each one atomic, each under the lock) ----

  /**
   * Creates queued runs (and their experiment) in one atomic op; all or none.
   * Run ids are unique by construction, so the op checks only the experiment:
   * denokv allows 10 checks per commit, and a grid has up to 200 runs.
   */
  createRuns(runs: Run[], experiment?: Experiment): Promise<Run[]> {
    return this.#write((op, emit) => {
      if (this.#queued + runs.length > this.maxQueue) {
        throw new QueueFullError(this.maxQueue, this.#queued, runs.length);
      }
      this.#queueRuns(op, emit, runs);
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
    return this.#write(async (op, emit) => {
      const cur = await this.kv.get<Experiment>(["experiment", id]);
      if (!cur.value) return { result: null };
      const out = build(cur.value);
      if (this.#queued + out.runs.length > this.maxQueue) {
        throw new QueueFullError(this.maxQueue, this.#queued, out.runs.length);
      }
      this.#queueRuns(op, emit, out.runs);
      op.check(cur).set(["experiment", id], out.experiment);
      return { result: out, queued: out.runs.length };
    });
  }

  #queueRuns(
    op: Deno.AtomicOperation,
    emit: (e: Omit<DurableEvent, "seq">) => void,
    runs: Run[],
  ): void {
    for (const run of runs) {
      op.set(["run", run.id], run);
      op.set(["queue", 1, run.id], true);
      emit({ type: "status", runId: run.id, data: run });
    }
  }

  /** Removes an experiment's record (its runs are deleted one by one before). */
  async deleteExperiment(id: string): Promise<void> {
    await this.#lock.run(() => this.kv.delete(["experiment", id]));
  }

  /**
   * Changes a run's status (and fields) if its current status is one of
   * `from`; returns the updated run, or null when it isn't (or is gone).
   * Leaving "queued" takes it off the queue; `requeue` puts it back at the front.
   */
  transition(
    id: string,
    from: readonly RunStatus[],
    patch: Partial<Run> & { status: RunStatus },
    opts: { requeue?: boolean } = {},
  ): Promise<Run | null> {
    return this.#write(async (op, emit) => {
      const cur = await this.kv.get<Run>(["run", id]);
      if (!cur.value || !from.includes(cur.value.status)) return { result: null };
      const run: Run = { ...cur.value, ...patch };
      op.check(cur).set(["run", id], run);
      let queued = 0;
      if (cur.value.status === "queued" && run.status !== "queued") {
        op.delete(["queue", 0, id]).delete(["queue", 1, id]);
        queued = -(await this.#queuedEntries(id));
      }
      if (opts.requeue) {
        op.set(["queue", 0, id], true);
        queued += 1;
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
      const cur = await this.kv.get<Run>(["run", id]);
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
   * recorded is ignored (returns null), so each is stored exactly once.
   */
  async recordEpoch(
    id: string,
    metrics: EpochMetrics,
    checkpoint: Checkpoint,
  ): Promise<Run | null> {
    const { meta, chunks } = packCheckpoint(checkpoint);
    let previous: CheckpointMeta | null = null;
    const run = await this.#write(async (op, emit) => {
      const [cur, existing, prevMeta] = await this.kv.getMany<[Run, EpochMetrics, CheckpointMeta]>([
        ["run", id],
        ["epoch", id, metrics.epoch],
        ["ckpt", id],
      ]);
      if (!cur.value || cur.value.status !== "running" || existing.value) return { result: null };
      // The chunks go first, in writes of their own (KV caps one atomic write at
      // 800 KiB, which a bigger model's checkpoint would pass): until the commit
      // below points ["ckpt", id] at this epoch, they are unreferenced.
      for (let s = 0; s < chunks.length; s += CHUNKS_PER_WRITE) {
        const w = this.kv.atomic();
        chunks.slice(s, s + CHUNKS_PER_WRITE)
          .forEach((c, j) => w.set(["ckpt_chunk", id, meta.epoch, s + j], c));
        if (!(await w.commit()).ok) throw new Error("KV write of checkpoint chunks failed");
      }
      const best = cur.value.best;
      const run: Run = {
        ...cur.value,
        epochsDone: metrics.epoch,
        last: metrics,
        best: !best || metrics.testAcc > best.testAcc
          ? { testAcc: metrics.testAcc, f1: metrics.f1, epoch: metrics.epoch }
          : best,
      };
      op.check(cur, existing, prevMeta);
      op.set(["run", id], run).set(["epoch", id, metrics.epoch], metrics).set(["ckpt", id], meta);
      emit({ type: "epoch", runId: id, data: { runId: id, ...metrics } });
      previous = prevMeta.value;
      return { result: run };
    });
    // The previous checkpoint is dropped only once the new one is referenced.
    const prev = previous as CheckpointMeta | null;
    if (run && prev && prev.epoch !== meta.epoch) {
      for (let s = 0; s < prev.chunks; s += DELETE_BATCH) {
        const w = this.kv.atomic();
        for (let i = s; i < Math.min(prev.chunks, s + DELETE_BATCH); i++) {
          w.delete(["ckpt_chunk", id, prev.epoch, i]);
        }
        await w.commit();
      }
    }
    return run;
  }

  /** Removes a run and everything recorded for it (its events included). */
  deleteRun(id: string): Promise<boolean> {
    return this.#lock.run(async () => {
      const cur = await this.kv.get<Run>(["run", id]);
      if (!cur.value) return false;
      const keys: Deno.KvKey[] = [];
      for (const prefix of [["epoch", id], ["ckpt_chunk", id], ["run_event", id]]) {
        for await (const e of this.kv.list({ prefix })) {
          keys.push(e.key);
          if (prefix[0] === "run_event") keys.push(["event", e.key[2]]);
        }
      }
      keys.push(["ckpt", id], ["queue", 0, id], ["queue", 1, id]);
      this.#queued -= await this.#queuedEntries(id);
      // The run key goes last: an interrupted delete leaves the run visible, to retry.
      for (let s = 0; s < keys.length; s += DELETE_BATCH) {
        const op = this.kv.atomic();
        for (const k of keys.slice(s, s + DELETE_BATCH)) op.delete(k);
        await op.commit();
      }
      await this.kv.delete(["run", id]);
      return true;
    });
  }

  /** Removes a queue entry whose run is gone or no longer queued (never expected; defensive). */
  dropStale(id: string): Promise<void> {
    return this.#lock.run(async () => {
      const run = await this.getRun(id);
      if (run?.status === "queued") return;
      this.#queued -= await this.#queuedEntries(id);
      await this.kv.atomic().delete(["queue", 0, id]).delete(["queue", 1, id]).commit();
    });
  }

  /** Runs left `running` by a previous process (for recovery at start-up). */
  async runsWithStatus(status: RunStatus): Promise<Run[]> {
    const out: Run[] = [];
    for await (const e of this.kv.list<Run>({ prefix: ["run"] })) {
      if (e.value.status === status) out.push(e.value);
    }
    return out;
  }

  async #queuedEntries(id: string): Promise<number> {
    const [a, b] = await this.kv.getMany([["queue", 0, id], ["queue", 1, id]]);
    return (a.value ? 1 : 0) + (b.value ? 1 : 0);
  }

  /**
   * Runs `build` under the lock with a fresh atomic op and an `emit` that
   * numbers events; commits the op with the events and the new sequence
   * number, then publishes the events in order.
   */
  #write<T>(
    build: (
      op: Deno.AtomicOperation,
      emit: (e: Omit<DurableEvent, "seq">) => void,
    ) => Promise<{ result: T; queued?: number }> | { result: T; queued?: number },
  ): Promise<T> {
    return this.#lock.run(async () => {
      const op = this.kv.atomic();
      const events: DurableEvent[] = [];
      let seq = this.#seq;
      const emit = (e: Omit<DurableEvent, "seq">) => {
        events.push({ ...e, seq: ++seq } as DurableEvent);
      };
      const { result, queued = 0 } = await build(op, emit);
      if (events.length === 0 && result === null) return result;
      for (const e of events) {
        op.set(["event", e.seq], e).set(["run_event", e.runId, e.seq], e);
      }
      op.set(["meta", "seq"], seq);
      const res = await op.commit();
      if (!res.ok) throw new Error("KV write conflict (is another process using this KV file?)");
      this.#seq = seq;
      this.#queued += queued;
      for (const e of events) this.opts.onEvent?.(e);
      return result;
    });
  }
}

export { now as isoNow };
