// Follows the KV event log and the ephemeral progress records for one
// process, and hands them on in order: durable events strictly by sequence
// number (SSE ids depend on it), progress whenever a run's record changes.
// Every process that serves events runs one, so all of them show every run,
// whichever process wrote it.
//
// A local file's watch() does not see other processes' writes (denoland/deno
// #21640), so the log is polled (`pollMs`, ≤ 250 ms); the store also nudges it
// right after each of its own commits, and a watch stream (KV Connect, where
// watch works) nudges it too.
import type {
  DeletedEvent,
  DurableEvent,
  ProgressEvent,
  RunProgress,
  ServiceEvent,
} from "./types.ts";

export interface LogSource {
  /** The latest sequence number committed, and the queue's length. */
  head(): Promise<{ seq: number; queued: number }>;
  /** Durable events in (after, upTo], oldest first, at most `limit`. */
  events(after: number, upTo: number, limit: number): Promise<DurableEvent[]>;
  /** Every progress record in KV, with its versionstamp and writer. */
  progress(): Promise<{ runId: string; versionstamp: string; writer: string; data: RunProgress }[]>;
}

export interface EventLogOptions {
  /** Receives every event, in order. */
  deliver: (e: ServiceEvent) => void;
  /** This process's id: its own progress records are delivered when written, not again. */
  self: string;
  startSeq: number;
  startQueued: number;
  pollMs: number;
  /** A stream that yields whenever the head may have moved (KV watch), if there is one. */
  watch?: () => AsyncIterable<unknown>;
  log?: (msg: string) => void;
}

const PAGE = 500;

export class EventLog {
  #delivered: number;
  #queued: number;
  #chain: Promise<void> = Promise.resolve();
  #pending = false;
  #timer: ReturnType<typeof setInterval> | undefined;
  #seenProgress = new Map<string, string>();
  #progress = new Map<string, RunProgress>();
  #stopped = false;

  constructor(private src: LogSource, private opts: EventLogOptions) {
    this.#delivered = opts.startSeq;
    this.#queued = opts.startQueued;
  }

  /** Sequence number of the latest event delivered. */
  get delivered(): number {
    return this.#delivered;
  }

  /** The queue's length as of the latest read. */
  get queued(): number {
    return this.#queued;
  }

  /** A running run's latest progress, from KV or this process. */
  progress(runId: string): RunProgress | undefined {
    return this.#progress.get(runId);
  }

  start(): void {
    if (this.opts.pollMs > 0) {
      this.#timer = setInterval(() => void this.#nudge(), this.opts.pollMs);
    }
    if (this.opts.watch) void this.#follow(this.opts.watch);
  }

  stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    return this.#chain;
  }

  /** Reads and delivers everything committed so far (resolves once it has). */
  catchUp(): Promise<void> {
    const next = this.#chain.then(() => this.#read());
    this.#chain = next.catch((e) => this.opts.log?.(`event log: ${(e as Error).message}`));
    return next;
  }

  /** Delivers an event this process made itself (progress, deletions), after those before it. */
  publishLocal(e: ProgressEvent | Omit<DeletedEvent, "seq">): Promise<void> {
    const next = this.#chain.then(() => {
      if (e.type === "progress") this.#progress.set(e.runId, e.data);
      else this.#progress.delete(e.runId);
      this.opts.deliver({ ...e, seq: this.#delivered } as ServiceEvent);
    });
    this.#chain = next.catch(() => {});
    return next;
  }

  /** A timer tick: skipped while a read is still going. */
  #nudge(): Promise<void> {
    if (this.#pending || this.#stopped) return Promise.resolve();
    this.#pending = true;
    return this.catchUp().catch(() => {}).finally(() => (this.#pending = false));
  }

  async #follow(watch: () => AsyncIterable<unknown>): Promise<void> {
    try {
      for await (const _ of watch()) {
        if (this.#stopped) return;
        void this.#nudge();
      }
    } catch (e) {
      if (!this.#stopped) this.opts.log?.(`event log: watch ended: ${(e as Error).message}`);
    }
  }

  async #read(): Promise<void> {
    const head = await this.src.head();
    this.#queued = head.queued;
    while (this.#delivered < head.seq) {
      const page = await this.src.events(this.#delivered, head.seq, PAGE);
      for (const e of page) {
        this.#delivered = e.seq;
        if (e.type === "status" && e.data.status !== "running") this.#progress.delete(e.runId);
        this.opts.deliver(e);
      }
      // Events of a deleted run leave holes in the log: skip past them.
      if (page.length < PAGE) this.#delivered = head.seq;
    }
    const seen = new Set<string>();
    for (const p of await this.src.progress()) {
      seen.add(p.runId);
      if (this.#seenProgress.get(p.runId) === p.versionstamp) continue;
      this.#seenProgress.set(p.runId, p.versionstamp);
      if (p.writer === this.opts.self) continue;
      this.#progress.set(p.runId, p.data);
      this.opts.deliver({ seq: this.#delivered, type: "progress", runId: p.runId, data: p.data });
    }
    for (const id of this.#seenProgress.keys()) {
      if (seen.has(id)) continue;
      this.#seenProgress.delete(id);
      this.#progress.delete(id);
    }
  }
}
