// Turns a worker's messages into KV writes: annotations, epochs (with their
// checkpoints), throttled progress and the final status. Each run's messages
// are handled strictly in order (one promise chain per run), so an epoch is
// always recorded before the run is marked done. Nothing is recorded for a
// run another process took over.
//
// Storage that fails (a full disk) never fails a run: an epoch that can't be
// recorded suspends the run. Its worker stops, the epoch is held here, and
// every heartbeat tries to record it again (retrySuspended); once that works
// the run goes back to the front of the queue and resumes from that epoch.
import { divergedPatch } from "../ml/divergence.ts";
import type { Checkpoint, EpochMetrics } from "../ml/types.ts";
import type { FromWorker } from "../ml/protocol.ts";
import type { Cancels } from "./cancels.ts";
import type { Slot } from "./pool.ts";
import { storageFailure } from "./storage_health.ts";
import { now, type SchedContext, stored } from "./sched_context.ts";
import type { Run, RunProgress, RunStatus } from "./types.ts";

/** Minimum interval between progress events of one run. */
const PROGRESS_INTERVAL_MS = 250;

export class Recorder {
  #lastProgressAt = new Map<string, number>();
  #lastPersistAt = new Map<string, number>();
  #chains = new Map<string, Promise<void>>();
  /** Runs paused because storage failed, with the epoch that could not be recorded. */
  #suspended = new Map<string, { metrics: EpochMetrics; checkpoint: Checkpoint }>();
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
          // A suspended run's later epochs are trained again after it resumes.
          if (this.cancels.isLost(id) || this.#suspended.has(id)) return;
          try {
            const run = await stored(
              this.ctx,
              () => store.recordEpoch(id, msg.metrics, msg.checkpoint, this.ctx.workerId),
            );
            if (!run && (await store.getLease(id))?.owner !== this.ctx.workerId) {
              this.cancels.drop(id);
            }
          } catch (e) {
            const reason = storageFailure(e);
            if (reason) return this.#suspend(slot, id, msg, reason);
            // Training on without recording would lose epochs: stop the run instead.
            const error = `could not record epoch ${msg.metrics.epoch}: ${(e as Error).message}`;
            log(`run ${id}: ${error}`);
            if (pool?.slotOf(id) === slot) pool.send(slot, { v: 1, type: "cancel", runId: id });
            await this.finish(id, "failed", error);
          }
        });
      case "paused":
        if (pool?.slotOf(id) === slot) pool.release(slot);
        if (this.#suspended.has(id)) return this.ctx.dispatcherKick?.();
        return this.chain(id, () => this.pause(id));
      case "done":
      case "cancelled":
      case "failed": {
        if (pool?.slotOf(id) === slot) pool.release(slot);
        if (this.#suspended.has(id)) return this.ctx.dispatcherKick?.();
        const error = msg.type === "failed" ? msg.error : undefined;
        return this.chain(id, () => this.finish(id, msg.type, error, divergedPatch(msg)));
      }
    }
  }

  /** The worker training `runId` crashed (it is being replaced): the run failed. */
  onCrash(runId: string | null, error: string): void {
    if (runId) this.chain(runId, () => this.finish(runId, "failed", error));
  }

  #onProgress(id: string, p: Omit<RunProgress, "runId">): void {
    if (this.cancels.isLost(id) || this.#suspended.has(id)) return;
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
  async finish(
    id: string,
    status: "done" | "failed" | "cancelled",
    error?: string,
    more: Partial<Run> = {},
  ) {
    if (this.#suspended.has(id)) return; // retrySuspended decides
    const patch: Partial<Run> & { status: RunStatus } = { status, finishedAt: now(), ...more };
    if (error !== undefined) patch.error = error;
    await stored(
      this.ctx,
      () => this.ctx.store.transition(id, ["running"], patch, { owner: this.ctx.workerId }),
    );
    this.#lastProgressAt.delete(id);
    this.#lastPersistAt.delete(id);
    this.cancels.ended(id);
  }

  /** A tuning trial stopped at its rung: paused, its checkpoint kept (not a final status). */
  async pause(id: string) {
    if (this.#suspended.has(id)) return;
    await stored(
      this.ctx,
      () =>
        this.ctx.store.transition(id, ["running"], { status: "paused" }, {
          owner: this.ctx.workerId,
        }),
    );
    this.#lastProgressAt.delete(id);
    this.#lastPersistAt.delete(id);
    this.cancels.ended(id);
  }

  /** Runs suspended because storage failed (their leases are still this process's). */
  get suspended(): string[] {
    return [...this.#suspended.keys()];
  }

  /** Storage failed to take an epoch: stop the run's worker and hold the epoch. */
  #suspend(
    slot: Slot,
    id: string,
    msg: { metrics: EpochMetrics; checkpoint: Checkpoint },
    why: string,
  ) {
    this.#suspended.set(id, { metrics: msg.metrics, checkpoint: msg.checkpoint });
    this.ctx.log(
      `run ${id}: storage failing (${why}); epoch ${msg.metrics.epoch} not recorded yet. ` +
        `The run is paused and resumes from it once storage works again`,
    );
    const pool = this.ctx.pool;
    if (pool?.slotOf(id) === slot) pool.send(slot, { v: 1, type: "cancel", runId: id });
  }

  /**
   * Tries again, for each suspended run whose worker has stopped, to record
   * its held epoch; then the run goes back to the queue (or ends: done when
   * that was its last epoch, cancelled when a cancel came meanwhile). Runs
   * stay suspended while storage fails. Part of every heartbeat.
   */
  async retrySuspended(): Promise<void> {
    const { store, pool, workerId } = this.ctx;
    for (const [id, held] of this.#suspended) {
      if (pool?.slotOf(id)) continue; // its worker is still stopping
      try {
        await stored(
          this.ctx,
          () => store.recordEpoch(id, held.metrics, held.checkpoint, workerId),
        );
        const cancelled = this.cancels.isCancelling(id) || (await store.cancelRequested([id])).size;
        const run = await store.getRun(id);
        const done = run !== null && run.epochsDone >= run.config.epochs;
        const paused = run !== null && !done && run.stopAt !== undefined &&
          run.epochsDone >= run.stopAt;
        const patch = cancelled || done
          ? { status: cancelled ? "cancelled" as const : "done" as const, finishedAt: now() }
          : paused
          ? { status: "paused" as const }
          : { status: "queued" as const };
        const opts = { owner: workerId, requeue: patch.status === "queued" };
        const after = await stored(this.ctx, () => store.transition(id, ["running"], patch, opts));
        this.#suspended.delete(id);
        this.cancels.ended(id);
        if (after) {
          this.ctx.log(
            `run ${id}: storage works again; ${after.status} after epoch ${after.epochsDone}`,
          );
        }
        this.ctx.dispatcherKick?.();
      } catch (e) {
        if (storageFailure(e)) continue;
        this.#suspended.delete(id);
        this.ctx.log(`run ${id}: ${(e as Error).message}`);
      }
    }
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
