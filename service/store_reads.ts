// The store's reads, and the shared state that needs no event or sequence
// number (cancel requests, workers' heartbeats): the base of Store
// (store.ts), which adds the transitions.
import type { Checkpoint, EpochMetrics } from "../ml/types.ts";
import { loadCheckpoint } from "./checkpoint.ts";
import { deletingKey } from "./deletes.ts";
import { listEvents } from "./event_reads.ts";
import { GET_MANY, getMany, getOne, Lock, retryLocked } from "./kv.ts";
import * as leases from "./lease_records.ts";
import { queueValue } from "./migrations.ts";
import { RETAIN_EVENTS_MS, type SweepResult, sweepRetired } from "./retention.ts";
import { checkpointWal, WAL_CHECKPOINT_BYTES, walBytes } from "./wal.ts";
import type { DurableEvent, Experiment, Lease, Run, RunStatus, WorkerRecord } from "./types.ts";

/** Queue entries looked at when a worker picks its next run. */
const QUEUE_SCAN = 100;

/** What a worker needs to know about a queued run to decide whether to take it. */
export interface QueueEntry {
  id: string;
  priority: number;
  data?: string;
  backend?: string;
}

export class StoreReads {
  /** Writes that hand out sequence numbers, and lease writes, run one at a time. */
  protected readonly lock = new Lock();

  /** `file`: the local KV file (null over KV Connect or in memory). */
  constructor(readonly kv: Deno.Kv, readonly file: string | null = null) {}

  /** Null also for a run of an experiment being deleted (deletes.ts). */
  async getRun(id: string): Promise<Run | null> {
    const run = (await getOne<Run>(this.kv, ["run", id])).value;
    if (run?.experimentId && (await getOne(this.kv, deletingKey(run.experimentId))).value) {
      return null;
    }
    return run;
  }

  /** Newest first; none of an experiment being deleted. */
  async listRuns(limit = 1000): Promise<Run[]> {
    const [runs, marks] = await Promise.all([
      this.#list<Run>(["run"], { reverse: true, limit }),
      this.#list<Experiment>(["deleting", "experiment"]),
    ]);
    if (!marks.length) return runs;
    const gone = new Set(marks.map((e) => e.id));
    return runs.filter((r) => !r.experimentId || !gone.has(r.experimentId));
  }

  listEpochs(id: string): Promise<EpochMetrics[]> {
    return this.#list<EpochMetrics>(["epoch", id]);
  }

  async getExperiment(id: string): Promise<Experiment | null> {
    return (await getOne<Experiment>(this.kv, ["experiment", id])).value;
  }

  listExperiments(limit = 1000): Promise<Experiment[]> {
    return this.#list<Experiment>(["experiment"], { reverse: true, limit });
  }

  /** The next run to start: resumed runs first, then the oldest new one. */
  async peekQueue(): Promise<string | null> {
    return (await this.queued(1))[0]?.id ?? null;
  }

  /** The first `limit` queue entries, in the order they should start. */
  async queued(limit = QUEUE_SCAN): Promise<QueueEntry[]> {
    const out: QueueEntry[] = [];
    type Value = { data?: string; backend?: string } | true;
    for await (const e of this.kv.list<Value>({ prefix: ["queue"] }, { limit })) {
      out.push({ id: e.key[2] as string, priority: e.key[1] as number, ...queueValue(e.value) });
    }
    return out;
  }

  loadCheckpoint(id: string): Promise<Checkpoint | null> {
    return loadCheckpoint(this.kv, id);
  }

  /**
   * Durable events after `since`, oldest first, for one run or all of them; at
   * most `limit` (fewer only when there are no more).
   */
  listEvents(since: number, runId?: string, limit = 10_000): Promise<DurableEvent[]> {
    return listEvents(this.kv, since, runId, limit);
  }

  async getLease(id: string): Promise<Lease | null> {
    return (await leases.getLease(this.kv, id)).value;
  }

  /** Ids of runs that are running (for finding lapsed leases). */
  activeRunIds(): Promise<string[]> {
    return leases.activeRunIds(this.kv);
  }

  /** Runs with a status (a scan of every run: for recovery at start-up). */
  async runsWithStatus(status: RunStatus): Promise<Run[]> {
    return (await this.#list<Run>(["run"])).filter((r) => r.status === status);
  }

  /** Of `ids`, those whose cancel some process asked for. */
  async cancelRequested(ids: string[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (let s = 0; s < ids.length; s += GET_MANY) {
      const keys = ids.slice(s, s + GET_MANY).map((id) => ["cancel", id]);
      for (const e of await getMany(this.kv, keys)) if (e.value) out.add(e.key[1] as string);
    }
    return out;
  }

  /** Asks whichever process trains `id` to stop it (it looks within a few batches). */
  async requestCancel(id: string): Promise<void> {
    await retryLocked(() => this.kv.set(["cancel", id], { at: Date.now() }));
  }

  /** Workers whose heartbeat is current, oldest first. */
  async listWorkers(at = Date.now()): Promise<WorkerRecord[]> {
    const all = await this.#list<WorkerRecord>(["worker"]);
    return all.filter((w) => w.until >= at).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }

  /** A worker's heartbeat (it counts until `rec.until`; retention.ts prunes it later). */
  async putWorker(rec: WorkerRecord, _ttlMs?: number): Promise<void> {
    await retryLocked(() => this.kv.set(["worker", rec.id], rec));
  }

  async removeWorker(id: string): Promise<void> {
    await retryLocked(() => this.kv.delete(["worker", id]));
  }

  /** Renews `owner`'s leases; returns the ids whose lease it no longer holds. */
  renewLeases(owner: string, ids: string[], until: number, _leaseMs?: number): Promise<string[]> {
    return this.lock.run(() => leases.renewLeases(this.kv, owner, ids, until));
  }

  /** Gives up `owner`'s leases (at shutdown), so other processes take the runs over at once. */
  releaseLeases(owner: string, ids: string[]): Promise<void> {
    return this.lock.run(() => leases.releaseLeases(this.kv, owner, ids));
  }

  /** Prunes ended runs' events, leftover checkpoints and stale heartbeats (retention.ts). */
  sweepRetired(graceMs = RETAIN_EVENTS_MS, at = Date.now(), limit?: number): Promise<SweepResult> {
    return sweepRetired(this.kv, graceMs, at, limit);
  }

  /** Folds a large write-ahead log into the KV file (wal.ts); null when there is no local file. */
  checkpointWal(force = false): { walBytes: number; error?: string } | null {
    if (!this.file || (!force && walBytes(this.file) < WAL_CHECKPOINT_BYTES)) return null;
    return checkpointWal(this.file);
  }

  /** Every value under `prefix` (a locked database retries the whole listing). */
  #list<T>(prefix: Deno.KvKey, opts: Deno.KvListOptions = {}): Promise<T[]> {
    return retryLocked(async () => {
      const out: T[] = [];
      for await (const e of this.kv.list<T>({ prefix }, opts)) out.push(e.value);
      return out;
    });
  }
}
