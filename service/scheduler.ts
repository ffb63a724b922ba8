// Turns queued runs into training, in any number of processes sharing one KV.
// Its parts: the dispatcher (claims queued runs this process can train, with
// a lease, and starts them on free workers), the lease keeper (the heartbeat:
// renews leases, takes over runs whose owner is gone, which resume from their
// last checkpoint), cancel coordination (a cancel reaches a run wherever it
// trains), and the recorder (a worker's messages become KV writes, in order).
//
// A process without a pool (LOSSBENCH_WORKERS=0) uses the same class for the
// API's side: submitting, cancelling, and taking over runs of dead workers.
import { cellKey, cellLabel, cellOf } from "../ml/cell.ts";
import type { TrainConfig } from "../ml/types.ts";
import { Cancels } from "./cancels.ts";
import type { Datasets } from "./datasets.ts";
import { Dispatcher } from "./dispatcher.ts";
import { SeedsTakenError } from "./errors.ts";
import { gridConfigs } from "./experiments.ts";
import { comparisonRuns } from "./tuning_plan.ts";
import { newId } from "./ids.ts";
import { LeaseKeeper } from "./lease_keeper.ts";
import type { WorkerPool } from "./pool.ts";
import { Recorder } from "./recorder.ts";
import { now, type SchedContext } from "./sched_context.ts";
import { storageFailure, type StorageHealth } from "./storage_health.ts";
import type { Store } from "./store.ts";
import type { Experiment, Run, RunProgress, WorkerRecord } from "./types.ts";

export { SeedsTakenError } from "./errors.ts";

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
  /** How long an ended run's events stay whole before they are pruned (see retention.ts). */
  retainEventsMs?: number;
}

/**
 * A run to queue with what its config alone does not say: a tuning stage's runs
 * belong to their experiment's cell (`cellKey`), whatever lr or params they try.
 */
export interface RunSpec {
  config: TrainConfig;
  cellKey?: string;
  label?: string;
  tune?: Run["tune"];
  stopAt?: number;
}

/** Queued run records for configs, labelled with their cells. */
function newRuns(specs: (TrainConfig | RunSpec)[], experimentId?: string): Run[] {
  const createdAt = now();
  return specs.map((x) => {
    const spec: RunSpec = "config" in x ? x : { config: x };
    const cell = cellOf(spec.config);
    return {
      id: newId(),
      status: "queued",
      config: spec.config,
      label: spec.label ?? cellLabel(cell),
      cellKey: spec.cellKey ?? cellKey(cell),
      createdAt,
      epochsDone: 0,
      ...(experimentId ? { experimentId } : {}),
      ...(spec.tune ? { tune: spec.tune } : {}),
      ...(spec.stopAt !== undefined ? { stopAt: spec.stopAt } : {}),
    };
  });
}

export class Scheduler {
  /** This process, as the owner of leases and in GET /api/workers. */
  readonly workerId = newId();
  readonly leaseMs: number;
  readonly pollMs: number;
  #timers: ReturnType<typeof setInterval>[] = [];
  #started = false;
  #stopped = false;
  #recorder: Recorder;
  #cancels: Cancels;
  #dispatcher: Dispatcher;
  #keeper: LeaseKeeper;

