// A kernel thread (see threads.ts): instantiates the kernels over the memory it is sent, then
// runs the jobs posted to its control block until asked to quit. Its loop never returns to the
// event loop: between jobs it sleeps in Atomics.wait.
import { parentPort } from "node:worker_threads";
import { kernelsModule } from "./runtime.ts";
import {
  BEAT_MS,
  CTL,
  envNumber,
  FAILED,
  GONE,
  HELPER_ORPHAN_MS,
  QUIT,
  THREADED,
} from "./threads.ts";

/**
 * How long a helper spins for the next job before sleeping (LOSSBENCH_THREAD_SPIN_MS, a bench
 * lever). None by default: on the 2-core machines measured, a spinning helper slowed the step's
 * own thread more than a sleeping one's wake-up cost (ConvNet step 0.93× with 2 ms of spin, 1.0×
 * without; bench, interleaved), and it would take cycles from other processes' runs.
 */
const IDLE_SPIN_MS = envNumber("LOSSBENCH_THREAD_SPIN_MS", 0);

parentPort!.once("message", (m: { memory: WebAssembly.Memory; ctl: SharedArrayBuffer }) => {
  const { memory, ctl } = m;
  const c = new Int32Array(ctl);
  const exports = new WebAssembly.Instance(kernelsModule(), { env: { memory } })
    .exports as unknown as Record<string, (...a: number[]) => void>;
  const kernels = THREADED.map((name) => exports[name]);
  parentPort!.postMessage("ready");
  let seen = 0;
  let beat = Atomics.load(c, CTL.beat);
  let quiet = performance.now();
  for (;;) {
    let s = Atomics.load(c, CTL.seq);
    const until = performance.now() + IDLE_SPIN_MS;
    while (s === seen && performance.now() < until) {
      for (let i = 0; s === seen && i < 1000; i++) s = Atomics.load(c, CTL.seq);
    }
    if (s === seen) {
      if (Atomics.wait(c, CTL.seq, seen, BEAT_MS * 4) === "timed-out") {
        const b = Atomics.load(c, CTL.beat);
        if (b !== beat) {
          beat = b;
          quiet = performance.now();
        } else if (performance.now() - quiet > HELPER_ORPHAN_MS) {
          // No beat: the owner's worker was terminated (or is stuck). Leave, unless a job came.
          if (Atomics.compareExchange(c, CTL.seq, seen, GONE) === seen) return;
        }
      }
      continue;
    }
    seen = s;
    const fn = c[CTL.fn];
    if (fn === QUIT) return;
    let done = s;
    try {
      kernels[fn](...c.subarray(CTL.args, CTL.args + c[CTL.argc]));
    } catch {
      done = FAILED;
    }
    Atomics.store(c, CTL.done, done);
    Atomics.notify(c, CTL.done);
    quiet = performance.now(); // a job is a sign of life too
  }
});
