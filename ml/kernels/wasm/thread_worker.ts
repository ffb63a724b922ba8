// A kernel thread (see threads.ts): instantiates the kernels over the memory it is sent, then
// runs the jobs posted to its control block until asked to quit. Its loop never returns to the
// event loop: it spins a little after each job (the step's next kernel follows at once), then
// sleeps in Atomics.wait.
import { parentPort } from "node:worker_threads";
import { kernelsModule } from "./runtime.ts";
import { CTL, FAILED, QUIT, THREADED } from "./threads.ts";

/**
 * How long a helper spins for the next job before sleeping. A step's kernels follow each other
 * within a millisecond, and waking a sleeping thread costs tens to hundreds of microseconds.
 */
const IDLE_SPIN_MS = Number(Deno.env.get("LOSSBENCH_THREAD_SPIN_MS") ?? 2);

parentPort!.once("message", (m: { memory: WebAssembly.Memory; ctl: SharedArrayBuffer }) => {
  const { memory, ctl } = m;
  const c = new Int32Array(ctl);
  const exports = new WebAssembly.Instance(kernelsModule(), { env: { memory } })
    .exports as unknown as Record<string, (...a: number[]) => void>;
  const kernels = THREADED.map((name) => exports[name]);
  parentPort!.postMessage("ready");
  let seen = 0;
  for (;;) {
    let s = Atomics.load(c, CTL.seq);
    const until = performance.now() + IDLE_SPIN_MS;
    while (s === seen && performance.now() < until) {
      for (let i = 0; s === seen && i < 1000; i++) s = Atomics.load(c, CTL.seq);
    }
    if (s === seen) {
      Atomics.wait(c, CTL.seq, seen);
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
  }
});
