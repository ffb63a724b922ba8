// Cancel coordination: a cancel reaches the run wherever it trains. A queued
// run is cancelled in KV at once; a run trained here gets a cancel message
// (and its worker is replaced if it ignores it); a run trained by another
// process gets a KV request it sees within a poll, or, if that process is
// gone, is ended here. Also stops runs another process took over ("lost").
import { now, type SchedContext } from "./sched_context.ts";
import { isTerminal, type Run } from "./types.ts";

/** How long a running run may ignore a cancel before its worker is replaced. */
const CANCEL_GRACE_MS = 30_000;
/** How often a process waiting for a cancel looks at the run. */
const CANCEL_POLL_MS = 100;

export class Cancels {
  /** Runs whose cancel was asked for while they were starting or running. */
  #cancelling = new Set<string>();
  /** Runs another process took over: trained here no more, never ended from here. */
  #lost = new Set<string>();
  /** Resolvers waiting for runs to end (cancel's answer). */
  #waiters = new Map<string, Set<() => void>>();
  #timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(
    private ctx: SchedContext,
    /** Ends a run trained here as cancelled (after its queued messages). */
    private finishCancelled: (id: string) => void,
    private graceMs = CANCEL_GRACE_MS,
  ) {}

  isCancelling(id: string): boolean {
    return this.#cancelling.has(id);
  }

  isLost(id: string): boolean {
    return this.#lost.has(id);
  }

  /**
   * Stops a queued or running run, whichever process trains it. Resolves with
   * the run once it has ended, or as it is after `waitMs`; null if there is no such run.
   */
  async cancel(id: string, waitMs = 10_000): Promise<Run | null> {
    const { store, pool } = this.ctx;
    const run = await store.getRun(id);
    if (!run) return null;
    if (isTerminal(run.status)) return run;
    const ended = this.#waitEnd(id, waitMs);
    if (run.status === "queued" || run.status === "paused") {
      // A paused tuning trial is trained by nobody: it ends here.
      const r = await store.transition(id, ["queued", "paused"], {
        status: "cancelled",
        finishedAt: now(),
      });
      if (r) {
        this.wake(id);
        return r;
      }
    }
    if (pool?.slotOf(id)) {
      this.cancelLocal(id);
    } else {
      // Another process trains it: it sees the request within a poll. If that
      // process is gone, nobody would: the run ends here.
      await store.requestCancel(id);
      const r = await store.takeOver(id, () => ({ status: "cancelled", finishedAt: now() }));
      if (r) this.wake(id);
    }
    await ended;
    return store.getRun(id);
  }

  /** Cancels asked for (by any process) of runs trained here. */
  async checkRequests(): Promise<void> {
    const owned = this.ctx.pool?.runIds.filter((id) => !this.#cancelling.has(id)) ?? [];
    if (!owned.length) return;
    for (const id of await this.ctx.store.cancelRequested(owned)) this.cancelLocal(id);
  }

  /** Asks this process's worker training `id` to stop; replaces it if it ignores that. */
  cancelLocal(id: string): void {
    const pool = this.ctx.pool;
    const slot = pool?.slotOf(id);
    this.#cancelling.add(id);
    if (!pool || !slot) return;
    pool.send(slot, { v: 1, type: "cancel", runId: id });
    clearTimeout(this.#timers.get(id));
    this.#timers.set(
      id,
      setTimeout(() => {
        if (pool.slotOf(id) === slot && !slot.gone) {
          pool.replace(slot, `run ${id} ignored its cancel`);
          this.finishCancelled(id);
        }
      }, this.graceMs),
    );
  }

  /** Another process holds this run's lease now: stop training it here, record nothing more. */
  drop(id: string): void {
    if (this.#lost.has(id)) return;
    this.ctx.log(`run ${id}: another process took it over; stopping it here`);
    this.#lost.add(id);
    this.cancelLocal(id);
  }

  /** The run ended here: forget it, and answer whoever waits for it. */
  ended(id: string): void {
    this.#cancelling.delete(id);
    this.#lost.delete(id);
    clearTimeout(this.#timers.get(id));
    this.#timers.delete(id);
    this.wake(id);
  }

  stop(): void {
    for (const t of this.#timers.values()) clearTimeout(t);
  }

  /** Resolves when the run has ended (here or in any process), or after `ms`. */
  #waitEnd(id: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const set = this.#waiters.get(id) ?? new Set();
      const done = () => {
        clearTimeout(timer);
        clearInterval(poll);
        set.delete(done);
        // The last waiter gone: drop the entry, or every cancel would leave one behind.
        if (set.size === 0 && this.#waiters.get(id) === set) this.#waiters.delete(id);
        resolve();
      };
      const timer = setTimeout(done, ms);
      const poll = setInterval(() => {
        this.ctx.store.getRun(id).then((r) => {
          if (!r || isTerminal(r.status)) done();
        }, () => {});
      }, CANCEL_POLL_MS);
      set.add(done);
      this.#waiters.set(id, set);
    });
  }

  wake(id: string): void {
    const set = this.#waiters.get(id);
    this.#waiters.delete(id);
    for (const f of set ?? []) f();
  }
}
