// Intra-op threads for the wasm kernels: helper Web Workers that instantiate
// the same module over this thread's (shared) memory and run a slice of a
// kernel's outputs each, while this thread runs the first slice. A kernel is
// split only along outputs whose sums don't span the split (images of a conv,
// taps of a filter gradient, a GEMM's column panels or row strips), so every float is the same sum in the same order
// as on one thread: the bits don't depend on the thread count.
//
// Jobs go through a small shared control block per helper (Atomics): no
// messages on the hot path. Helpers spin briefly after a job (the next kernel
// of the step follows within microseconds), then sleep in Atomics.wait.
// node:worker_threads rather than Web Workers: an unref'd helper, asleep in Atomics.wait, must
// not keep a CLI or a test process alive once its work is done.
import { Worker } from "node:worker_threads";
import { type Exports, type WasmRuntime, wasmRuntime } from "./runtime.ts";

/** The kernels a helper may run: their index is the job's function code. */
export const THREADED = [
  "conv2d",
  "conv2dWide",
  "conv2dBackpropFilter",
  "conv2dWideBackpropFilter",
  "conv2dBackpropInput",
  "gemm",
  "conv2dBackpropFilter4",
] as const satisfies readonly (keyof Exports)[];
export type Threaded = typeof THREADED[number];

/**
 * Control block (Int32 words): job number posted, job number done, function, argc, args (up to
 * 26), the owner's heartbeat. A helper that leaves sets `seq` to GONE.
 */
export const CTL = { seq: 0, done: 1, fn: 2, argc: 3, args: 4, beat: 30, words: 32 } as const;
export const GONE = -1;
/**
 * The owner beats this often; a helper that sees no beat for HELPER_ORPHAN_MS leaves. Terminating
 * a Web Worker leaves its node:worker_threads children behind, asleep: a worker the pool replaced
 * (crashed, or stuck on a cancel) would otherwise leak its helpers.
 */
export const BEAT_MS = 250;
export const HELPER_ORPHAN_MS = 5_000;
/** `done` when a helper has instantiated the module; `fn` that asks a helper to exit. */
export const READY = -1;
export const QUIT = -1;
/** `done` after a job that trapped (the helper's error is lost; the caller reruns it here). */
export const FAILED = -2;

/** A number from the environment (bench levers), else `d` (also without --allow-env). */
export function envNumber(name: string, d: number): number {
  try {
    const v = Deno.env.get(name);
    return v === undefined ? d : Number(v);
  } catch {
    return d;
  }
}

interface Helper {
  worker: Worker;
  ctl: Int32Array;
  ready: boolean;
  failed: boolean;
  seq: number;
}

/**
 * Main-thread spin before sleeping on a helper's answer (LOSSBENCH_THREAD_WAIT_SPIN loads, a
 * bench lever). None by default: spinning here slowed the helper's slice on the 2-core machines
 * measured (ConvNet step on 2 threads 0.93× one thread with 200 000 loads of spin, 1.09× without).
 */
const WAIT_SPIN = envNumber("LOSSBENCH_THREAD_WAIT_SPIN", 0);
/**
 * The least work (multiply-adds) worth a slice: handing a slice over and collecting it costs
 * some microseconds and the caches' warmth, which small kernels (the ConvNet's dense layers) lose.
 */
const MIN_SLICE_MACS = envNumber("LOSSBENCH_THREAD_MIN_MACS", 2e6);
/** A helper that takes this long for a slice is gone (a slice takes milliseconds). */
const ANSWER_MS = 60_000;

export class KernelThreads {
  #helpers: Helper[] = [];
  #want = 1;
  #beat = 0;
  /** The least multiply-adds a slice gets (tests lower it to split small kernels). */
  minSliceMacs = MIN_SLICE_MACS;
  /** Slices the helpers answered (tests: the threads really ran). */
  helperSlices = 0;

  constructor(private readonly rt: WasmRuntime) {}

