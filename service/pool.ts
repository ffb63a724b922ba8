// A fixed number of training Web Workers (ml/worker.ts). The pool only
// spawns, tracks and replaces them, and it alone says which slot trains which
// run (reserve, assign, release); what a message means for a run is the
// scheduler's business (it connects its handlers once, when it is
// constructed with the pool). A worker that throws or dies is terminated and
// replaced, and its run reported as crashed, so the service keeps serving.
import type { FromWorker, ToWorker } from "../ml/protocol.ts";
import { allotThreads } from "./threads_allot.ts";

export interface WorkerInfo {
  backend: string;
  adapter: string;
}

/** A worker's place in the pool; only the pool changes it. */
export interface Slot {
  readonly index: number;
  readonly worker: Worker;
  /** The run it is training, or null when idle (or not ready yet). */
  readonly runId: string | null;
  /** Held for a run being claimed (runId still null). */
  readonly reserved: boolean;
  readonly ready: boolean;
  /** Set when it was terminated on purpose (crash, stuck cancel or shutdown). */
  readonly gone: boolean;
  /** Kernel threads its run was last allotted (allotThreads). */
  readonly threads: number;
}

type MutableSlot = { -readonly [K in keyof Slot]: Slot[K] };

export interface PoolHooks {
  /** A message about a run (everything but `ready` and run-less `failed`). */
  onMessage(slot: Slot, msg: FromWorker): void;
  /** The worker threw or died; `runId` is what it was training. It is being replaced. */
  onCrash(slot: Slot, runId: string | null, error: string): void;
  /** A worker became free (ready after a (re)start, or released). */
  onIdle(): void;
  log?(msg: string): void;
}

const WORKER_URL = new URL("../ml/worker.ts", import.meta.url);
const READY_TIMEOUT_MS = 120_000;
const RESPAWN_DELAY_MS = 1_000;

const NO_HOOKS: PoolHooks = { onMessage() {}, onCrash() {}, onIdle() {} };

export class WorkerPool {
  readonly #slots: MutableSlot[] = [];
  info: WorkerInfo | null = null;
  #backend: string;
  #stopped = false;
  #hooks: PoolHooks = NO_HOOKS;

  /**
   * `cores`: the cores the runs trained here share out as kernel threads (allotThreads; 1 keeps
   * every run on one thread); `threadCap`: the most threads one run may use.
   */
  constructor(
    backend: string,
    private url: URL = WORKER_URL,
    private cores = 1,
    private threadCap = cores,
  ) {
    this.#backend = backend;
  }

  get slots(): readonly Slot[] {
    return this.#slots;
  }

