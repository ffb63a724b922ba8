// Removing runs and everything they recorded: epochs, checkpoint chunks and
// events (each event's one copy in the global log and its entry in the run's
// index), then the run record with its queue entries and side records.
import { type Committer, dequeue } from "./commit.ts";
import { deleteKeys, getOne } from "./kv.ts";
import { endActive } from "./lease_records.ts";
import type { DeletedEvent, Run } from "./types.ts";

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