  /** Threads a kernel may use from now on, this one included (helpers start in the background). */
  set(n: number): void {
    this.#want = Math.max(1, Math.floor(n));
    while (this.#helpers.length < this.#want - 1) this.#spawn();
    // Helpers past the count sleep in Atomics.wait until asked again; `close` ends them.
  }

  /** Threads a kernel would use now: this one and the ready helpers within the count. */
  get size(): number {
    return 1 + this.#active().length;
  }

  #active(): Helper[] {
    // A helper that left (its owner looked dead to it: blocked for seconds) is replaced.
    const left = this.#helpers.filter((h) => Atomics.load(h.ctl, CTL.seq) === GONE);
    if (left.length) {
      this.#helpers = this.#helpers.filter((h) => !left.includes(h));
      this.set(this.#want);
    }
    return this.#helpers.slice(0, this.#want - 1).filter((h) => h.ready);
  }

  /** Resolves once every helper within the count can take jobs (tests, the bench). */
  async ready(): Promise<void> {
    while (this.size < Math.min(this.#want, this.#helpers.length + 1)) {
      if (this.#helpers.slice(0, this.#want - 1).some((h) => h.failed)) {
        throw new Error("a kernel thread failed to start");
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Ends the helpers (a worker's shutdown, tests). */
  close(): void {
    for (const h of this.#helpers) {
      h.ctl[CTL.fn] = QUIT;
      Atomics.store(h.ctl, CTL.seq, ++h.seq);
      Atomics.notify(h.ctl, CTL.seq);
      h.worker.terminate();
    }
    this.#helpers = [];
    this.#want = 1;
    clearInterval(this.#beat);
    this.#beat = 0;
  }

  /**
   * Runs `fn` over [0, total) in slices of whole `align` units, one per thread; `args(lo, hi)`
   * gives a slice's argument list (all int32: pointers and sizes). One thread: one call. `macs`,
   * the kernel's multiply-adds, bounds the threads: each slice gets minSliceMacs at least.
   */
  run(
    fn: Threaded,
    total: number,
    align: number,
    macs: number,
    args: (lo: number, hi: number) => number[],
  ) {
    const units = Math.ceil(total / align);
    // A slice must be worth a thread's hand-off: small kernels stay on this one.
    const most = Math.min(this.#want, units, Math.floor(macs / this.minSliceMacs));
    const helpers = this.#active().slice(0, most - 1);
    const kernel = this.rt.exports[fn];
    if (!helpers.length) {
      kernel(...args(0, total));
      return;
    }
    const threads = helpers.length + 1;
    const cut = (t: number) => Math.min(total, Math.round((units * t) / threads) * align);
    const posted = helpers.map((h, i) => {
      const a = args(cut(i + 1), cut(i + 2));
      h.ctl[CTL.fn] = THREADED.indexOf(fn);
      h.ctl[CTL.argc] = a.length;
      h.ctl.set(a, CTL.args);
      // Unless the helper left just now (seq = GONE): then its slice runs here.
      if (Atomics.compareExchange(h.ctl, CTL.seq, h.seq, h.seq + 1) !== h.seq) return false;
      h.seq++;
      Atomics.notify(h.ctl, CTL.seq);
      return true;
    });
    kernel(...args(0, cut(1)));
    helpers.forEach((h, i) => {
      if (!posted[i]) {
        kernel(...args(cut(i + 1), cut(i + 2)));
        return;
      }
      let d = Atomics.load(h.ctl, CTL.done);
      for (let s = 0; d !== h.seq && d !== FAILED && s < WAIT_SPIN; s++) {
        d = Atomics.load(h.ctl, CTL.done);
      }
      const until = performance.now() + ANSWER_MS;
      while (d !== h.seq && d !== FAILED) {
        if (performance.now() > until) {
          // Its slice can't be rerun here while it may still be writing: the run fails.
          h.ready = false;
          throw new Error(`kernel thread gave no answer to ${fn} in ${ANSWER_MS / 1000} s`);
        }
        Atomics.wait(h.ctl, CTL.done, d, 50);
        d = Atomics.load(h.ctl, CTL.done);
      }
      if (d === h.seq) {
        this.helperSlices++;
        return;
      }
      // A helper's trap (a bug): its slice is rerun here, where the trap throws with a stack.
      h.ready = false;
      kernel(...args(cut(i + 1), cut(i + 2)));
    });
  }

  #spawn(): void {
    const ctl = new Int32Array(new SharedArrayBuffer(CTL.words * 4));
    const worker = new Worker(new URL("./thread_worker.ts", import.meta.url), {
      name: "kernel-thread",
    });
    const h: Helper = { worker, ctl, ready: false, failed: false, seq: 0 };
    worker.on("message", (m) => {
      if (m === "ready") h.ready = true;
    });
    worker.on("error", () => {
      h.ready = false; // never handed a job again
      h.failed = true;
    });
    worker.postMessage({ memory: this.rt.memory, ctl: ctl.buffer });
    worker.unref();
    this.#helpers.push(h);
    if (!this.#beat) {
      this.#beat = setInterval(() => {
        for (const x of this.#helpers) Atomics.add(x.ctl, CTL.beat, 1);
      }, BEAT_MS) as unknown as number;
      Deno.unrefTimer(this.#beat); // the beat never keeps a process alive
    }
  }
}

let threads: KernelThreads | undefined;

/** This thread's kernel threads (one thread until `set` asks for more). */
export function kernelThreads(): KernelThreads {
  return threads ??= new KernelThreads(wasmRuntime());
}

/**
 * A lone run in this process (the CLI, the study's --check): its kernels split over every core,
 * at most LOSSBENCH_RUN_THREADS. Returns the count.
 */
export function loneRunThreads(): number {
  const n = Math.min(
    navigator.hardwareConcurrency || 1,
    envNumber("LOSSBENCH_RUN_THREADS", Infinity),
  );
  kernelThreads().set(n);
  return n;
}
