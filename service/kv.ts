// Deno KV access shared by the store's parts: the key schema, retries of
// "database is locked", the write lock, and batched reads and deletes within
// denokv's limits (10 keys per getMany and per commit's checks, 1,000
// mutations and 800 KiB per commit, 64 KiB per value).
//
// Keys:
//   ["run", id]                       Run
//   ["queue", priority, id]           {data, backend} (0 = resumed, 1 = new; `true` before v2)
//   ["epoch", id, n]                  EpochMetrics of epoch n (from 1)
//   ["ckpt", id]                      CheckpointMeta of the latest epoch (while the run is live)
//   ["ckpt_chunk", id, epoch, i]      Uint8Array, part i of that checkpoint
//   ["experiment", id]                Experiment
//   ["deleting", "experiment", id]    {runIds}: an experiment being deleted (see deletes.ts)
//   ["deleted_run", id]               true: a run of an experiment being deleted (hidden)
//   ["event", seq]                    DurableEvent (the global log: the one copy of each event)
//   ["run_event", id, seq]            "status" | "epoch": the log indexed by run (no payload;
//                                     a KV written before v3 may hold the whole event here)
//   ["retire", id]                    {at}: a run that ended at `at` (epoch ms), to tidy up
//   ["meta", "seq"]                   last sequence number handed out
//   ["meta", "queued"]                runs in the queue (a counter every process shares)
//   ["lease", id]                     Lease of a running run (until `until`; renewed by its owner)
//   ["active", id]                    true while a run is running (to find lapsed leases)
//   ["cancel", id]                    {at}: a cancel asked for by any process (`true` before)
//   ["progress", id]                  {writer, data: RunProgress} (gone when the run leaves running)
//   ["worker", workerId]              WorkerRecord (counts until `until`; renewed by heartbeat)
//   ["meta", "retention"]             1 once runs that ended before retention existed are retired
//   ["meta", "training_options"]      1 once records older than weightDecay/schedule have defaults
//   ["session", sha256(id)]           a dashboard session until its `expires` (sessions.ts)
//   ["idem", scope, sha256(key)(, i)] a stored answer until its `expires` (idempotency.ts)
//
// No record expires by itself (expireIn): Deno KV aborts the process when it
// can't delete an expired one (a full disk); see wal.ts and retention.ts.

export const SEQ: Deno.KvKey = ["meta", "seq"];
export const QUEUED: Deno.KvKey = ["meta", "queued"];
export const RETENTION: Deno.KvKey = ["meta", "retention"];
export const TRAINING_OPTIONS: Deno.KvKey = ["meta", "training_options"];

/** Deletes per atomic op (KV caps mutations per op). */
export const DELETE_BATCH = 500;
/** Keys per getMany (KV's limit). */
export const GET_MANY = 10;
/** Attempts at a write whose checks lost a race with another process. */
export const MAX_ATTEMPTS = 50;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
export class RaceLost extends Error {}

/** A tiny FIFO mutex: KV writes that hand out sequence numbers run one at a time. */
export class Lock {
  #tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.#tail.then(fn);
    this.#tail = p.catch(() => {});
    return p;
  }
}

/** getMany with retries (at most GET_MANY keys). */
export function getMany<T extends readonly unknown[]>(kv: Deno.Kv, keys: Deno.KvKey[]) {
  return retryLocked(() => kv.getMany<T>(keys as { [K in keyof T]: Deno.KvKey }));
}

/** get with retries. */
export function getOne<T>(kv: Deno.Kv, key: Deno.KvKey) {
  return retryLocked(() => kv.get<T>(key));
}

/** Every key under `prefix`. */
export async function listKeys(kv: Deno.Kv, prefix: Deno.KvKey): Promise<Deno.KvKey[]> {
  const keys: Deno.KvKey[] = [];
  for await (const e of kv.list({ prefix })) keys.push(e.key);
  return keys;
}

/** Deletes `keys` in commits of DELETE_BATCH. */
export async function deleteKeys(kv: Deno.Kv, keys: Deno.KvKey[]): Promise<void> {
  for (let s = 0; s < keys.length; s += DELETE_BATCH) {
    const op = kv.atomic();
    for (const k of keys.slice(s, s + DELETE_BATCH)) op.delete(k);
    await retryLocked(() => op.commit());
  }
}