  /** The scheduler's handlers: it connects them once, when it is constructed with the pool. */
  connect(hooks: PoolHooks): void {
    if (this.#hooks !== NO_HOOKS) throw new Error("this pool already serves a scheduler");
    this.#hooks = hooks;
  }

  get size() {
    return this.slots.length;
  }

  get busy() {
    return this.slots.filter((s) => s.runId !== null).length;
  }

  /** Runs being trained here now. */
  get runIds(): string[] {
    return this.#slots.flatMap((s) => (s.runId !== null && !s.gone ? [s.runId] : []));
  }

  get readyCount() {
    return this.slots.filter((s) => s.ready).length;
  }

  /**
   * Starts the first worker (which resolves `auto` to a concrete backend),
   * then the rest with that backend; `size` maps the backend to a count.
   */
  async start(size: (info: WorkerInfo) => number): Promise<WorkerInfo> {
    const first = this.#spawn(0, this.#backend);
    this.#slots.push(first.slot);
    const info = await first.ready;
    this.info = info;
    this.#backend = info.backend;
    const n = Math.max(1, size(info));
    const rest = [];
    for (let i = 1; i < n; i++) {
      const s = this.#spawn(i, this.#backend);
      this.#slots.push(s.slot);
      rest.push(s.ready);
    }
    await Promise.all(rest);
    return info;
  }

  idle(): Slot | undefined {
    return this.#slots.find((s) => s.ready && s.runId === null && !s.reserved && !s.gone);
  }

  /** Holds an idle slot while a run is claimed for it; then assign() or unreserve(). */
  reserve(): Slot | undefined {
    const slot = this.idle() as MutableSlot | undefined;
    if (slot) slot.reserved = true;
    return slot;
  }

  unreserve(slot: Slot): void {
    (slot as MutableSlot).reserved = false;
  }

  /** The slot is now training `runId`. */
  assign(slot: Slot, runId: string): void {
    const s = slot as MutableSlot;
    s.reserved = false;
    s.runId = runId;
  }

  /** The slot training `runId`, if any. */
  slotOf(runId: string): Slot | undefined {
    return this.#slots.find((s) => s.runId === runId && !s.gone);
  }

  /**
   * Shares the cores out among the runs being trained or claimed (service/threads_allot.ts), and
   * tells each worker whose share changed. Call after every claim, and when a run ends.
   */
  allotThreads(): void {
    const busy = this.#slots.filter((s) => !s.gone && s.ready && (s.runId !== null || s.reserved));
    const shares = allotThreads(busy.length, this.cores, this.threadCap);
    busy.forEach((s, i) => {
      // A claim in progress holds its core; its run gets its share once assigned.
      const n = s.runId === null ? 1 : shares[i];
      if (s.threads === n) return;
      s.threads = n;
      this.send(s, { v: 1, type: "threads", n });
    });
  }

  send(slot: Slot, msg: ToWorker): void {
    slot.worker.postMessage(msg);
  }

  release(slot: Slot): void {
    const s = slot as MutableSlot;
    s.runId = null;
    s.reserved = false;
    if (!slot.gone) this.#hooks.onIdle();
  }

  /** Terminates a worker (e.g. one that ignores a cancel) and starts a fresh one in its slot. */
  replace(slot: Slot, why: string): void {
    if (slot.gone) return;
    const old = slot as MutableSlot;
    old.gone = true;
    old.ready = false;
    old.runId = null;
    old.worker.terminate();
    this.#hooks.log?.(`worker ${slot.index} terminated (${why}); starting a new one`);
    if (this.#stopped) return;
    const respawn = (attempt: number) => {
      const { slot: fresh, ready } = this.#spawn(slot.index, this.#backend);
      this.#slots[slot.index] = fresh;
      ready.then(() => this.#hooks.onIdle()).catch((e) => {
        this.#hooks.log?.(`worker ${slot.index} failed to start: ${(e as Error).message}`);
        fresh.gone = true;
        fresh.worker.terminate();
        if (!this.#stopped) {
          setTimeout(() => respawn(attempt + 1), RESPAWN_DELAY_MS * 2 ** Math.min(attempt, 5));
        }
      });
    };
    respawn(0);
  }

  stop(): void {
    this.#stopped = true;
    for (const s of this.#slots) {
      s.gone = true;
      s.worker.terminate();
    }
  }

  #spawn(index: number, backend: string): { slot: MutableSlot; ready: Promise<WorkerInfo> } {
    const worker = new Worker(this.url, { type: "module", name: backend });
    const slot: MutableSlot = {
      index,
      worker,
      runId: null,
      reserved: false,
      ready: false,
      gone: false,
      threads: 1,
    };
    let settle: { resolve(i: WorkerInfo): void; reject(e: Error): void } | null = null;
    const ready = new Promise<WorkerInfo>((resolve, reject) => (settle = { resolve, reject }));
    const timer = setTimeout(
      () => fail(new Error(`worker did not start within ${READY_TIMEOUT_MS / 1000} s`)),
      READY_TIMEOUT_MS,
    );
    const fail = (e: Error) => {
      clearTimeout(timer);
      settle?.reject(e);
      settle = null;
    };

    worker.onmessage = (e: MessageEvent<FromWorker>) => {
      const msg = e.data;
      if (slot.gone) return;
      if (msg?.type === "ready") {
        clearTimeout(timer);
        slot.ready = true;
        settle?.resolve({ backend: msg.backend, adapter: msg.adapter });
        settle = null;
        return;
      }
      if (msg?.type === "failed" && msg.runId === null) {
        if (!slot.ready) fail(new Error(msg.error));
        else this.#hooks.log?.(`worker ${index}: ${msg.error}`);
        return;
      }
      this.#hooks.onMessage(slot, msg);
    };
    const crash = (message: string) => {
      if (slot.gone) return;
      if (!slot.ready) {
        fail(new Error(message));
        return;
      }
      const runId = slot.runId;
      this.replace(slot, message);
      this.#hooks.onCrash(slot, runId, message);
    };
    worker.onerror = (e: ErrorEvent) => {
      // Without preventDefault an uncaught worker error would take the whole service down.
      e.preventDefault();
      crash(`worker crashed: ${e.message || "unknown error"}`);
    };
    worker.onmessageerror = () => crash("worker sent a message that could not be read");
    ready.catch(() => {}); // the caller awaits it; keep a rejection from being "unhandled" meanwhile
    return { slot, ready };
  }
}

/** A service's pool (main.ts, worker.ts): its runs share this machine's cores as kernel threads. */
export function servicePool(backend: string, runThreads?: number): WorkerPool {
  const cores = navigator.hardwareConcurrency || 1;
  return new WorkerPool(backend, WORKER_URL, cores, runThreads ?? cores);
}
