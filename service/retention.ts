// Retention: when a run ends (the commit of its final status) its checkpoint
// goes (the pointer in that commit, the chunks right after; no API exports
// weights, so nothing of them is kept), and a ["retire", id] record is
// written. `sweepRetired` (every process's heartbeat) prunes, `graceMs` after
// the end, every event of the run but its final status, and removes the
// record; it also prunes heartbeats of stopped workers and unanswered cancels. So the log holds every event of live runs and one event per ended
// run: a client replaying from any Last-Event-ID gets every live run's events
// after it and each ended run's final status (when that is after it); the
// epochs of an ended run are in ["epoch", id, n] (GET /api/runs/:id).
import { dropChunks } from "./checkpoint.ts";
import { deleteKeys, retryLocked } from "./kv.ts";
import { retireBacklog, slimIndexValue } from "./migrations.ts";
import type { WorkerRecord } from "./types.ts";

/** How long an ended run's events stay whole (other processes' SSE clients read them live). */
export const RETAIN_EVENTS_MS = 10 * 60_000;
/** Ended runs tidied per sweep (bounds one heartbeat's work). */
const SWEEP_RUNS = 50;
/** How long a stopped worker's heartbeat, or a cancel request nobody took, is kept. */
const STALE_MS = 60 * 60_000;

/** What one sweep removed. */
export interface SweepResult {
  runs: number;
  events: number;
  chunks: number;
}

/**
 * Tidies runs that ended at least `graceMs` ago (at most `limit` of them):
 * removes every event of each but its last (its final status) and any
 * checkpoint chunk left, then its ["retire", id] record. Any process may
 * run it, several at once: each step is a delete, and deleting twice is harmless.
 */
export async function sweepRetired(
  kv: Deno.Kv,
  graceMs = RETAIN_EVENTS_MS,
  at = Date.now(),
  limit = SWEEP_RUNS,
): Promise<SweepResult> {
  await retireBacklog(kv);
  await pruneStale(kv, at);
  const out: SweepResult = { runs: 0, events: 0, chunks: 0 };
  const due: string[] = [];
  for await (const e of kv.list<{ at: number }>({ prefix: ["retire"] })) {
    if (e.value.at + graceMs <= at) due.push(e.key[1] as string);
    if (due.length >= limit) break;
  }
  for (const id of due) {
    const index: Deno.KvEntry<unknown>[] = [];
    for await (const e of kv.list({ prefix: ["run_event", id] })) index.push(e);
    const last = index.pop();
    await deleteKeys(kv, index.flatMap((e) => [e.key, ["event", e.key[2]]]));
    const slim = last && slimIndexValue(last.value);
    if (last && slim !== null) {
      await retryLocked(() => kv.atomic().check(last).set(last.key, slim).commit());
    }
    out.chunks += await dropChunks(kv, id);
    await retryLocked(() => kv.delete(["retire", id]));
    out.events += index.length;
    out.runs++;
  }
  return out;
}

/**
 * Heartbeats of workers gone for STALE_MS, cancel requests that old, and
 * expired sessions and idempotent answers (no record expires by itself: see
 * wal.ts); bounded like the rest of a sweep.
 */
async function pruneStale(kv: Deno.Kv, at: number): Promise<void> {
  const stale: Deno.KvKey[] = [];
  for await (const e of kv.list<WorkerRecord>({ prefix: ["worker"] }, { limit: 500 })) {
    if (e.value.until + STALE_MS < at) stale.push(e.key);
  }
  for await (const e of kv.list<{ at?: number }>({ prefix: ["cancel"] }, { limit: 500 })) {
    if ((e.value.at ?? 0) + STALE_MS < at) stale.push(e.key);
  }
  // Sessions and stored idempotent answers past their `expires` (service/sessions.ts,
  // service/idempotency.ts; an answer's body chunks sit under its key).
  for (const prefix of [["session"], ["idem"]]) {
    for await (const e of kv.list<{ expires?: number }>({ prefix }, { limit: 500 })) {
      const v = e.value;
      if (typeof v !== "object" || v === null || (v.expires ?? Infinity) >= at) continue;
      stale.push(e.key);
      if (prefix[0] === "idem") {
        for await (const c of kv.list({ prefix: e.key })) stale.push(c.key);
      }
    }
  }
  await deleteKeys(kv, stale);
}
