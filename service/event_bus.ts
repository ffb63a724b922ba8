// In-memory fan-out of events to subscribers (SSE clients). Publishing never
// waits on a subscriber: each has a bounded buffer in which progress is
// coalesced (only the newest per run is kept) and durable events are never
// dropped — a subscriber that falls too far behind on those is closed, so its
// client reconnects and replays them from KV with Last-Event-ID.
import type { ServiceEvent } from "./types.ts";

/** A heartbeat, or an event to send. */
export type Item = { type: "heartbeat" } | ServiceEvent;

export interface SubscriberOptions {
  /** Which events this subscriber wants. */
  filter?: (e: ServiceEvent) => boolean;
  /** Durable events buffered before the subscriber is closed as too slow. */
  maxDurable?: number;
  /** Called once when it closes, with the reason. */
  onClose?: (reason: "overflow" | "closed") => void;
  /** Who holds it (e.g. the client's address), for per-client limits. */
  client?: string;
}

export class Subscriber {
  #queue: Item[] = [];
  #durable = 0;
  #waiter: ((v: Item | null) => void) | null = null;
  #closed = false;
  /** Why it was closed: "overflow" when the client fell behind. */
  reason: "overflow" | "closed" | null = null;
  readonly maxDurable: number;
  readonly client: string | undefined;

  constructor(private bus: EventBus, private opts: SubscriberOptions) {
    this.filter = opts.filter ?? (() => true);
    this.maxDurable = opts.maxDurable ?? 1000;
    this.client = opts.client;
  }

  readonly filter: (e: ServiceEvent) => boolean;

  get closed() {
    return this.#closed;
  }

  /** Buffered items (for tests and health). */
  get buffered() {
    return this.#queue.length;
  }

  push(item: Item): void {
    if (this.#closed) return;
    if (this.#waiter) {
      const w = this.#waiter;
      this.#waiter = null;
      w(item);
      return;
    }
    if (item.type === "heartbeat" || item.type === "progress") {
      // Drop a pending one of the same kind (and run): a slow client gets the
      // latest only. The new one goes last, so ids never go backwards.
      const runId = item.type === "progress" ? item.runId : null;
      const i = this.#queue.findIndex((q) =>
        q.type === item.type && (q.type === "heartbeat" || q.runId === runId)
      );
      if (i >= 0) this.#queue.splice(i, 1);
      this.#queue.push(item);
      return;
    }
    if (this.#durable >= this.maxDurable) {
      this.close("overflow");
      return;
    }
    this.#durable++;
    this.#queue.push(item);
  }

  /** The next item; null once closed (buffered items are dropped on close). */
  next(): Promise<Item | null> {
    if (this.#closed) return Promise.resolve(null);
    const item = this.#queue.shift();
    if (item) {
      if (item.type !== "heartbeat" && item.type !== "progress") this.#durable--;
      return Promise.resolve(item);
    }
    return new Promise((resolve) => (this.#waiter = resolve));
  }

  close(reason: "overflow" | "closed" = "closed"): void {
    if (this.#closed) return;
    this.#closed = true;
    this.reason = reason;
    this.#queue = [];
    this.bus.remove(this);
    const w = this.#waiter;
    this.#waiter = null;
    w?.(null);
    this.opts.onClose?.(reason);
  }
}

export class EventBus {
  #subs = new Set<Subscriber>();
  #perClient = new Map<string, number>();
  #taps = new Set<(e: ServiceEvent) => void>();

  /**
   * Calls `fn` with every event as it is published: for in-process observers
   * (a cache that must hear of changes), not clients. Returns the way to stop.
   */
  tap(fn: (e: ServiceEvent) => void): () => void {
    this.#taps.add(fn);
    return () => this.#taps.delete(fn);
  }

  subscribe(opts: SubscriberOptions = {}): Subscriber {
    const s = new Subscriber(this, opts);
    this.#subs.add(s);
    if (s.client !== undefined) {
      this.#perClient.set(s.client, (this.#perClient.get(s.client) ?? 0) + 1);
    }
    return s;
  }

  /** Open subscribers held by `client`. */
  countFor(client: string): number {
    return this.#perClient.get(client) ?? 0;
  }

  publish(e: ServiceEvent): void {
    for (const t of this.#taps) t(e);
    for (const s of this.#subs) if (s.filter(e)) s.push(e);
  }

  remove(s: Subscriber): void {
    if (!this.#subs.delete(s) || s.client === undefined) return;
    const n = (this.#perClient.get(s.client) ?? 1) - 1;
    if (n > 0) this.#perClient.set(s.client, n);
    else this.#perClient.delete(s.client);
  }

  get size() {
    return this.#subs.size;
  }

  closeAll(): void {
    for (const s of [...this.#subs]) s.close();
  }
}
