// Leases in KV: ["lease", id] names the process training a running run until
// `until` (it renews it by heartbeat; the run's end or take-over removes it), and
// ["active", id] lists running runs, so a lapsed lease can be found. Taking a
// run (claimRun) and ending it (transition, takeOver) are store transitions;
// these are the lease's own writes.
import { getOne, listKeys, MAX_ATTEMPTS, retryLocked } from "./kv.ts";
import type { Lease } from "./types.ts";

export function getLease(kv: Deno.Kv, id: string): Promise<Deno.KvEntryMaybe<Lease>> {
  return getOne<Lease>(kv, ["lease", id]);
}

/** Ids of runs that are running (for finding lapsed leases). */
export async function activeRunIds(kv: Deno.Kv): Promise<string[]> {
  return (await listKeys(kv, ["active"])).map((k) => k[1] as string);
}

/**
 * Renews `owner`'s leases on `ids` until `until`; returns the ids whose
 * lease it no longer holds (another process took the run over, or it ended).
 */
export async function renewLeases(
  kv: Deno.Kv,
  owner: string,
  ids: string[],
  until: number,
): Promise<string[]> {
  const lost: string[] = [];
  for (const id of ids) {
    for (let attempt = 0;; attempt++) {
      const cur = await getLease(kv, id);
      if (cur.value?.owner !== owner) {
        lost.push(id);
        break;
      }
      const op = kv.atomic().check(cur)
        .set(["lease", id], { ...cur.value, until });
      if ((await retryLocked(() => op.commit())).ok || attempt >= MAX_ATTEMPTS) break;
    }
  }
  return lost;
}

/** Gives up `owner`'s leases (at shutdown), so other processes take the runs over at once. */
export async function releaseLeases(kv: Deno.Kv, owner: string, ids: string[]): Promise<void> {
  for (const id of ids) {
    const cur = await getLease(kv, id);
    if (cur.value?.owner !== owner) continue;
    await retryLocked(() => kv.atomic().check(cur).delete(["lease", id]).commit());
  }
}

/** A run leaves "running" in `op`: its lease, index entry, progress and cancel request go. */
export function endActive(op: Deno.AtomicOperation, id: string): void {
  op.delete(["lease", id]).delete(["active", id]).delete(["progress", id]).delete(["cancel", id]);
}
