// `deno task memory [runs] [--epochs N] [--json FILE]`: starts the real
// service on loopback with a fresh KV, trains `runs` (default 50) short
// synthetic runs one after another, and prints the server process's resident
// memory (VmRSS from /proc/<pid>/status; the training Web Workers are threads
// of the same process, so their heaps count) and the KV file's size after
// each. The summary fits a line to the runs after warm-up: a leak shows as a
// slope, noise as a spread.
import { startServer } from "../tests/util/server.ts";
import {
  freePort,
  HeapProbe,
  kvBytes,
  type MemoryRow,
  rssKiB,
  summarise,
  trainRun,
} from "./soak_lib.ts";

export interface MemoryOptions {
  runs: number;
  epochs: number;
  /** Training images per run. */
  train?: number;
  warmup: number;
  /** Called with each row as it is measured. */
  onRow?: (row: MemoryRow) => void;
  env?: Record<string, string>;
  /** KV file to use (kept afterwards); default: a temporary one. */
  kvPath?: string;
}

/** Trains `runs` runs one by one on a fresh server; one row per run. */
export async function measureMemory(opts: MemoryOptions): Promise<MemoryRow[]> {
  const port = freePort();
  const srv = await startServer({
    kvPath: opts.kvPath,
    env: { LOSSBENCH_WORKERS: "1", ...opts.env },
    denoArgs: [`--inspect=127.0.0.1:${port}`],
  });
  const rows: MemoryRow[] = [];
  let heap: HeapProbe | null = null;
  try {
    const pid = srv.proc.pid;
    const ws = /(ws:\/\/\S+)/.exec(await srv.waitForLine(/Debugger listening on ws:/))![1];
    heap = await HeapProbe.connect(ws);
    for (let i = 1; i <= opts.runs; i++) {
      const t0 = performance.now();
      const run = await trainRun(srv.url, { epochs: opts.epochs, seed: i, train: opts.train });
      if (run.status !== "done") throw new Error(`run ${i} ended ${run.status}: ${run.error}`);
      const row = {
        run: i,
        rssMiB: (await rssKiB(pid)) / 1024,
        heapMiB: await heap.usedMiB(),
        kvBytes: await kvBytes(srv.kvPath),
        seconds: (performance.now() - t0) / 1000,
      };
      rows.push(row);
      opts.onRow?.(row);
    }
  } finally {
    heap?.close();
    await srv.stop();
  }
  return rows;
}

if (import.meta.main) {
  const args = [...Deno.args];
  const flag = (name: string) => {
    const i = args.indexOf(name);
    if (i < 0) return undefined;
    const v = args[i + 1];
    args.splice(i, 2);
    return v;
  };
  const epochs = Number(flag("--epochs") ?? 2);
  const json = flag("--json");
  const train = Number(flag("--train") ?? 256);
  const runs = Number(args[0] ?? 50);
  const warmup = Math.min(10, Math.floor(runs / 3));
  console.log(
    `${runs} sequential runs (${epochs} epochs of ${train} images each, synthetic), warm-up ${warmup}`,
  );
  console.log("run  rss MiB  heap MiB   kv KiB   s");
  const rows = await measureMemory({
    runs,
    epochs,
    train,
    warmup,
    onRow: (r) =>
      console.log(
        `${String(r.run).padStart(3)}  ${r.rssMiB.toFixed(1).padStart(7)}  ` +
          `${r.heapMiB.toFixed(2).padStart(8)}  ` +
          `${(r.kvBytes / 1024).toFixed(0).padStart(7)}  ${r.seconds.toFixed(1)}`,
      ),
  });
  const s = summarise(rows, warmup);
  console.log(
    `after warm-up (runs ${warmup + 1}..${runs}): rss ${s.rssMin.toFixed(1)}..` +
      `${s.rssMax.toFixed(1)} MiB (spread ${(s.rssMax - s.rssMin).toFixed(1)} MiB), ` +
      `slope ${s.rssSlopeMiBPerRun.toFixed(3)} MiB/run; main heap after GC ${
        s.heapMin.toFixed(2)
      }..` +
      `${s.heapMax.toFixed(2)} MiB, slope ${(s.heapSlopeMiBPerRun * 1024).toFixed(1)} KiB/run; ` +
      `kv ${(s.kvBytesPerRun / 1024).toFixed(1)} KiB/run`,
  );
  if (json) await Deno.writeTextFile(json, JSON.stringify({ epochs, warmup, rows, summary: s }));
}
