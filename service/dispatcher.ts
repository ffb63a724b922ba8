// Starts queued runs while this process has free workers: it claims the first
// queued run it can train (its data set and backend) together with a lease,
// and hands it to a worker with its data set (and checkpoint when resuming).
import type { Cancels } from "./cancels.ts";
import { MAX_CLASSES } from "./datasets.ts";
import { processIdentity } from "./lease.ts";
import type { Slot } from "./pool.ts";
import type { Recorder } from "./recorder.ts";
import { now, type SchedContext } from "./sched_context.ts";
import type { QueueEntry } from "./store.ts";
import type { Lease, Run, WorkerRecord } from "./types.ts";

export class Dispatcher {
  #kicking = false;
  #kickAgain = false;

  constructor(
    private ctx: SchedContext,
    private recorder: Recorder,
    private cancels: Cancels,
    /** The live workers, as of the latest heartbeat. */
    private workers: () => readonly WorkerRecord[],
  ) {}

  /** Starts queued runs while workers are free. Safe to call any time. */
  kick(): void {
    if (this.ctx.stopped() || !this.ctx.pool) return;
    // Training pauses while storage fails: its epochs could not be recorded.
    if (this.ctx.storage && !this.ctx.storage.state.ok) return;
    if (this.#kicking) {
      this.#kickAgain = true;
      return;
    }
    this.#kicking = true;
    void this.#loop().catch((e) => this.ctx.log(`scheduler: ${(e as Error).message}`))
      .finally(() => {
        this.#kicking = false;
        // Nothing more to claim: the cores no run holds go to the runs as kernel threads.
        this.ctx.pool?.allotThreads();
        if (this.#kickAgain) {
          this.#kickAgain = false;
          this.kick();
        }
      });
  }

  /** A lease on a run for this process. */
  lease(): Lease {
    const me = processIdentity();
    return { owner: this.ctx.workerId, ...me, until: Date.now() + this.ctx.leaseMs };
  }

  async #loop(): Promise<void> {
    const pool = this.ctx.pool;
    while (!this.ctx.stopped() && pool?.info) {
      const slot = pool.reserve();
      if (!slot) return;
      let run: Run | null = null;
      try {
        run = await this.#claimNext(pool.info.backend);
      } finally {
        if (!run) pool.unreserve(slot);
      }
      if (!run) return;
      pool.assign(slot, run.id);
      // Before the run starts: the runs already training give back the core it takes.
      pool.allotThreads();
      void this.#startOn(slot, run);
    }
  }

  /** Claims the first queued run this process can train, or null. */
  async #claimNext(backend: string): Promise<Run | null> {
    const { store, datasets, leaseMs } = this.ctx;
    for (const entry of await store.queued()) {
      const data = await this.#trainable(entry, backend);
      if (data === null) continue;
      // Class names go with the "running" status when the data set is already
      // loaded; otherwise #startOn records them once it is (never block here:
      // a first download can take minutes and other runs must still start).
      const classes = data ? datasets.loadedClasses(data) : undefined;
      const out = await store.claimRun(entry.id, this.lease(), {
        startedAt: now(),
        backend,
        ...(classes ? { classes } : {}),
      }, leaseMs);
      if ("run" in out) return out.run;
      // A queue entry must never block the queue.
      if (out.missed === "stale") await store.dropStale(entry.id);
    }
    return null;
  }

  /**
   * The run's data set name when this process should take it: it resolves the
   * data set (or no live worker does, and the run fails here with the reason
   * rather than wait forever) and the backend fits. "" when the run is gone
   * (the claim finds the entry stale), null when it waits for another worker.
   */
  async #trainable(e: QueueEntry, backend: string): Promise<string | null> {
    let { data, backend: wants } = e;
    if (data === undefined) {
      const run = await this.ctx.store.getRun(e.id);
      if (!run) return "";
      data = run.config.data;
      wants = run.config.backend;
    }
    if (wants !== undefined && wants !== "auto" && wants !== backend) return null;
    if (this.ctx.datasets.check(data) === null) return data;
    const elsewhere = this.workers().some((w) =>
      w.id !== this.ctx.workerId && w.datasets.includes(data) &&
      (wants === undefined || wants === "auto" || wants === w.backend)
    );
    return elsewhere ? null : data;
  }

  async #startOn(slot: Slot, run: Run): Promise<void> {
    const { store, datasets } = this.ctx;
    const pool = this.ctx.pool!;
    try {
      const data = await datasets.get(run.config.data);
      if (data.classes.length > MAX_CLASSES) {
        // Each epoch's confusion matrix must fit in one KV value (64 KiB).
        throw new Error(
          `data set ${run.config.data} has ${data.classes.length} classes; the service records ` +
            `at most ${MAX_CLASSES} (use the CLI for more)`,
        );
      }
      if (!run.classes) await store.annotateRun(run.id, { classes: data.classes });
      const resume = await store.loadCheckpoint(run.id) ?? undefined;
      if (this.cancels.isCancelling(run.id) || slot.gone || pool.slotOf(run.id) !== slot) {
        if (pool.slotOf(run.id) === slot) pool.release(slot);
        this.recorder.chain(run.id, () => this.recorder.finish(run.id, "cancelled"));
        return;
      }
      if (resume) this.ctx.log(`run ${run.id}: resuming after epoch ${resume.epoch}`);
      // A tuning trial never sees the test split, and pauses at its rung.
      const trial = run.tune?.role === "trial"
        ? { evalTest: false as const, ...(run.stopAt ? { stopAfter: run.stopAt } : {}) }
        : {};
      pool.send(slot, {
        v: 1,
        type: "start",
        runId: run.id,
        config: run.config,
        data,
        resume,
        ...trial,
      });
    } catch (e) {
      if (pool.slotOf(run.id) === slot) pool.release(slot);
      this.recorder.chain(
        run.id,
        () => this.recorder.finish(run.id, "failed", (e as Error).message),
      );
    }
  }
}
