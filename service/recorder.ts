// Turns a worker's messages into KV writes: annotations, epochs (with their
// checkpoints), throttled progress and the final status. Each run's messages
// are handled strictly in order (one promise chain per run), so an epoch is
// always recorded before the run is marked done. Nothing is recorded for a
// run another process took over.
import type { FromWorker } from "../ml/protocol.ts";
import type { Cancels } from "./cancels.ts";
import type { Slot } from "./pool.ts";
import { now, type SchedContext, stored } from "./sched_context.ts";
import type { Run, RunProgress, RunStatus } from "./types.ts";

/** Minimum interval between progress events of one run. */
const PROGRESS_INTERVAL_MS = 250;

export class Recorder {
  #lastProgressAt = new Map<string, number>();
  #lastPersistAt = new Map<string, number>();
  #chains = new Map<string, Promise<void>>();
  /** Set once the scheduler's cancel coordination exists (they refer to each other). */
  cancels!: Cancels;

  constructor(
    private ctx: SchedContext,
    /** Least interval between two KV writes of one run's progress. */
    private progressMs = 500,
  ) {}

  onMessage(slot: Slot, msg: FromWorker): void {
    const { pool, store, log } = this.ctx;
    if (msg?.v !== 1 || !("runId" in msg) || msg.runId === null) {
      log(`worker ${slot.index}: unexpected message ${JSON.stringify(msg)?.slice(0, 200)}`);
      return;
    }
    const id = msg.runId;
    switch (msg.type) {
      case "started":
        return;
      case "prepared":
        return this.chain(id, async () => {
          await store.annotateRun(id, { prepared: msg.record });
        });
      case "progress":
        return this.#onProgress(id, msg.progress);
      case "epoch":
        return this.chain(id, async () => {
          if (this.cancels.isLost(id)) return;
          try {
            const run = await stored(
              this.ctx,
              () => store.recordEpoch(id, msg.metrics, msg.checkpoint, this.ctx.workerId),
            );
            if (!run && (await store.getLease(id))?.owner !== this.ctx.workerId) {
              this.cancels.drop(id);
            }
          } catch (e) {
            // Training on without recording would lose epochs: stop the run instead.
            const error = `could not record epoch ${msg.metrics.epoch}: ${(e as Error).message}`;
            log(`run ${id}: ${error}`);
            if (pool?.slotOf(id) === slot) pool.send(slot, { v: 1, type: "cancel", runId: id });
            await this.finish(id, "failed", error);
          }
        });
      case "done":
      case "cancelled":
      case "failed": {
        if (pool?.slotOf(id) === slot) pool.release(slot);
        const error = msg.type === "failed" ? msg.error : undefined;
        return this.chain(id, () => this.finish(id, msg.type, error));
      }
    }
  }

  /** The worker training `runId` crashed (it is being replaced): the run failed. */
  onCrash(runId: string | null, error: string): void {
    if (runId) this.chain(runId, () => this.finish(runId, "failed", error));
  }

  #onProgress(id: string, p: Omit<RunProgress, "runId">): void {
    if (this.cancels.isLost(id)) return;
    const t = performance.now();
    const publish = t - (this.#lastProgressAt.get(id) ?? -Infinity) >= PROGRESS_INTERVAL_MS;
    const persist = t - (this.#lastPersistAt.get(id) ?? -Infinity) >= this.progressMs;
    if (!publish && !persist) return;
    if (publish) this.#lastProgressAt.set(id, t);
    if (persist) this.#lastPersistAt.set(id, t);
    const write = () =>
      this.ctx.store.putProgress({ runId: id, ...p }, {
        publish,
        persist,
        ttlMs: this.ctx.leaseMs * 2,
      });
    (persist ? stored(this.ctx, write) : write())
      .catch((e) => this.ctx.log(`run ${id}: progress: ${(e as Error).message}`));
  }

  /** Ends a run trained here, while this process holds its lease (a run taken over ends elsewhere). */
  async finish(id: string, status: "done" | "failed" | "cancelled", error?: string) {
    const patch: Partial<Run> & { status: RunStatus } = { status, finishedAt: now() };
    if (error !== undefined) patch.error = error;
    await stored(
      this.ctx,
      () => this.ctx.store.transition(id, ["running"], patch, { owner: this.ctx.workerId }),
    );
    this.#lastProgressAt.delete(id);
    this.#lastPersistAt.delete(id);
    this.cancels.ended(id);
  }

  /** Runs `fn` after everything already queued for this run. */
  chain(id: string, fn: () => Promise<void>): void {
    const prev = this.#chains.get(id) ?? Promise.resolve();
    const next = prev.then(fn).catch((e) => this.ctx.log(`run ${id}: ${(e as Error).message}`));
    this.#chains.set(id, next);
    next.then(() => {
      if (this.#chains.get(id) === next) this.#chains.delete(id);
    });
  }
}
