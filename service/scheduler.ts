// Turns queued runs into training, in any number of processes sharing one KV:
// when a worker of this process is free it claims a queued run it can train
// (its data set and backend) together with a lease, hands it the shared data
// set (and a checkpoint when resuming), and turns the worker's messages into
// KV writes. It renews its leases by heartbeat; a run whose owner stopped
// renewing (killed, hung, its machine lost) is taken over by whichever
// process notices first and resumes from its last checkpoint. Cancels reach
// the owner through KV. Each run's messages are handled strictly in order
// (one promise chain per run), so an epoch is always recorded before the run
// is marked done.
//
// A process without a pool (LOSSBENCH_WORKERS=0) uses the same class for the
// API's side: submitting, cancelling, and taking over runs of dead workers.
import { cellKey, cellLabel, cellOf } from "../ml/cell.ts";
import type { FromWorker } from "../ml/protocol.ts";
import type { TrainConfig } from "../ml/types.ts";
import { type Datasets, MAX_CLASSES } from "./datasets.ts";
import type { EventBus } from "./event_bus.ts";
import { gridConfigs } from "./experiments.ts";
import { newId } from "./ids.ts";
import { processIdentity } from "./lease.ts";
import { divergedPatch as diverged } from "../ml/divergence.ts";
import type { PoolHooks, Slot, WorkerPool } from "./pool.ts";
import { storageFailure, type StorageHealth } from "./storage_health.ts";
import { type QueueEntry, RETAIN_EVENTS_MS, type Store } from "./store.ts";
import {
  type Experiment,
  isTerminal,
  type Lease,
  type Run,
  type RunProgress,
  type RunStatus,
  type WorkerRecord,
} from "./types.ts";

/** How long a running run may ignore a cancel before its worker is replaced. */
const CANCEL_GRACE_MS = 30_000;

export interface SchedulerOptions {
  log?: (msg: string) => void;
  cancelGraceMs?: number;
  /** How long a lease lasts unless renewed (renewed every third of it). Default 30 s. */
  leaseMs?: number;
  /** How often this process looks for queued runs and cancel requests. Default 200 ms. */
  pollMs?: number;
  /** Least interval between two KV writes of one run's progress. Default 500 ms. */
  progressMs?: number;
  /**
   * Learns whether the background writes (epochs, progress, heartbeats) reach
   * KV, so /api/health says "degraded" while a full disk keeps epochs from being recorded.
   */
  storage?: StorageHealth;
  /** How long an ended run's events stay whole before they are pruned (see store.ts). */
  retainEventsMs?: number;
}
/** Minimum interval between progress events of one run. */
const PROGRESS_INTERVAL_MS = 250;
/** How often a process waiting for a cancel looks at the run. */
const CANCEL_POLL_MS = 100;

const now = () => new Date().toISOString();

export class SeedsTakenError extends Error {}

/** Queued run records for configs, labelled with their cells. */
function newRuns(configs: TrainConfig[], experimentId?: string): Run[] {
  const createdAt = now();
  return configs.map((config) => {
    const cell = cellOf(config);
    return {
      id: newId(),
      status: "queued",
      config,
      label: cellLabel(cell),
      cellKey: cellKey(cell),
      createdAt,
      epochsDone: 0,
      ...(experimentId ? { experimentId } : {}),
    };
  });
}

export class Scheduler {
  /** This process, as the owner of leases and in GET /api/workers. */
  readonly workerId = newId();
  #lastProgressAt = new Map<string, number>();
  #lastPersistAt = new Map<string, number>();
  #chains = new Map<string, Promise<void>>();
  /** Runs whose cancel was asked for while they were starting or running. */
  #cancelling = new Set<string>();
  /** Runs another process took over: trained here no more, never ended from here. */
  #lost = new Set<string>();
  /** Resolvers waiting for runs to end (cancel's answer). */
  #waiters = new Map<string, Set<() => void>>();
  #cancelTimers = new Map<string, ReturnType<typeof setTimeout>>();
  #timers: ReturnType<typeof setInterval>[] = [];
  #workers: WorkerRecord[] = [];
  #startedAt = now();
  #started = false;
  #kicking = false;
  #kickAgain = false;
  #stopped = false;
  readonly #hooks: PoolHooks;
  readonly leaseMs: number;
  readonly pollMs: number;

