// What the scheduler's parts (dispatcher.ts, lease_keeper.ts, cancels.ts,
// recorder.ts) share: the store, this process's pool and data sets, its
// identity as a lease owner, and how background writes report to storage health.
import type { Datasets } from "./datasets.ts";
import type { WorkerPool } from "./pool.ts";
import { storageFailure, type StorageHealth } from "./storage_health.ts";
import type { Store } from "./store.ts";

export interface SchedContext {
  readonly store: Store;
  /** Null in a process that only serves the API. */
  readonly pool: WorkerPool | null;
  readonly datasets: Datasets;
  /** This process, as the owner of leases and in GET /api/workers. */
  readonly workerId: string;
  readonly leaseMs: number;
  readonly log: (msg: string) => void;
  readonly storage?: StorageHealth;
  stopped(): boolean;
  /** Looks for work now (set once the dispatcher exists). */
  dispatcherKick?: () => void;
}

export const now = () => new Date().toISOString();

/**
 * Runs a background KV write and tells the storage tracker how it went: a
 * failure it recognises (full disk, locked file) marks storage failing, a
 * success clears it. The error is rethrown.
 */
export async function stored<T>(ctx: SchedContext, write: () => Promise<T>): Promise<T> {
  try {
    const out = await write();
    ctx.storage?.succeeded();
    return out;
  } catch (e) {
    const reason = storageFailure(e);
    if (reason) ctx.storage?.failed(reason);
    throw e;
  }
}
