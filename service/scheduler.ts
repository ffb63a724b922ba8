// Turns queued runs into training: takes the next run off the KV queue when a
// worker is free, hands it the shared data set (and a checkpoint when
// resuming), and turns the worker's messages into KV writes and events.
// Each run's messages are handled strictly in order (one promise chain per
// run), so an epoch is always recorded before the run is marked done.
import { cellKey, cellLabel, cellOf } from "../ml/cell.ts";
import type { FromWorker } from "../ml/protocol.ts";
import type { TrainConfig } from "../ml/types.ts";
import type { Datasets } from "./datasets.ts";
import type { EventBus } from "./event_bus.ts";
import { gridConfigs } from "./experiments.ts";
import { newId } from "./ids.ts";
import type { Slot, WorkerPool } from "./pool.ts";
import type { Store } from "./store.ts";
import { type Experiment, isTerminal, type Run, type RunProgress } from "./types.ts";

/** Most classes a run may have: a 100×100 confusion matrix still fits one KV value. */
const MAX_CLASSES = 100;

/** How long a running run may ignore a cancel before its worker is replaced. */
const CANCEL_GRACE_MS = 30_000;

export interface SchedulerOptions {
  log?: (msg: string) => void;
  cancelGraceMs?: number;
}
/** Minimum interval between progress events of one run. */
const PROGRESS_INTERVAL_MS = 250;

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
  #progress = new Map<string, RunProgress>();
  #lastProgressAt = new Map<string, number>();
  #chains = new Map<string, Promise<void>>();
  /** Runs whose cancel was asked for while they were starting or running. */
  #cancelling = new Set<string>();
  /** Resolvers waiting for runs to end (cancel's answer). */
  #waiters = new Map<string, Set<() => void>>();
  #cancelTimers = new Map<string, ReturnType<typeof setTimeout>>();
  #kicking = false;
  #kickAgain = false;
  #stopped = false;

  constructor(
    private store: Store,
    private pool: WorkerPool,
    private datasets: Datasets,
    private bus: EventBus,
    private opts: SchedulerOptions = {},
  ) {}

  private log = (msg: string) => (this.opts.log ?? console.log)(msg);

  /** Wires the pool's callbacks to this scheduler. */
  get poolHooks() {
    return {
      onMessage: (slot: Slot, msg: FromWorker) => this.#onMessage(slot, msg),
      onCrash: (_slot: Slot, runId: string | null, error: string) => {
        if (runId) this.#chain(runId, () => this.#finish(runId, "failed", error));
      },
      onIdle: () => this.kick(),
      log: this.log,
    };
  }

  /** Latest progress of a running run (ephemeral, in memory). */
  progress(runId: string): RunProgress | undefined {
    return this.#progress.get(runId);
  }

  /**
   * After a restart: runs left `running` resume from their last checkpoint
   * (back to the front of the queue), or are marked `interrupted` without one.
   */
  async recover(): Promise<{ resumed: string[]; interrupted: string[] }> {
    const resumed: string[] = [];
    const interrupted: string[] = [];
    for (const run of await this.store.runsWithStatus("running")) {
      if (run.epochsDone >= run.config.epochs) {
        await this.store.transition(run.id, ["running"], { status: "done", finishedAt: now() });
      } else if (run.epochsDone > 0 && (await this.store.kv.get(["ckpt", run.id])).value) {
        await this.store.transition(run.id, ["running"], { status: "queued" }, { requeue: true });
        resumed.push(run.id);
      } else {
        await this.store.transition(run.id, ["running"], {
          status: "interrupted",
          finishedAt: now(),
          error: "the service stopped before this run's first epoch was recorded",
        });
        interrupted.push(run.id);
      }
    }
    return { resumed, interrupted };
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
   * Stops a queued or running run. Resolves with the run once it has ended,
   * or as it is after `waitMs`; null if there is no such run.
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
    this.#cancelling.add(id);
    const slot = this.pool.slots.find((s) => s.runId === id);
    if (slot) {
      this.pool.send(slot, { v: 1, type: "cancel", runId: id });
      clearTimeout(this.#cancelTimers.get(id));
      this.#cancelTimers.set(
        id,
        setTimeout(() => {
          if (slot.runId === id && !slot.gone) {
            this.pool.replace(slot, `run ${id} ignored its cancel`);
            slot.runId = null;
            this.#chain(id, () => this.#finish(id, "cancelled"));
          }
        }, this.opts.cancelGraceMs ?? CANCEL_GRACE_MS),
      );
    } else {
      // Running in KV but on no worker (can't normally happen): just record it.
      this.#chain(id, () => this.#finish(id, "cancelled"));
    }
    await ended;
    return this.store.getRun(id);
  }

  /** Starts queued runs while workers are free. Safe to call any time. */
  kick(): void {
    if (this.#stopped) return;
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

  stop(): void {
    this.#stopped = true;
    for (const t of this.#cancelTimers.values()) clearTimeout(t);
  }

  async #dispatchLoop(): Promise<void> {
    while (!this.#stopped) {
      const slot = this.pool.idle();
      if (!slot) return;
      const id = await this.store.peekQueue();
      if (!id) return;
      // Class names go with the "running" status when the data set is already
      // loaded; otherwise #startOn records them once it is (never block here:
      // a first download can take minutes and other runs must still start).
      const config = (await this.store.getRun(id))?.config;
      const classes = config && this.datasets.loadedClasses(config.data);
      const run = await this.store.transition(id, ["queued"], {
        status: "running",
        startedAt: now(),
        backend: this.pool.info?.backend,
        ...(classes ? { classes } : {}),
      });
      if (!run) {
        await this.store.dropStale(id); // a queue entry must never block the queue
        continue;
      }
      slot.runId = id; // reserve the worker before any await below
      void this.#startOn(slot, run);
    }
  }

  async #startOn(slot: Slot, run: Run): Promise<void> {
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
      if (this.#cancelling.has(run.id) || slot.gone || slot.runId !== run.id) {
        if (slot.runId === run.id) this.pool.release(slot);
        this.#chain(run.id, () => this.#finish(run.id, "cancelled"));
        return;
      }
      if (resume) this.log(`run ${run.id}: resuming after epoch ${resume.epoch}`);
      this.pool.send(slot, {
        v: 1,
        type: "start",
        runId: run.id,
        config: run.config,
        data,
        resume,
      });
    } catch (e) {
      if (slot.runId === run.id) this.pool.release(slot);
      this.#chain(run.id, () => this.#finish(run.id, "failed", (e as Error).message));
    }
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
          try {
            await this.store.recordEpoch(id, msg.metrics, msg.checkpoint);
          } catch (e) {
            // Training on without recording would lose epochs: stop the run instead.
            const error = `could not record epoch ${msg.metrics.epoch}: ${(e as Error).message}`;
            this.log(`run ${id}: ${error}`);
            if (slot.runId === id) this.pool.send(slot, { v: 1, type: "cancel", runId: id });
            await this.#finish(id, "failed", error);
          }
        });
      case "done":
      case "cancelled":
      case "failed": {
        if (slot.runId === id) this.pool.release(slot);
        const status = msg.type === "failed"
          ? "failed"
          : msg.type === "done"
          ? "done"
          : "cancelled";
        return this.#chain(
          id,
          () => this.#finish(id, status, msg.type === "failed" ? msg.error : undefined),
        );
      }
    }
  }

  #onProgress(id: string, p: Omit<RunProgress, "runId">): void {
    const t = performance.now();
    const progress = { runId: id, ...p };
    this.#progress.set(id, progress);
    if (t - (this.#lastProgressAt.get(id) ?? -Infinity) < PROGRESS_INTERVAL_MS) return;
    this.#lastProgressAt.set(id, t);
    this.bus.publish({ seq: this.store.lastSeq, type: "progress", runId: id, data: progress });
  }

  async #finish(
    id: string,
    status: "done" | "failed" | "cancelled",
    error?: string,
  ): Promise<void> {
    const patch: Partial<Run> & { status: typeof status } = { status, finishedAt: now() };
    if (error !== undefined) patch.error = error;
    await this.store.transition(id, ["running"], patch);
    this.#progress.delete(id);
    this.#lastProgressAt.delete(id);
    this.#cancelling.delete(id);
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

  #waitEnd(id: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const set = this.#waiters.get(id) ?? new Set();
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
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
