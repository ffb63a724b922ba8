// Removing runs and everything they recorded: epochs, checkpoint chunks and
// events (each event's one copy in the global log and its entry in the run's
// index), then the run record with its queue entries and side records. An
// experiment is deleted in two steps: one commit that hides it and its runs
// (the mark), then the removal in bounded batches, resumed until done.
import { type Committer, dequeue } from "./commit.ts";
import { ConflictError } from "./errors.ts";
import { deleteKeys, GET_MANY, getMany, getOne, retryLocked } from "./kv.ts";
import { endActive } from "./lease_records.ts";
import { type DeletedEvent, type Experiment, isTerminal, type Run } from "./types.ts";

/** Every key a run's records occupy besides ["run", id] and its small side records. */
export async function runRecordKeys(kv: Deno.Kv, id: string): Promise<Deno.KvKey[]> {
  const keys: Deno.KvKey[] = [];
  for (const prefix of [["epoch", id], ["ckpt_chunk", id], ["run_event", id]]) {
    for await (const e of kv.list({ prefix })) {
      keys.push(e.key);
      if (prefix[0] === "run_event") keys.push(["event", e.key[2]]);
    }
  }
  return keys;
}

/**
 * Removes a run: its records first, the run key last, with its queue entries
 * and their count (an interrupted delete leaves the run visible, to retry).
 * `publish` tells this process's subscribers. False when there is no such run.
 */
export async function deleteRun(
  kv: Deno.Kv,
  c: Committer,
  id: string,
  publish: (e: Omit<DeletedEvent, "seq">) => unknown,
): Promise<boolean> {
  if (!(await getOne<Run>(kv, ["run", id])).value) return false;
  await c.lock.run(async () => deleteKeys(kv, await runRecordKeys(kv, id)));
  const gone = await c.write(async (op) => {
    const cur = await getOne<Run>(kv, ["run", id]);
    if (!cur.value) return { result: null };
    op.check(cur).delete(["run", id]).delete(["ckpt", id]).delete(["retire", id]);
    const queued = -(await dequeue(kv, op, id));
    endActive(op, id);
    return { result: true, queued };
  });
  if (!gone) return false;
  await publish({ type: "deleted", runId: id, data: { id, status: "deleted" } });
  return true;
}

/** Marks an experiment being deleted; its value is the experiment's record. */
export const deletingKey = (id: string): Deno.KvKey => ["deleting", "experiment", id];
/** Runs whose records are removed per round of a resumed delete. */
const RUNS_PER_ROUND = 20;

/**
 * Step one of deleting an experiment, in one commit: its record moves to
 * ["deleting", "experiment", id], which hides it and every run of it from
 * every read at once (store_reads.ts). Refused (ConflictError) while a run is
 * queued or running; a finished run never changes again, and the check of the
 * record refuses seeds added meanwhile. False when there is no such experiment.
 */
export async function markExperimentDeleted(
  kv: Deno.Kv,
  c: Committer,
  id: string,
): Promise<boolean> {
  return true === await c.write<true | null>(async (op) => {
    const cur = await getOne<Experiment>(kv, ["experiment", id]);
    if (!cur.value) return { result: null };
    const active: string[] = [];
    for (let s = 0; s < cur.value.runIds.length; s += GET_MANY) {
      const keys = cur.value.runIds.slice(s, s + GET_MANY).map((r) => ["run", r]);
      for (const e of await getMany<Run[]>(kv, keys)) {
        if (e.value && !isTerminal(e.value.status)) active.push(e.value.id);
      }
    }
    if (active.length) {
      throw new ConflictError(
        `experiment ${id} has ${active.length} queued or running run(s); ` +
          `cancel it first (POST /api/experiments/${id}/cancel)`,
      );
    }
    op.check(cur).delete(["experiment", id]).set(deletingKey(id), cur.value);
    return { result: true };
  });
}

/**
 * Step two: removes the marked experiments' runs and everything they recorded,
 * in bounded batches, then the mark. Interrupted anywhere, it is resumed
 * (every heartbeat calls it); deleting twice is harmless. `only` limits it to
 * one experiment. `publish` tells this process's subscribers of each run gone.
 */
export async function finishDeletes(
  kv: Deno.Kv,
  c: Committer,
  publish: (e: Omit<DeletedEvent, "seq">) => unknown,
  only?: string,
): Promise<number> {
  const marks: Experiment[] = [];
  if (only) {
    const m = (await getOne<Experiment>(kv, deletingKey(only))).value;
    if (m) marks.push(m);
  } else {
    for await (const e of kv.list<Experiment>({ prefix: ["deleting", "experiment"] })) {
      marks.push(e.value);
    }
  }
  for (const exp of marks) {
    for (let s = 0; s < exp.runIds.length; s += RUNS_PER_ROUND) {
      const ids = exp.runIds.slice(s, s + RUNS_PER_ROUND);
      const keys: Deno.KvKey[] = [];
      for (const id of ids) keys.push(...await runRecordKeys(kv, id));
      // Each run's records, then the runs themselves, a commit of ≤ DELETE_BATCH at a time.
      for (const id of ids) keys.push(["run", id], ["ckpt", id], ["retire", id]);
      await c.lock.run(() => deleteKeys(kv, keys));
      for (const id of ids) {
        await publish({ type: "deleted", runId: id, data: { id, status: "deleted" } });
      }
    }
    await retryLocked(() => kv.delete(deletingKey(exp.id)));
  }
  return marks.length;
}