  /** `pool` is null in a process that only serves the API. */
  constructor(
    private store: Store,
    readonly pool: WorkerPool | null,
    datasets: Datasets,
    private opts: SchedulerOptions = {},
  ) {
    this.leaseMs = opts.leaseMs ?? 30_000;
    this.pollMs = opts.pollMs ?? 200;
    const ctx: SchedContext = {
      store,
      pool,
      datasets,
      workerId: this.workerId,
      leaseMs: this.leaseMs,
      log: this.log,
      storage: opts.storage,
      stopped: () => this.#stopped,
    };
    const recorder = this.#recorder = new Recorder(ctx, opts.progressMs);
    this.#cancels = new Cancels(
      ctx,
      (id) => recorder.chain(id, () => recorder.finish(id, "cancelled")),
      opts.cancelGraceMs,
    );
    recorder.cancels = this.#cancels;
    this.#dispatcher = new Dispatcher(ctx, recorder, this.#cancels, () => this.workers);
    ctx.dispatcherKick = () => this.kick();
    this.#keeper = new LeaseKeeper(ctx, this.#cancels, recorder, opts.retainEventsMs);
    pool?.connect({
      onMessage: (slot, msg) => recorder.onMessage(slot, msg),
      onCrash: (_slot, runId, error) => recorder.onCrash(runId, error),
      onIdle: () => this.kick(),
      log: this.log,
    });
  }

  private log = (msg: string) => (this.opts.log ?? console.log)(msg);

  /** Latest progress of a running run (ephemeral: from KV, or this process). */
  progress(runId: string): RunProgress | undefined {
    return this.store.progress(runId);
  }

  /** Live training processes, as of the latest heartbeat read (for health). */
  get workers(): readonly WorkerRecord[] {
    return this.#keeper?.workers ?? [];
  }

  /**
   * Starts the loops: looking for work and cancels (every pollMs, with a
   * pool), and the heartbeat (every third of the lease).
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
    void this.#keeper.beat().catch((e) => this.log(`scheduler: ${(e as Error).message}`))
      .finally(() => {
        if (this.#stopped) return;
        if (this.pool) {
          every(this.pollMs, async () => {
            this.kick();
            await this.#cancels.checkRequests();
          });
        }
        every(Math.max(50, Math.floor(this.leaseMs / 3)), () => this.#keeper.beat());
        this.kick();
      });
  }

  /**
   * After a restart: runs left `running` by a process that is gone (its lease
   * lapsed, or it ran on this host and is no longer alive) resume from their
   * last checkpoint (back to the front of the queue), or are marked
   * `interrupted` without one. Runs other live processes train are left alone.
   * When storage fails, the heartbeat does this later.
   */
  async recover(): Promise<{ resumed: string[]; interrupted: string[] }> {
    const runs = await this.store.runsWithStatus("running");
    try {
      return await this.#keeper.takeOver(runs.map((r) => r.id));
    } catch (e) {
      // A full disk at start: serve what is stored (reads work; changes are
      // 507) and take the runs over at a heartbeat once writes succeed again.
      const reason = storageFailure(e);
      if (!reason) throw e;
      this.opts.storage?.failed(reason);
      this.log(
        `storage: ${reason}; starting read-only: reads work, changes are refused (507) and ` +
          `training waits until writes succeed again (free disk space; nothing else to do)`,
      );
      return { resumed: [], interrupted: [] };
    }
  }

  /** Prunes ended runs' events and leftover checkpoints; part of every heartbeat. */
  sweep(at = Date.now()): Promise<void> {
    return this.#keeper.sweep(at);
  }

  /** Queued run records for specs (not written: the caller commits them). */
  newRuns(specs: (TrainConfig | RunSpec)[], experimentId?: string): Run[] {
    return newRuns(specs, experimentId);
  }

  /** Queues runs (one atomic write); throws QueueFullError when they don't fit. */
  submit(
    configs: (TrainConfig | RunSpec)[],
    experiment?: Omit<Experiment, "runIds">,
  ): Promise<Run[]> {
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
      const dup = seeds.filter((s) => exp.seeds.includes(s) || exp.tune?.seeds.includes(s));
      if (dup.length) {
        throw new SeedsTakenError(`seeds: ${dup.join(", ")} already in experiment`, "seeds");
      }
      // A tuned experiment's comparisons: the defaults, and each selected cell's choice.
      const runs = newRuns(
        exp.tune ? comparisonRuns(exp, seeds) : gridConfigs(exp.settings, exp.cells, seeds),
        id,
      );
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
  cancel(id: string, waitMs = 10_000): Promise<Run | null> {
    return this.#cancels.cancel(id, waitMs);
  }

  /** Starts queued runs while workers are free. Safe to call any time. */
  kick(): void {
    this.#dispatcher?.kick();
  }

  /** Stops the loops and timers (the pool and store are the caller's). */
  stop(): void {
    this.#stopped = true;
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    this.#cancels.stop();
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
    try {
      await this.store.releaseLeases(this.workerId, owned);
      await this.store.removeWorker(this.workerId);
    } catch (e) {
      // A full disk: the leases lapse instead, and the runs resume after them.
      if (!storageFailure(e)) throw e;
      this.log(`shutdown: leases not given back (${storageFailure(e)}); they lapse instead`);
    }
  }
}
