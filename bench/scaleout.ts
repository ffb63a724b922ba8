// Many processes, one KV: the throughput of a grid of short runs on one
// worker process vs two (each with one Web Worker), with an API-only process
// (LOSSBENCH_WORKERS=0) in front, all on one KV file; and the API process's
// CPU while idle and while serving a dashboard (an SSE stream plus the
// page's periodic GETs). Prints one JSON line.
//   deno run -A bench/scaleout.ts [--runs 8] [--epochs 2] [--train 4096]
import { startWorker, type WorkerProc } from "../tests/util/procs.ts";
import { startServer } from "../tests/util/server.ts";

const num = (name: string, d: number) => {
  const i = Deno.args.indexOf(name);
  return i >= 0 ? Number(Deno.args[i + 1]) : d;
};
const RUNS = num("--runs", 8);
const EPOCHS = num("--epochs", 2);
const TRAIN = num("--train", 4096);
const ENV = { LOSSBENCH_LEASE_MS: "10000", LOSSBENCH_POLL_MS: "200" };

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

async function cpuShare(pid: number, ms: number): Promise<number> {
  const c0 = cpuSeconds(pid), t0 = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  return (cpuSeconds(pid) - c0) / ((performance.now() - t0) / 1000);
}

async function grid(workers: number) {
  const dir = await Deno.makeTempDir({ prefix: "lossbench-bench-scaleout-" });
  const kvPath = `${dir}/lossbench.kv`;
  const srv = await startServer({ kvPath, env: { ...ENV, LOSSBENCH_WORKERS: "0" } });
  const procs: WorkerProc[] = [];
  try {
    for (let i = 0; i < workers; i++) {
      procs.push(await startWorker({ kvPath, cacheDir: `${dir}/cache`, env: ENV }));
    }
    const idle = await cpuShare(srv.proc.pid, 10_000);
    const t0 = performance.now();
    const ids: string[] = [];
    for (let seed = 1; seed <= RUNS; seed++) {
      const res = await fetch(`${srv.url}api/runs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          loss: "ce",
          seed,
          epochs: EPOCHS,
          data: "synthetic",
          trainLimit: TRAIN,
          testLimit: 256,
        }),
      });
      ids.push((await res.json()).id);
    }
    while (true) {
      const { runs } = await (await fetch(`${srv.url}api/runs`)).json();
      const mine = runs.filter((r: { id: string }) => ids.includes(r.id));
      if (mine.every((r: { status: string }) => r.status === "done")) break;
      if (mine.some((r: { status: string }) => ["failed", "interrupted"].includes(r.status))) {
        throw new Error(JSON.stringify(mine.map((r: { status: string }) => r.status)));
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    const seconds = (performance.now() - t0) / 1000;
    console.error(`${workers} worker process(es): ${RUNS} runs in ${seconds.toFixed(1)} s`);
    // A dashboard on the idle service: the live SSE stream, and its periodic reads.
    const stop = new AbortController();
    const sse = await fetch(`${srv.url}api/events`, { signal: stop.signal });
    const reading = sse.body!.pipeTo(new WritableStream());
    const page = setInterval(() => {
      for (const p of ["api/runs", "api/health", "api/workers"]) {
        fetch(srv.url + p).then((r) => r.arrayBuffer(), () => {});
      }
    }, 2000);
    const serving = await cpuShare(srv.proc.pid, 10_000);
    clearInterval(page);
    stop.abort();
    await reading.catch(() => {});
    return { workers, seconds, runsPerMinute: (RUNS * 60) / seconds, idle, serving };
  } finally {
    for (const p of procs) await p.kill();
    await srv.kill();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

const one = await grid(1);
const two = await grid(2);
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
console.log(JSON.stringify({
  bench: "scaleout",
  runs: RUNS,
  epochs: EPOCHS,
  trainLimit: TRAIN,
  cores: navigator.hardwareConcurrency,
  loadavg: Deno.loadavg().map((x) => round(x, 2)),
  oneWorkerSeconds: round(one.seconds, 2),
  twoWorkersSeconds: round(two.seconds, 2),
  throughputRatio: round(one.seconds / two.seconds, 2),
  apiIdleCpu: round(Math.max(one.idle, two.idle)),
  apiServingDashboardCpu: round(Math.max(one.serving, two.serving)),
}));
