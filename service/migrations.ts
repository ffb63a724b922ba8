// Older KV layouts, brought up to date or read as they are:
// - v1 had no shared queue counter: it is counted once (countQueue);
// - v2 queue entries were `true` (no data set and backend to match on): read as {};
// - v3 moved events out of the run's index (["run_event", id, seq] held the
//   whole event): read as they are, slimmed when the run is retired;
// - runs that ended before retention existed get their ["retire", id] record once;
// - runs and experiments recorded before the training options (weightDecay,
//   schedule, warmupEpochs) get their defaults once: what they trained with.
import {
  GET_MANY,
  getMany,
  getOne,
  MAX_ATTEMPTS,
  QUEUED,
  RETENTION,
  retryLocked,
  TRAINING_OPTIONS,
} from "./kv.ts";
import { isTerminal, type Run } from "./types.ts";

/** A KV written before the shared counter existed gets it, counted once. */
export async function countQueue(kv: Deno.Kv): Promise<void> {
  const cur = await getOne<number>(kv, QUEUED);
  if (cur.value !== null) return;
  let n = 0;
  for await (const _ of kv.list({ prefix: ["queue"] })) n++;
  await retryLocked(() => kv.atomic().check(cur).set(QUEUED, n).commit());
}

/** A queue entry's value, `true` in a KV written before v2. */
export function queueValue(
  v: { data?: string; backend?: string } | true,
): { data?: string; backend?: string } {
  return v === true ? {} : v;
}

/** An index entry of the v3 layout (the event's type) for one of any layout. */
export function slimIndexValue(v: unknown): string | null {
  return typeof v === "object" && v !== null ? (v as { type?: string }).type ?? "status" : null;
}

/** Once per KV: runs that ended before retention existed get their ["retire", id] record. */
export async function retireBacklog(kv: Deno.Kv): Promise<void> {
  const done = await getOne<number>(kv, RETENTION);
  if (done.value) return;
  const ended: string[] = [];
  for await (const e of kv.list<Run>({ prefix: ["run"] })) {
    if (isTerminal(e.value.status)) ended.push(e.value.id);
  }
  // Runs that ended since retention existed have their record already.
  for (let s = 0; s < ended.length; s += GET_MANY) {
    const ids = ended.slice(s, s + GET_MANY);
    const recs = await getMany(kv, ids.map((id) => ["retire", id]));
    const w = kv.atomic();
    ids.forEach((id, i) => {
      if (recs[i].value === null) w.set(["retire", id], { at: 0 }).delete(["ckpt", id]);
    });
    await retryLocked(() => w.commit());
  }
  await retryLocked(() => kv.atomic().check(done).set(RETENTION, 1).commit());
}

/** The training options' defaults (ml/config.ts), which every earlier run trained with. */
const TRAINING_DEFAULTS = { weightDecay: 0, schedule: "step", warmupEpochs: 0 } as const;

/** `rec` with the defaults it lacks, placed after stepGamma as the schema orders them. */
export function withTrainingDefaults<T extends Record<string, unknown>>(rec: T): T {
  if ("weightDecay" in rec) return rec;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rec)) {
    out[k] = v;
    if (k === "stepGamma") Object.assign(out, TRAINING_DEFAULTS);
  }
  return ("weightDecay" in out ? out : { ...out, ...TRAINING_DEFAULTS }) as T;
}

/**
 * Once per KV: runs' configs and experiments' settings recorded before the
 * training options existed get their defaults, so every record has the shape
 * the API declares. Each record is rewritten only if it is still as read.
 */
export async function fillTrainingDefaults(kv: Deno.Kv): Promise<void> {
  const done = await getOne<number>(kv, TRAINING_OPTIONS);
  if (done.value) return;
  for (const [prefix, field] of [["run", "config"], ["experiment", "settings"]] as const) {
    const keys: Deno.KvKey[] = [];
    for await (const e of kv.list<Record<string, Record<string, unknown>>>({ prefix: [prefix] })) {
      if (e.value?.[field] && !("weightDecay" in e.value[field])) keys.push(e.key);
    }
    for (const key of keys) {
      for (let i = 0; i < MAX_ATTEMPTS; i++) {
        const cur = await getOne<Record<string, Record<string, unknown>>>(kv, key);
        if (!cur.value?.[field] || "weightDecay" in cur.value[field]) break;
        const value = { ...cur.value, [field]: withTrainingDefaults(cur.value[field]) };
        if ((await retryLocked(() => kv.atomic().check(cur).set(key, value).commit())).ok) break;
      }
    }
  }
  await retryLocked(() => kv.atomic().check(done).set(TRAINING_OPTIONS, 1).commit());
}