  /**
   * `pool` is null in a process that only serves the API. `_bus` is kept for
   * the older call sites: events reach the bus through the store now.
   */
  constructor(
    private store: Store,
    readonly pool: WorkerPool | null,
    private datasets: Datasets,
    _bus?: EventBus | null,
    private opts: SchedulerOptions = {},
  ) {
    this.leaseMs = opts.leaseMs ?? 30_000;
    this.pollMs = opts.pollMs ?? 200;
    this.#hooks = {
      onMessage: (slot: Slot, msg: FromWorker) => this.#onMessage(slot, msg),
      onCrash: (_slot: Slot, runId: string | null, error: string) => {
        if (runId) this.#chain(runId, () => this.#finish(runId, "failed", error));
      },
      onIdle: () => this.kick(),
      log: (msg: string) => this.log(msg),
    };
    pool?.connect(this.#hooks);
  }

  private log = (msg: string) => (this.opts.log ?? console.log)(msg);

  /** @deprecated the scheduler connects to its pool when constructed. */
  get poolHooks(): PoolHooks {
    return this.#hooks;
  }

  /** Latest progress of a running run (ephemeral: from KV, or this process). */
  progress(runId: string): RunProgress | undefined {
    return this.store.progress(runId);
  }

  /** Live training processes, as of the latest heartbeat read (for health). */
  get workers(): readonly WorkerRecord[] {
    return this.#workers;
  }

