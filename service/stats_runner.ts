// The main thread's side of service/stats_worker.ts: one worker, started on
// first use and kept; requests are answered in order. Until the worker has
// loaded (seconds on a busy machine) statistics are computed here, as they
// always were. A PointError thrown there is a PointError here (the caller's
// 400); any other error, or a worker that dies, is a plain Error (a 500); a
// dead worker is replaced on the next use.
import { type ExperimentStats, experimentStats, PointError } from "../stats/experiment.ts";
import { StatsOptionError } from "../stats/family.ts";
import type { StatsArgs, StatsReply, StatsRequest } from "./stats_worker.ts";

type Pending = { resolve(v: ExperimentStats): void; reject(e: Error): void };

export class StatsRunner {
  #worker: Worker | null = null;
  #ready: Promise<void> | null = null;
  #loaded = false;
  #pending = new Map<number, Pending>();
  #next = 0;

  run(...args: StatsArgs): Promise<ExperimentStats> {
    void this.ready();
    if (!this.#loaded) {
      try {
        return Promise.resolve(experimentStats(...args));
      } catch (e) {
        return Promise.reject(e);
      }
    }
    const id = ++this.#next;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker!.postMessage({ id, args } satisfies StatsRequest);
    });
  }

  /** Starts the worker if it is not running; resolves once it has loaded. */
  ready(): Promise<void> {
    return this.#ready ??= new Promise<void>((resolve) => {
      const w = new Worker(new URL("./stats_worker.ts", import.meta.url).href, { type: "module" });
      w.onmessage = ({ data }: MessageEvent<StatsReply | "ready">) => {
        if (data === "ready") {
          this.#loaded = true;
          return resolve();
        }
        const p = this.#pending.get(data.id);
        if (!p) return;
        this.#pending.delete(data.id);
        if ("pointError" in data) p.reject(new PointError(data.pointError));
        else if ("optionError" in data) p.reject(new StatsOptionError(data.optionError));
        else if ("error" in data) p.reject(new Error(`statistics: ${data.error}`));
        else p.resolve(data.stats as ExperimentStats);
      };
      w.onerror = (e: ErrorEvent) => {
        e.preventDefault(); // an uncaught worker error must not take the service down
        this.#fail(new Error(`statistics worker crashed: ${e.message || "unknown error"}`));
        resolve();
      };
      this.#worker = w;
    });
  }

  /** Stops the worker (tests); what it held fails. */
  stop(): void {
    this.#fail(new Error("statistics worker stopped"));
  }

  #fail(e: Error): void {
    this.#worker?.terminate();
    this.#worker = null;
    this.#ready = null;
    this.#loaded = false;
    for (const p of this.#pending.values()) p.reject(e);
    this.#pending.clear();
  }
}
