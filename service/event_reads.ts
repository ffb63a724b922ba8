// Reads of the durable event log (["event", seq], indexed by run in
// ["run_event", id, seq]) and of the shared progress records: what the
// EventLog follower (event_log.ts) and SSE replay need.
import { EventLog, type EventLogOptions } from "./event_log.ts";
import { GET_MANY, getMany, QUEUED, SEQ } from "./kv.ts";
import type { DurableEvent, RunProgress } from "./types.ts";

/** The latest sequence number and the queue's length. */
export async function readHead(kv: Deno.Kv): Promise<{ seq: number; queued: number }> {
  const [seq, queued] = await getMany<[number, number]>(kv, [SEQ, QUEUED]);
  return { seq: seq.value ?? 0, queued: queued.value ?? 0 };
}

/** Events with after < seq ≤ upTo, at most `limit`. */
export async function eventsBetween(
  kv: Deno.Kv,
  after: number,
  upTo: number,
  limit: number,
): Promise<DurableEvent[]> {
  const out: DurableEvent[] = [];
  const sel = { start: ["event", after + 1], end: ["event", upTo + 1] };
  for await (const e of kv.list<DurableEvent>(sel, { limit })) out.push(e.value);
  return out;
}

/** Every run's progress record, with who wrote it. */
export async function allProgress(kv: Deno.Kv) {
  const out = [];
  const it = kv.list<{ writer: string; data: RunProgress }>({ prefix: ["progress"] });
  for await (const e of it) {
    out.push({ runId: e.key[1] as string, versionstamp: e.versionstamp, ...e.value });
  }
  return out;
}

/**
 * Durable events after `since`, oldest first, for one run or all of them; at
 * most `limit` (fewer only when there are no more).
 */
export async function listEvents(
  kv: Deno.Kv,
  since: number,
  runId?: string,
  limit = 10_000,
): Promise<DurableEvent[]> {
  const out: DurableEvent[] = [];
  if (!runId) {
    const sel = { prefix: ["event"], start: ["event", since + 1] };
    for await (const e of kv.list<DurableEvent>(sel, { limit })) out.push(e.value);
    return out;
  }
  // The run's index names the events; their one copy is in the global log.
  const sel = { prefix: ["run_event", runId], start: ["run_event", runId, since + 1] };
  let seqs: number[] = [];
  const fetch = async () => {
    const got = await getMany<DurableEvent[]>(kv, seqs.map((n) => ["event", n]));
    // An event pruned meanwhile is skipped (see retention).
    for (const g of got) if (g.value && out.length < limit) out.push(g.value);
    seqs = [];
  };
  for await (const e of kv.list<string | DurableEvent>(sel, { batchSize: 100 })) {
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

/**
 * Starts following `kv`'s event log for this process (`self`): durable events
 * and progress go to `deliver`, in order.
 */
export function followLog(
  kv: Deno.Kv,
  remote: boolean,
  head: { seq: number; queued: number },
  opts: Pick<EventLogOptions, "deliver" | "self" | "log"> & { pollMs?: number },
): EventLog {
  const log = new EventLog({
    head: () => readHead(kv),
    events: (after, upTo, limit) => eventsBetween(kv, after, upTo, limit),
    progress: () => allProgress(kv),
  }, {
    ...opts,
    startSeq: head.seq,
    startQueued: head.queued,
    pollMs: opts.pollMs ?? 200,
    // Over KV Connect watch() sees every writer: it wakes the reader at once.
    watch: remote ? () => kv.watch([SEQ]) : undefined,
  });
  log.start();
  return log;
}
