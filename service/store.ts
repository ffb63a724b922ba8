// Everything in Deno KV: runs, the queue, per-epoch metrics, checkpoints,
// experiments, the event log, and the shared state of many processes (leases,
// cancel requests, batch progress, live workers). The store is the only
// module that touches KV, and several processes, on one machine or many (KV
// Connect), may open the same KV at once:
// - every write that hands out sequence numbers or changes the queue checks
//   ["meta","seq"] and ["meta","queued"], so processes never hand out the same
//   number and the counter stays exact; a lost race is retried from a fresh read;
// - "database is locked" (concurrent commits on one SQLite file) is retried with backoff;
// - each commit stays within denokv's limits (10 checks, 1,000 mutations,
//   800 KiB per commit; 64 KiB per value);
// - events reach this process's subscribers from the log itself (event_log.ts),
//   in sequence order, whoever wrote them.
//
// Keys:
//   ["run", id]                       Run
//   ["queue", priority, id]           {data, backend} (0 = resumed, 1 = new; `true` before v2)
//   ["epoch", id, n]                  EpochMetrics of epoch n (from 1)
//   ["ckpt", id]                      CheckpointMeta of the latest epoch (while the run is live)
//   ["ckpt_chunk", id, epoch, i]      Uint8Array, part i of that checkpoint
//   ["experiment", id]                Experiment
//   ["event", seq]                    DurableEvent (the global log: the one copy of each event)
//   ["run_event", id, seq]            "status" | "epoch": the log indexed by run (no payload;
//                                     a KV written before v3 may hold the whole event here)
//   ["retire", id]                    {at}: a run that ended at `at` (epoch ms), to tidy up
//   ["meta", "seq"]                   last sequence number handed out
//   ["meta", "queued"]                runs in the queue (a counter every process shares)
//   ["lease", id]                     Lease of a running run (expireIn; renewed by its owner)
//   ["active", id]                    true while a run is running (to find lapsed leases)
//   ["cancel", id]                    true: a cancel asked for by any process (expireIn)
//   ["progress", id]                  {writer, data: RunProgress} (ephemeral: expireIn)
//   ["worker", workerId]              WorkerRecord (expireIn; renewed by heartbeat)
//   ["meta", "retention"]             1 once runs that ended before retention existed are retired
//
// Retention: when a run ends (the commit of its final status) its checkpoint
// goes (the pointer in that commit, the chunks right after; no API exports
// weights, so nothing of them is kept), and a ["retire", id] record is
// written. `sweepRetired` (every process's heartbeat) prunes, `graceMs` after
// the end, every event of the run but its final status, and removes the
// record. So the log holds every event of live runs and one event per ended
// run: a client replaying from any Last-Event-ID gets every live run's events
// after it and each ended run's final status (when that is after it); the
// epochs of an ended run are in ["epoch", id, n] (GET /api/runs/:id).
import type { Checkpoint, EpochMetrics } from "../ml/types.ts";
import type { EventBus } from "./event_bus.ts";
import { EventLog } from "./event_log.ts";
import { newId } from "./ids.ts";
import { leaseLapsed } from "./lease.ts";
import {
  type DurableEvent,
  type Experiment,
  isTerminal,
  type Lease,
  type Run,
  type RunProgress,
  type RunStatus,
  type ServiceEvent,
  type WorkerRecord,
} from "./types.ts";

/** Values are limited to 64 KiB; 60 KiB is a multiple of 4 (whole float32s). */
export const CHUNK_BYTES = 60 * 1024;
/** Checkpoint chunks per atomic write (10 × 60 KiB stays under KV's 800 KiB). */
const CHUNKS_PER_WRITE = 10;
/** Deletes per atomic op when removing a run (KV caps mutations per op). */
const DELETE_BATCH = 500;
/** Keys per getMany (KV's limit). */
const GET_MANY = 10;
/** Queue entries looked at when a worker picks its next run. */
const QUEUE_SCAN = 100;
/** Attempts at a write whose checks lost a race with another process. */
const MAX_ATTEMPTS = 50;
const SEQ: Deno.KvKey = ["meta", "seq"];
const QUEUED: Deno.KvKey = ["meta", "queued"];
const RETENTION: Deno.KvKey = ["meta", "retention"];
/** How long an ended run's events stay whole (other processes' SSE clients read them live). */
export const RETAIN_EVENTS_MS = 10 * 60_000;
/** Ended runs tidied per sweep (bounds one heartbeat's work). */
const SWEEP_RUNS = 50;

