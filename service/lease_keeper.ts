// The heartbeat (every third of a lease): renews this process's leases (a run
// whose lease another process holds now is stopped here), announces this
// worker, takes over runs whose owner is gone (they resume from their last
// checkpoint, or are marked interrupted without one), reads the live workers,
// sweeps ended runs (retention.ts) and finishes interrupted deletes (deletes.ts).
import type { Cancels } from "./cancels.ts";
import type { Recorder } from "./recorder.ts";
import { processIdentity } from "./lease.ts";
import { RETAIN_EVENTS_MS } from "./retention.ts";
import { now, type SchedContext, stored } from "./sched_context.ts";
import type { WorkerRecord } from "./types.ts";

export class LeaseKeeper {
  #workers: WorkerRecord[] = [];
  #startedAt = now();
  #walFailed = false;

  constructor(
    private ctx: SchedContext,
    private cancels: Cancels,
    private recorder: Recorder,
    private retainEventsMs = RETAIN_EVENTS_MS,
  ) {}

  /** Live training processes, as of the latest heartbeat read (for health). */
  get workers(): readonly WorkerRecord[] {
    return this.#workers;
  }

  async beat(): Promise<void> {
    const { store, pool, workerId, leaseMs } = this.ctx;
    this.#checkpointWal();
    // Runs paused by failing storage go first: their epochs, then back to the queue.
    await this.recorder.retrySuspended();
    if (pool?.info) {
      const suspended = this.recorder.suspended;
      const owned = [...pool.runIds, ...suspended].filter((id) => !this.cancels.isLost(id));
      const until = Date.now() + leaseMs;
      const lost = await stored(this.ctx, () => store.renewLeases(workerId, owned, until, leaseMs));
      // A run that just ended here released its lease too: only a live slot's run is lost.
      for (const id of lost) if (pool.slotOf(id) || suspended.includes(id)) this.cancels.drop(id);
      const info = pool.info;
      await stored(this.ctx, () =>
        store.putWorker({
          id: workerId,
          ...processIdentity(),
          backend: info.backend,
          adapter: info.adapter,
          datasets: this.ctx.datasets.names(),
          cores: navigator.hardwareConcurrency || 1,
          slots: pool.size,
          runs: pool.runIds,
          startedAt: this.#startedAt,
          heartbeatAt: now(),
          until: Date.now() + leaseMs,
        }, leaseMs * 2));
    }
    if (this.ctx.stopped()) return;
    await this.takeOver(await store.activeRunIds());
    this.#workers = await store.listWorkers();
    await this.sweep();
    // An experiment delete that a process left unfinished (it is hidden already).
    await stored(this.ctx, () => store.finishDeletes());
  }

  /**
   * Folds a large write-ahead log into the KV file, and tries to whenever
   * storage fails: a log that fills the disk holds its space until then (wal.ts).
   */
  #checkpointWal(): void {
    const failing = this.ctx.storage?.state.ok === false;
    const r = this.ctx.store.checkpointWal(failing);
    const failed = Boolean(r?.error && r.error !== "busy");
    if (failed && !this.#walFailed) {
      this.ctx.log(`storage: write-ahead log checkpoint failed (${r!.error}); retrying`);
    }
    this.#walFailed = failed;
  }

  /** Prunes ended runs' events and leftover checkpoints (see retention.ts). */
  async sweep(at = Date.now()): Promise<void> {
    const r = await stored(this.ctx, () => this.ctx.store.sweepRetired(this.retainEventsMs, at));
    if (r.runs) {
      this.ctx.log(
        `retention: ${r.runs} ended run(s) pruned (${r.events} events, ${r.chunks} chunks)`,
      );
    }
  }

  /** Runs of gone owners: resumed from a checkpoint, or interrupted without one. */
  async takeOver(ids: string[]): Promise<{ resumed: string[]; interrupted: string[] }> {
    const resumed: string[] = [];
    const interrupted: string[] = [];
    for (const id of ids) {
      if (this.ctx.pool?.slotOf(id) || this.recorder.suspended.includes(id)) continue;
      const run = await this.ctx.store.takeOver(id, (r, hasCheckpoint) => {
        if (r.epochsDone >= r.config.epochs) return { status: "done", finishedAt: now() };
        if (r.epochsDone > 0 && hasCheckpoint) return { status: "queued", requeue: true };
        return {
          status: "interrupted",
          finishedAt: now(),
          error: "the process training it stopped before this run's first epoch was recorded",
        };
      });
      if (run?.status === "queued") {
        this.ctx.log(
          `run ${id}: its worker is gone; queued to resume after epoch ${run.epochsDone}`,
        );
        resumed.push(id);
      } else if (run?.status === "interrupted") {
        interrupted.push(id);
      }
    }
    if (resumed.length) this.ctx.dispatcherKick?.();
    return { resumed, interrupted };
  }
}