  /**
   * Starts the loops: looking for work and cancels (every pollMs, with a
   * pool), and the heartbeat (every third of the lease): renewing leases,
   * announcing this worker, taking over runs whose owner is gone.
   */
  start(): void {
    if (this.#stopped || this.#started) return;
    this.#started = true;
    const every = (ms: number, fn: () => Promise<void>) => {
      let busy = false;
      this.#timers.push(setInterval(() => {
        if (busy || this.#stopped) return;
        busy = true;
        fn().catch((e) => this.log(`scheduler: ${(e as Error).message}`))
          .finally(() => (busy = false));
      }, ms));
    };
    // The first beat reads the live workers before this one takes any run
    // (a run it can't resolve the data set of waits for one that can).
    void this.#beat().catch((e) => this.log(`scheduler: ${(e as Error).message}`)).finally(() => {
      if (this.#stopped) return;
      if (this.pool) {
        every(this.pollMs, async () => {
          this.kick();
          await this.#checkCancels();
        });
      }
      every(Math.max(50, Math.floor(this.leaseMs / 3)), () => this.#beat());
      this.kick();
    });
  }

  /**
   * After a restart: runs left `running` by a process that is gone (its lease
   * lapsed, or it ran on this host and is no longer alive) resume from their
   * last checkpoint (back to the front of the queue), or are marked
   * `interrupted` without one. Runs other live processes train are left alone.
   */
  async recover(): Promise<{ resumed: string[]; interrupted: string[] }> {
    const runs = await this.store.runsWithStatus("running");
    return this.#takeOver(runs.map((r) => r.id));
  }

  /** Queues runs (one atomic write); throws QueueFullError when they don't fit. */
  submit(configs: TrainConfig[], experiment?: Omit<Experiment, "runIds">): Promise<Run[]> {
    const runs = newRuns(configs, experiment?.id);
    const exp = experiment ? { ...experiment, runIds: runs.map((r) => r.id) } : undefined;
    const p = this.store.createRuns(runs, exp);
    p.then(() => this.kick(), () => {});
    return p;
  }

  /**
   * Adds seeds to every cell of an experiment (one atomic write). Throws
   * when a seed is already there or the runs don't fit; null if no such experiment.
   */
  async addSeeds(
    id: string,
    seeds: number[],
  ): Promise<{ runs: Run[]; experiment: Experiment } | null> {
    const out = await this.store.extendExperiment(id, (exp) => {
      const dup = seeds.filter((s) => exp.seeds.includes(s));
      if (dup.length) throw new SeedsTakenError(`seeds: ${dup.join(", ")} already in experiment`);
      const runs = newRuns(gridConfigs(exp.settings, exp.cells, seeds), id);
      return {
        runs,
        experiment: {
          ...exp,
          seeds: [...exp.seeds, ...seeds],
          runIds: [...exp.runIds, ...runs.map((r) => r.id)],
        },
      };
    });
    if (out) this.kick();
    return out;
  }

  /**
   * Stops a queued or running run, whichever process trains it. Resolves with
   * the run once it has ended, or as it is after `waitMs`; null if there is no such run.
   */
  async cancel(id: string, waitMs = 10_000): Promise<Run | null> {
    const run = await this.store.getRun(id);
    if (!run) return null;
    if (isTerminal(run.status)) return run;
    const ended = this.#waitEnd(id, waitMs);
    if (run.status === "queued") {
      const r = await this.store.transition(id, ["queued"], {
        status: "cancelled",
        finishedAt: now(),
      });
      if (r) {
        this.#wake(id);
        return r;
      }
    }
    if (this.pool?.slotOf(id)) {
      this.#cancelLocal(id);
    } else {
      // Another process trains it: it sees the request within a poll. If that
      // process is gone, nobody would: the run ends here.
      await this.store.requestCancel(id);
      const r = await this.store.takeOver(id, () => ({ status: "cancelled", finishedAt: now() }));
      if (r) this.#wake(id);
    }
    await ended;
    return this.store.getRun(id);
  }

  /** Starts queued runs while workers are free. Safe to call any time. */
  kick(): void {
    if (this.#stopped || !this.pool) return;
    if (this.#kicking) {
      this.#kickAgain = true;
      return;
    }
    this.#kicking = true;
    void this.#dispatchLoop().catch((e) => this.log(`scheduler: ${(e as Error).message}`))
      .finally(() => {
        this.#kicking = false;
        if (this.#kickAgain) {
          this.#kickAgain = false;
          this.kick();
        }
      });
  }

  /** Stops the loops and timers (the pool and store are the caller's). */
  stop(): void {
    this.#stopped = true;
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    for (const t of this.#cancelTimers.values()) clearTimeout(t);
  }

  /**
   * stop(), stops the pool's workers, then gives up this process's leases and
   * its worker record, so other processes take its runs over at once rather
   * than after the lease (their runs resume from their checkpoints).
   */
  async shutdown(): Promise<void> {
    const owned = this.pool?.runIds ?? [];
    this.stop();
    if (!this.pool) return;
    this.pool.stop();
    await this.store.releaseLeases(this.workerId, owned);
    await this.store.removeWorker(this.workerId);
  }

  #lease(): Lease {
    const me = processIdentity();
    return { owner: this.workerId, ...me, until: Date.now() + this.leaseMs };
  }

  async #beat(): Promise<void> {
    if (this.pool?.info) {
      const owned = this.pool.runIds.filter((id) => !this.#lost.has(id));
      const lost = await this.store.renewLeases(
        this.workerId,
        owned,
        Date.now() + this.leaseMs,
        this.leaseMs,
      );
      // A run that just ended here released its lease too: only a live slot's run is lost.
      for (const id of lost) if (this.pool.slotOf(id)) this.#drop(id);
      const me = processIdentity();
      const pool = this.pool, info = this.pool.info;
      await this.#stored(() =>
        this.store.putWorker({
          id: this.workerId,
          ...me,
          backend: info.backend,
          adapter: info.adapter,
          datasets: this.datasets.names(),
          cores: navigator.hardwareConcurrency || 1,
          slots: pool.size,
          runs: pool.runIds,
          startedAt: this.#startedAt,
          heartbeatAt: now(),
          until: Date.now() + this.leaseMs,
        }, this.leaseMs * 2)
      );
    }
    if (this.#stopped) return;
    await this.#takeOver(await this.store.activeRunIds());
    this.#workers = await this.store.listWorkers();
    await this.sweep();
  }

  /** Prunes ended runs' events and leftover checkpoints (see store.ts); part of every heartbeat. */
  async sweep(at = Date.now()): Promise<void> {
    const r = await this.#stored(() =>
      this.store.sweepRetired(this.opts.retainEventsMs ?? RETAIN_EVENTS_MS, at)
    );
    if (r.runs) {
      this.log(`retention: ${r.runs} ended run(s) pruned (${r.events} events, ${r.chunks} chunks)`);
    }
  }

  /**
   * Runs a background KV write and tells the storage tracker how it went: a
   * failure it recognises (full disk, locked file) marks storage failing, a
   * success clears it. The error is rethrown.
   */
  async #stored<T>(write: () => Promise<T>): Promise<T> {
    try {
      const out = await write();
      this.opts.storage?.succeeded();
      return out;
    } catch (e) {
      const reason = storageFailure(e);
      if (reason) this.opts.storage?.failed(reason);
      throw e;
    }
  }

  /** Runs of gone owners: resumed from a checkpoint, or interrupted without one. */
  async #takeOver(ids: string[]): Promise<{ resumed: string[]; interrupted: string[] }> {
    const resumed: string[] = [];
    const interrupted: string[] = [];
    for (const id of ids) {
      if (this.pool?.slotOf(id)) continue;
      const run = await this.store.takeOver(id, (r, hasCheckpoint) => {
        if (r.epochsDone >= r.config.epochs) return { status: "done", finishedAt: now() };
        if (r.epochsDone > 0 && hasCheckpoint) return { status: "queued", requeue: true };
        return {
          status: "interrupted",
          finishedAt: now(),
          error: "the process training it stopped before this run's first epoch was recorded",
        };
      });
      if (run?.status === "queued") {
        this.log(`run ${id}: its worker is gone; queued to resume after epoch ${run.epochsDone}`);
        resumed.push(id);
      } else if (run?.status === "interrupted") {
        interrupted.push(id);
      }
    }
    if (resumed.length) this.kick();
    return { resumed, interrupted };
  }

  /** Cancels asked for (by any process) of runs trained here. */
  async #checkCancels(): Promise<void> {
    const owned = this.pool?.runIds.filter((id) => !this.#cancelling.has(id)) ?? [];
    if (!owned.length) return;
    for (const id of await this.store.cancelRequested(owned)) this.#cancelLocal(id);
  }

  async #dispatchLoop(): Promise<void> {
    const pool = this.pool;
    while (!this.#stopped && pool?.info) {
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
      void this.#startOn(slot, run);
    }
  }

  /** Claims the first queued run this process can train, or null. */
  async #claimNext(backend: string): Promise<Run | null> {
    for (const entry of await this.store.queued()) {
      const data = await this.#trainable(entry, backend);
      if (data === null) continue;
      // Class names go with the "running" status when the data set is already
      // loaded; otherwise #startOn records them once it is (never block here:
      // a first download can take minutes and other runs must still start).
      const classes = data ? this.datasets.loadedClasses(data) : undefined;
      const out = await this.store.claimRun(entry.id, this.#lease(), {
        startedAt: now(),
        backend,
        ...(classes ? { classes } : {}),
      }, this.leaseMs);
      if ("run" in out) return out.run;
      // A queue entry must never block the queue.
      if (out.missed === "stale") await this.store.dropStale(entry.id);
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
      const run = await this.store.getRun(e.id);
      if (!run) return "";
      data = run.config.data;
      wants = run.config.backend;
    }
    if (wants !== undefined && wants !== "auto" && wants !== backend) return null;
    if (this.datasets.check(data) === null) return data;
    const elsewhere = this.#workers.some((w) =>
      w.id !== this.workerId && w.datasets.includes(data) &&
      (wants === undefined || wants === "auto" || wants === w.backend)
    );
    return elsewhere ? null : data;
  }

  async #startOn(slot: Slot, run: Run): Promise<void> {
    const pool = this.pool!;
    try {
      const data = await this.datasets.get(run.config.data);
      if (data.classes.length > MAX_CLASSES) {
        // Each epoch's confusion matrix must fit in one KV value (64 KiB).
        throw new Error(
          `data set ${run.config.data} has ${data.classes.length} classes; the service records ` +
            `at most ${MAX_CLASSES} (use the CLI for more)`,
        );
      }
      if (!run.classes) await this.store.annotateRun(run.id, { classes: data.classes });
      const resume = await this.store.loadCheckpoint(run.id) ?? undefined;
      if (this.#cancelling.has(run.id) || slot.gone || pool.slotOf(run.id) !== slot) {
        if (pool.slotOf(run.id) === slot) pool.release(slot);
        this.#chain(run.id, () => this.#finish(run.id, "cancelled"));
        return;
      }
      if (resume) this.log(`run ${run.id}: resuming after epoch ${resume.epoch}`);
      pool.send(slot, {
        v: 1,
        type: "start",
        runId: run.id,
        config: run.config,
        data,
        resume,
      });
    } catch (e) {
      if (pool.slotOf(run.id) === slot) pool.release(slot);
      this.#chain(run.id, () => this.#finish(run.id, "failed", (e as Error).message));
    }
  }

  /** Asks this process's worker training `id` to stop; replaces it if it ignores that. */
  #cancelLocal(id: string): void {
    const pool = this.pool;
    const slot = pool?.slotOf(id);
    this.#cancelling.add(id);
    if (!pool || !slot) return;
    pool.send(slot, { v: 1, type: "cancel", runId: id });
    clearTimeout(this.#cancelTimers.get(id));
    this.#cancelTimers.set(
      id,
      setTimeout(() => {
        if (pool.slotOf(id) === slot && !slot.gone) {
          pool.replace(slot, `run ${id} ignored its cancel`);
          this.#chain(id, () => this.#finish(id, "cancelled"));
        }
      }, this.opts.cancelGraceMs ?? CANCEL_GRACE_MS),
    );
  }

  /** Another process holds this run's lease now: stop training it here, record nothing more. */
  #drop(id: string): void {
    if (this.#lost.has(id)) return;
    this.log(`run ${id}: another process took it over; stopping it here`);
    this.#lost.add(id);
    this.#cancelLocal(id);
  }

  #onMessage(slot: Slot, msg: FromWorker): void {
    if (msg?.v !== 1 || !("runId" in msg) || msg.runId === null) {
      this.log(`worker ${slot.index}: unexpected message ${JSON.stringify(msg)?.slice(0, 200)}`);
      return;
    }
    const id = msg.runId;
    switch (msg.type) {
      case "started":
        return;
      case "prepared":
        return this.#chain(id, async () => {
          await this.store.annotateRun(id, { prepared: msg.record });
        });
      case "progress":
        return this.#onProgress(id, msg.progress);
      case "epoch":
        return this.#chain(id, async () => {
          if (this.#lost.has(id)) return;
          try {
            const run = await this.#stored(() =>
              this.store.recordEpoch(id, msg.metrics, msg.checkpoint, this.workerId)
            );
            if (!run && (await this.store.getLease(id))?.owner !== this.workerId) this.#drop(id);
          } catch (e) {
            // Training on without recording would lose epochs: stop the run instead.
            const error = `could not record epoch ${msg.metrics.epoch}: ${(e as Error).message}`;
            this.log(`run ${id}: ${error}`);
            const owner = this.pool?.slotOf(id);
            if (owner === slot) this.pool!.send(slot, { v: 1, type: "cancel", runId: id });
            await this.#finish(id, "failed", error);
          }
        });
      case "done":
      case "cancelled":
      case "failed": {
        if (this.pool?.slotOf(id) === slot) this.pool.release(slot);
        const status = msg.type === "failed"
          ? "failed"
          : msg.type === "done"
          ? "done"
          : "cancelled";
        return this.#chain(
          id,
          () =>
            this.#finish(id, status, msg.type === "failed" ? msg.error : undefined, diverged(msg)),
        );
      }
    }
  }

  #onProgress(id: string, p: Omit<RunProgress, "runId">): void {
    if (this.#lost.has(id)) return;
    const t = performance.now();
    const publish = t - (this.#lastProgressAt.get(id) ?? -Infinity) >= PROGRESS_INTERVAL_MS;
    const persist = t - (this.#lastPersistAt.get(id) ?? -Infinity) >=
      (this.opts.progressMs ?? 500);
    if (!publish && !persist) return;
    if (publish) this.#lastProgressAt.set(id, t);
    if (persist) this.#lastPersistAt.set(id, t);
    const write = () =>
      this.store.putProgress({ runId: id, ...p }, { publish, persist, ttlMs: this.leaseMs * 2 });
    (persist ? this.#stored(write) : write())
      .catch((e) => this.log(`run ${id}: progress: ${(e as Error).message}`));
  }

  async #finish(
    id: string,
    status: "done" | "failed" | "cancelled",
    error?: string,
    more: Partial<Run> = {},
  ): Promise<void> {
    const patch: Partial<Run> & { status: RunStatus } = { status, finishedAt: now(), ...more };
    if (error !== undefined) patch.error = error;
    // Only while this process holds the lease: a run taken over ends elsewhere.
    await this.#stored(() =>
      this.store.transition(id, ["running"], patch, { owner: this.workerId })
    );
    this.#lastProgressAt.delete(id);
    this.#lastPersistAt.delete(id);
    this.#cancelling.delete(id);
    this.#lost.delete(id);
    clearTimeout(this.#cancelTimers.get(id));
    this.#cancelTimers.delete(id);
    this.#wake(id);
  }

  /** Runs `fn` after everything already queued for this run. */
  #chain(id: string, fn: () => Promise<void>): void {
    const prev = this.#chains.get(id) ?? Promise.resolve();
    const next = prev.then(fn).catch((e) => this.log(`run ${id}: ${(e as Error).message}`));
    this.#chains.set(id, next);
    next.then(() => {
      if (this.#chains.get(id) === next) this.#chains.delete(id);
    });
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
        this.store.getRun(id).then((r) => {
          if (!r || isTerminal(r.status)) done();
        }, () => {});
      }, CANCEL_POLL_MS);
      set.add(done);
      this.#waiters.set(id, set);
    });
  }

  #wake(id: string): void {
    const set = this.#waiters.get(id);
    this.#waiters.delete(id);
    for (const f of set ?? []) f();
  }
}