/** What one sweep removed. */
export interface SweepResult {
  runs: number;
  events: number;
  chunks: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs a KV call, retrying "database is locked" (SQLite's answer to two
 * processes committing at once) with jittered exponential backoff.
 */
export async function retryLocked<T>(fn: () => Promise<T>, attempts = 12): Promise<T> {
  for (let i = 0;; i++) {
    try {
      return await fn();
    } catch (e) {
      if (i + 1 >= attempts || !/database is (locked|busy)/i.test(String((e as Error)?.message))) {
        throw e;
      }
      await sleep(Math.min(1000, 5 * 2 ** i) * (0.5 + Math.random()));
    }
  }
}

/** Thrown inside a write's build step when a side write lost a race: the write starts over. */
class Conflict extends Error {}

/** What a worker needs to know about a queued run to decide whether to take it. */
export interface QueueEntry {
  id: string;
  priority: number;
  data?: string;
  backend?: string;
}

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

export class Store {
  #lock = new Lock();
  /** Latest sequence number known here (when no event log is followed). */
  #seq = 0;
  #queued = 0;
  #log: EventLog | null = null;
  /** Identifies this process's progress records. */
  readonly processId = newId();
  readonly maxQueue: number;

  private constructor(readonly kv: Deno.Kv, private opts: StoreOptions) {
    this.maxQueue = opts.maxQueue ?? 1000;
  }

  static async open(path: string, opts: StoreOptions = {}): Promise<Store> {
    const kv = await Deno.openKv(path);
    const store = new Store(kv, opts);
    await store.#countQueue();
    const head = await store.#head();
    store.#seq = head.seq;
    store.#queued = head.queued;
    if (opts.onEvent || opts.bus) {
      const remote = /^https?:\/\//.test(path);
      store.#log = new EventLog({
        head: () => store.#head(),
        events: (after, upTo, limit) => store.#events(after, upTo, limit),
        progress: () => store.#allProgress(),
      }, {
        deliver: (e: ServiceEvent) => {
          if (e.type === "status" || e.type === "epoch") opts.onEvent?.(e);
          opts.bus?.publish(e);
        },
        self: store.processId,
        startSeq: head.seq,
        startQueued: head.queued,
        pollMs: opts.pollMs ?? 200,
        // Over KV Connect watch() sees every writer: it wakes the reader at once.
        watch: remote ? () => kv.watch([SEQ]) : undefined,
        log: opts.log,
      });
      store.#log.start();
    }
    return store;
  }

  #closed = false;

  /** Waits for pending writes, then closes KV (once). */
  async close(): Promise<void> {
    await this.#lock.run(() => Promise.resolve());
    await this.#log?.stop();
    if (this.#closed) return;
    this.#closed = true;
    this.kv.close();
  }

  /** The sequence number of the latest durable event published here (or known, without a log). */
  get lastSeq(): number {
    return this.#log?.delivered ?? this.#seq;
  }

  /** Runs waiting, from KV's shared counter (as of the latest read). */
  get queueLength(): number {
    return this.#log?.queued ?? this.#queued;
  }

  /** The queue's length read from KV now. */
  async readQueueLength(): Promise<number> {
    return (await this.#head()).queued;
  }

  // ---- reads ----

  async getRun(id: string): Promise<Run | null> {
    return (await retryLocked(() => this.kv.get<Run>(["run", id]))).value;
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
    return (await this.queued(1))[0]?.id ?? null;
  }

  /** The first `limit` queue entries, in the order they should start. */
  async queued(limit = QUEUE_SCAN): Promise<QueueEntry[]> {
    const out: QueueEntry[] = [];
    const it = this.kv.list<{ data?: string; backend?: string } | true>({ prefix: ["queue"] }, {
      limit,
    });
    for await (const e of it) {
      const v = e.value === true ? {} : e.value;
      out.push({ id: e.key[2] as string, priority: e.key[1] as number, ...v });
    }
    return out;
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

  /**
   * Durable events after `since`, oldest first, for one run or all of them; at
   * most `limit` (fewer only when there are no more).
   */
  async listEvents(since: number, runId?: string, limit = 10_000): Promise<DurableEvent[]> {
    const out: DurableEvent[] = [];
    if (!runId) {
      const sel = { prefix: ["event"], start: ["event", since + 1] };
      for await (const e of this.kv.list<DurableEvent>(sel, { limit })) out.push(e.value);
      return out;
    }
    // The run's index names the events; their one copy is in the global log.
    const sel = { prefix: ["run_event", runId], start: ["run_event", runId, since + 1] };
    let seqs: number[] = [];
    const fetch = async () => {
      const got = await this.#getMany<DurableEvent[]>(seqs.map((n) => ["event", n]));
      // An event pruned meanwhile is skipped (see retention).
      for (const g of got) if (g.value && out.length < limit) out.push(g.value);
      seqs = [];
    };
    for await (const e of this.kv.list<string | DurableEvent>(sel, { batchSize: 100 })) {
      if (typeof e.value === "object" && e.value !== null) {
        // A KV written before v3 keeps the whole event in the index.
        await fetch();
        out.push(e.value);
      } else seqs.push(e.key[2] as number);
      if (seqs.length === GET_MANY) await fetch();
      if (out.length >= limit) break;
    }
    if (seqs.length && out.length < limit) await fetch();
    return out;
  }

  /** A running run's latest batch progress (ephemeral; from any process). */
  progress(id: string): RunProgress | undefined {
    return this.#log?.progress(id);
  }

  async getLease(id: string): Promise<Lease | null> {
    return (await retryLocked(() => this.kv.get<Lease>(["lease", id]))).value;
  }

  /** Ids of runs that are running (for finding lapsed leases). */
  async activeRunIds(): Promise<string[]> {
    const out: string[] = [];
    for await (const e of this.kv.list({ prefix: ["active"] })) out.push(e.key[1] as string);
    return out;
  }

  /** Of `ids`, those whose cancel some process asked for. */
  async cancelRequested(ids: string[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (let s = 0; s < ids.length; s += GET_MANY) {
      const keys = ids.slice(s, s + GET_MANY).map((id) => ["cancel", id]);
      for (const e of await retryLocked(() => this.kv.getMany(keys))) {
        if (e.value) out.add(e.key[1] as string);
      }
    }
    return out;
  }

  /** Workers whose heartbeat is current, oldest first. */
  async listWorkers(at = Date.now()): Promise<WorkerRecord[]> {
    const out: WorkerRecord[] = [];
    for await (const e of this.kv.list<WorkerRecord>({ prefix: ["worker"] })) {
      if (e.value.until >= at) out.push(e.value);
    }
    return out.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }

  // ---- ephemeral shared state (no events, no sequence numbers) ----

  /** Asks whichever process trains `id` to stop it (it looks within a few batches). */
  async requestCancel(id: string, ttlMs = 3_600_000): Promise<void> {
    await retryLocked(() => this.kv.set(["cancel", id], true, { expireIn: ttlMs }));
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
      await retryLocked(() => this.kv.set(["progress", p.runId], value, { expireIn: opts.ttlMs }));
    }
  }

  async putWorker(rec: WorkerRecord, ttlMs: number): Promise<void> {
    await retryLocked(() => this.kv.set(["worker", rec.id], rec, { expireIn: ttlMs }));
  }

  async removeWorker(id: string): Promise<void> {
    await retryLocked(() => this.kv.delete(["worker", id]));
  }

  // ---- writes (each one atomic, each under the lock) ----

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
    return this.#write(async (op, emit, state) => {
      const cur = await this.kv.get<Experiment>(["experiment", id]);
      if (!cur.value) return { result: null };
      const out = build(cur.value);
      if (state.queued + out.runs.length > this.maxQueue) {
        throw new QueueFullError(this.maxQueue, state.queued, out.runs.length);
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
      op.set(["queue", 1, run.id], queueValue(run));
      emit({ type: "status", runId: run.id, data: run });
    }
  }

  /** Removes an experiment's record (its runs are deleted one by one before). */
  async deleteExperiment(id: string): Promise<void> {
    await this.#lock.run(() => retryLocked(() => this.kv.delete(["experiment", id])));
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
      const [cur, lease] = await this.#getMany<[Run, Lease]>([["run", id], ["lease", id]]);
      if (!cur.value || !from.includes(cur.value.status)) return { result: null };
      if (opts.owner !== undefined) {
        if (lease.value?.owner !== opts.owner) return { result: null };
        op.check(lease);
      }
      const run: Run = { ...cur.value, ...patch };
      op.check(cur).set(["run", id], run);
      let queued = 0;
      if (cur.value.status === "queued" && run.status !== "queued") {
        queued = -(await this.#dequeue(op, id));
      }
      if (cur.value.status === "running" && run.status !== "running") this.#endActive(op, id);
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
    leaseMs: number,
  ): Promise<{ run: Run } | { missed: "taken" | "stale" }> {
    return this.#write<{ run: Run } | { missed: "taken" | "stale" }>(async (op, emit) => {
      const [cur, held] = await this.#getMany<[Run, Lease]>([["run", id], ["lease", id]]);
      if (!cur.value || cur.value.status !== "queued") return { result: { missed: "stale" } };
      if (!leaseLapsed(held.value)) return { result: { missed: "taken" } };
      const run: Run = { ...cur.value, ...patch, status: "running", worker: lease.owner };
      op.check(cur, held).set(["run", id], run);
      const queued = -(await this.#dequeue(op, id));
      op.set(["lease", id], lease, { expireIn: leaseMs }).set(["active", id], true);
      op.delete(["cancel", id]);
      emit({ type: "status", runId: id, data: run });
      return { result: { run }, queued };
    });
  }

  /**
   * Renews `owner`'s leases on `ids` until `until`; returns the ids whose
   * lease it no longer holds (another process took the run over, or it ended).
   */
  renewLeases(owner: string, ids: string[], until: number, leaseMs: number): Promise<string[]> {
    return this.#lock.run(async () => {
      const lost: string[] = [];
      for (const id of ids) {
        for (let attempt = 0;; attempt++) {
          const cur = await retryLocked(() => this.kv.get<Lease>(["lease", id]));
          if (cur.value?.owner !== owner) {
            lost.push(id);
            break;
          }
          const op = this.kv.atomic().check(cur)
            .set(["lease", id], { ...cur.value, until }, { expireIn: leaseMs });
          if ((await retryLocked(() => op.commit())).ok || attempt >= MAX_ATTEMPTS) break;
        }
      }
      return lost;
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
      const [cur, lease, ckpt] = await this.#getMany<[Run, Lease, CheckpointMeta]>([
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
      this.#endActive(op, id);
      let queued = 0;
      if (requeue) {
        op.set(["queue", 0, id], queueValue(run));
        queued = 1;
      }
      emit({ type: "status", runId: id, data: run });
      return { result: run, queued };
    });
  }

  /** Gives up `owner`'s leases (at shutdown), so other processes take the runs over at once. */
  releaseLeases(owner: string, ids: string[]): Promise<void> {
    return this.#lock.run(async () => {
      for (const id of ids) {
        const cur = await retryLocked(() => this.kv.get<Lease>(["lease", id]));
        if (cur.value?.owner !== owner) continue;
        await retryLocked(() => this.kv.atomic().check(cur).delete(["lease", id]).commit());
      }
    });
  }

  /**
   * Records what a run learned once training starts (its data set's class
   * names, what its condition did); no event of its own: the next status or
   * epoch event carries them.
   */
  annotateRun(id: string, patch: Pick<Partial<Run>, "classes" | "prepared">): Promise<Run | null> {
    return this.#write(async (op) => {
      const cur = await retryLocked(() => this.kv.get<Run>(["run", id]));
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
      const [cur, existing, prevMeta, lease] = await this.#getMany<
        [Run, EpochMetrics, CheckpointMeta, Lease]
      >([["run", id], ["epoch", id, metrics.epoch], ["ckpt", id], ["lease", id]]);
      if (!cur.value || cur.value.status !== "running" || existing.value) return { result: null };
      if (owner !== undefined && lease.value?.owner !== owner) return { result: null };
      // The chunks go first, in writes of their own (KV caps one atomic write at
      // 800 KiB, which a bigger model's checkpoint would pass): until the commit
      // below points ["ckpt", id] at this epoch, they are unreferenced. Each
      // checks the lease, so a stale owner never overwrites a new owner's chunks.
      for (let s = 0; s < chunks.length; s += CHUNKS_PER_WRITE) {
        const w = this.kv.atomic();
        if (owner !== undefined) w.check(lease);
        chunks.slice(s, s + CHUNKS_PER_WRITE)
          .forEach((c, j) => w.set(["ckpt_chunk", id, meta.epoch, s + j], c));
        if (!(await retryLocked(() => w.commit())).ok) throw new Conflict();
      }
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
    if (run && prev && prev.epoch !== meta.epoch) {
      for (let s = 0; s < prev.chunks; s += DELETE_BATCH) {
        const w = this.kv.atomic();
        for (let i = s; i < Math.min(prev.chunks, s + DELETE_BATCH); i++) {
          w.delete(["ckpt_chunk", id, prev.epoch, i]);
        }
        await retryLocked(() => w.commit());
      }
    }
    return run;
  }

  /**
   * Removes a run and everything recorded for it (its events included), and
   * tells this process's subscribers (a `deleted` event, not stored: nothing
   * of the run may remain).
   */
  async deleteRun(id: string): Promise<boolean> {
    if (!(await this.getRun(id))) return false;
    const keys: Deno.KvKey[] = [];
    for (const prefix of [["epoch", id], ["ckpt_chunk", id], ["run_event", id]]) {
      for await (const e of this.kv.list({ prefix })) {
        keys.push(e.key);
        if (prefix[0] === "run_event") keys.push(["event", e.key[2]]);
      }
    }
    await this.#lock.run(() => this.#deleteKeys(keys));
    // The run key goes last, with the queue entries and their count: an
    // interrupted delete leaves the run visible, to retry.
    const gone = await this.#write(async (op) => {
      const cur = await retryLocked(() => this.kv.get<Run>(["run", id]));
      if (!cur.value) return { result: null };
      op.check(cur).delete(["run", id]).delete(["ckpt", id]).delete(["retire", id]);
      const queued = -(await this.#dequeue(op, id));
      this.#endActive(op, id);
      return { result: true, queued };
    });
    if (!gone) return false;
    await this.#log?.publishLocal({ type: "deleted", runId: id, data: { id, status: "deleted" } });
    return true;
  }

  /**
   * Tidies runs that ended at least `graceMs` ago (at most `limit` of them):
   * removes every event of each but its last (its final status) and any
   * checkpoint chunk left, then its ["retire", id] record. Any process may
   * run it, several at once: each step is a delete, and deleting twice is harmless.
   */
  async sweepRetired(
    graceMs = RETAIN_EVENTS_MS,
    at = Date.now(),
    limit = SWEEP_RUNS,
  ): Promise<SweepResult> {
    await this.#retireBacklog();
    const out: SweepResult = { runs: 0, events: 0, chunks: 0 };
    const due: string[] = [];
    for await (const e of this.kv.list<{ at: number }>({ prefix: ["retire"] })) {
      if (e.value.at + graceMs <= at) due.push(e.key[1] as string);
      if (due.length >= limit) break;
    }
    for (const id of due) {
      const index: Deno.KvEntry<string | DurableEvent>[] = [];
      for await (const e of this.kv.list<string | DurableEvent>({ prefix: ["run_event", id] })) {
        index.push(e);
      }
      const last = index.pop();
      const keys = index.flatMap((e) => [e.key, ["event", e.key[2]]]);
      await this.#deleteKeys(keys);
      // A KV written before v3 held the whole event in the index: keep only its name.
      if (last && typeof last.value === "object") {
        const slim = last.value?.type ?? "status";
        await retryLocked(() => this.kv.atomic().check(last).set(last.key, slim).commit());
      }
      out.chunks += await this.#dropChunks(id);
      await retryLocked(() => this.kv.delete(["retire", id]));
      out.events += index.length;
      out.runs++;
    }
    return out;
  }

  /** Once per KV: runs that ended before retention existed get their ["retire", id] record. */
  async #retireBacklog(): Promise<void> {
    const done = await retryLocked(() => this.kv.get<number>(RETENTION));
    if (done.value) return;
    const ended: string[] = [];
    for await (const e of this.kv.list<Run>({ prefix: ["run"] })) {
      if (isTerminal(e.value.status)) ended.push(e.value.id);
    }
    // Runs that ended since retention existed have their record already.
    for (let s = 0; s < ended.length; s += GET_MANY) {
      const ids = ended.slice(s, s + GET_MANY);
      const recs = await this.#getMany(ids.map((id) => ["retire", id]));
      const w = this.kv.atomic();
      ids.forEach((id, i) => {
        if (recs[i].value === null) w.set(["retire", id], { at: 0 }).delete(["ckpt", id]);
      });
      await retryLocked(() => w.commit());
    }
    await retryLocked(() => this.kv.atomic().check(done).set(RETENTION, 1).commit());
  }

  /** Removes a queue entry whose run is gone or no longer queued (never expected; defensive). */
  async dropStale(id: string): Promise<void> {
    await this.#write(async (op) => {
      const run = await this.getRun(id);
      if (run?.status === "queued") return { result: null };
      const queued = -(await this.#dequeue(op, id));
      return { result: queued ? true : null, queued };
    });
  }

  /** Runs with a status (a scan of every run: for recovery at start-up). */
  async runsWithStatus(status: RunStatus): Promise<Run[]> {
    const out: Run[] = [];
    for await (const e of this.kv.list<Run>({ prefix: ["run"] })) {
      if (e.value.status === status) out.push(e.value);
    }
    return out;
  }

  /** Deletes a run's queue entries in `op` (checking them); returns how many there were. */
  async #dequeue(op: Deno.AtomicOperation, id: string): Promise<number> {
    const entries = await this.#getMany([["queue", 0, id], ["queue", 1, id]]);
    op.check(...entries).delete(["queue", 0, id]).delete(["queue", 1, id]);
    return entries.filter((e) => e.value !== null).length;
  }

  /** A run leaves "running": its lease, index entry, progress and cancel request go. */
  #endActive(op: Deno.AtomicOperation, id: string): void {
    op.delete(["lease", id]).delete(["active", id]).delete(["progress", id]).delete(["cancel", id]);
  }

  #getMany<T extends readonly unknown[]>(keys: Deno.KvKey[]) {
    return retryLocked(() => this.kv.getMany<T>(keys as { [K in keyof T]: Deno.KvKey }));
  }

  async #head(): Promise<{ seq: number; queued: number }> {
    const [seq, queued] = await this.#getMany<[number, number]>([SEQ, QUEUED]);
    return { seq: seq.value ?? 0, queued: queued.value ?? 0 };
  }

  async #events(after: number, upTo: number, limit: number): Promise<DurableEvent[]> {
    const out: DurableEvent[] = [];
    const sel = { start: ["event", after + 1], end: ["event", upTo + 1] };
    for await (const e of this.kv.list<DurableEvent>(sel, { limit })) out.push(e.value);
    return out;
  }

  async #allProgress() {
    const out = [];
    const it = this.kv.list<{ writer: string; data: RunProgress }>({ prefix: ["progress"] });
    for await (const e of it) {
      out.push({ runId: e.key[1] as string, versionstamp: e.versionstamp, ...e.value });
    }
    return out;
  }

  /** A KV written before the shared counter existed gets it, counted once. */
  async #countQueue(): Promise<void> {
    const cur = await retryLocked(() => this.kv.get<number>(QUEUED));
    if (cur.value !== null) return;
    let n = 0;
    for await (const _ of this.kv.list({ prefix: ["queue"] })) n++;
    await retryLocked(() => this.kv.atomic().check(cur).set(QUEUED, n).commit());
  }

  /**
   * Runs `build` under this process's lock with a fresh atomic op, an `emit`
   * that numbers events, and the queue's length; commits the op with the
   * events, the new sequence number and queue count, checking both (other
   * processes write them too). A lost race starts over from a fresh read.
   * Then waits until this process has delivered the events, in order.
   */
  #write<T>(
    build: (
      op: Deno.AtomicOperation,
      emit: (e: Omit<DurableEvent, "seq">) => void,
      state: { queued: number },
    ) => Promise<{ result: T; queued?: number }> | { result: T; queued?: number },
  ): Promise<T> {
    return this.#lock.run(async (): Promise<{ result: T; ended: string[] }> => {
      for (let attempt = 1;; attempt++) {
        const op = this.kv.atomic();
        const [seqE, queuedE] = await this.#getMany<[number, number]>([SEQ, QUEUED]);
        let seq = seqE.value ?? 0;
        const events: DurableEvent[] = [];
        const emit = (e: Omit<DurableEvent, "seq">) => {
          events.push({ ...e, seq: ++seq } as DurableEvent);
        };
        let built: { result: T; queued?: number };
        try {
          built = await build(op, emit, { queued: queuedE.value ?? 0 });
        } catch (e) {
          if (!(e instanceof Conflict) || attempt >= MAX_ATTEMPTS) throw e;
          await sleep(Math.min(200, 2 * attempt) * Math.random());
          continue;
        }
        const { result, queued = 0 } = built;
        if (events.length === 0 && result === null) return { result, ended: [] as string[] };
        const ended: string[] = [];
        for (const e of events) {
          op.set(["event", e.seq], e).set(["run_event", e.runId, e.seq], e.type);
          if (e.type === "status" && isTerminal(e.data.status)) {
            // The run is over: its checkpoint can't be resumed from any more.
            op.set(["retire", e.runId], { at: Date.now() }).delete(["ckpt", e.runId]);
            ended.push(e.runId);
          }
        }
        if (events.length) op.check(seqE).set(SEQ, seq);
        if (queued) op.check(queuedE).set(QUEUED, Math.max(0, (queuedE.value ?? 0) + queued));
        const res = await retryLocked(() => op.commit());
        if (!res.ok) {
          if (attempt >= MAX_ATTEMPTS) {
            throw new Error(`KV write conflict: lost ${attempt} races with other processes`);
          }
          await sleep(Math.min(200, 2 * attempt) * Math.random());
          continue;
        }
        this.#seq = Math.max(this.#seq, seq);
        this.#queued = Math.max(0, (queuedE.value ?? 0) + queued);
        if (events.length || queued) await this.#log?.catchUp();
        return { result, ended };
      }
    }).then(async ({ result, ended }) => {
      // Unreferenced now; if this fails (or the process dies) the sweep removes them.
      for (const id of ended) {
        await this.#dropChunks(id).catch((e) =>
          this.opts.log?.(`run ${id}: checkpoint removal: ${(e as Error).message}`)
        );
      }
      return result;
    });
  }

  /** Deletes every checkpoint chunk of a run; returns how many there were. */
  async #dropChunks(id: string): Promise<number> {
    const keys: Deno.KvKey[] = [];
    for await (const e of this.kv.list({ prefix: ["ckpt_chunk", id] })) keys.push(e.key);
    await this.#deleteKeys(keys);
    return keys.length;
  }

  async #deleteKeys(keys: Deno.KvKey[]): Promise<void> {
    for (let s = 0; s < keys.length; s += DELETE_BATCH) {
      const op = this.kv.atomic();
      for (const k of keys.slice(s, s + DELETE_BATCH)) op.delete(k);
      await retryLocked(() => op.commit());
    }
  }
}

/** What a worker needs to decide whether it can take a queued run, without reading it. */
function queueValue(run: Run): { data: string; backend: string } {
  return { data: run.config.data, backend: run.config.backend };
}

export { now as isoNow };
