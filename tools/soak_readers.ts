// The soak's reader-load part (tools/soak.ts): does reading a large
// experiment slow training? A finished grid of `grid` tiny synthetic runs is
// read by `readers` clients in a loop while `runs` more tiny runs train; the
// training pace (runs per minute) is compared with the same batch unloaded.
// Two kinds of reader: a plain one (reads the whole body every time, as the
// issue's probe did) and a revalidating one (If-None-Match, as a browser does
// with `Cache-Control: no-cache`), each in its own loaded batch.
//
//   deno run -A tools/soak_readers.ts [--grid 200] [--readers 8] [--runs 60] [--kv FILE]
//
// With --kv, a grid already in that KV file is read instead of training one
// (to compare two versions of the service on one grid).
import { startServer } from "../tests/util/server.ts";
import { openSse } from "../tests/util/sse.ts";
import { postJson } from "./soak_lib.ts";

/** A tiny run: about a tenth of a second of training on the cpu backend. */
const TINY = {
  data: "synthetic",
  epochs: 2,
  trainLimit: 32,
  testLimit: 32,
  batchSize: 32,
};

export interface ReaderLoad {
  grid: number;
  readers: number;
  runs: number;
  /** Runs per minute with no reader, then with plain and with revalidating readers. */
  unloaded: number;
  plain: number;
  revalidating: number;
  /** Reads answered per second in each loaded batch. */
  plainReadsPerSec: number;
  revalidatingReadsPerSec: number;
  /** Reads in the revalidating batch, and how many of them were 304s. */
  revalidatingReads: number;
  notModified: number;
  /** One unloaded GET of the grid, milliseconds: the first (computes) and the next (cached). */
  firstReadMs: number;
  nextReadMs: number;
  bodyBytes: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Follows the global event stream from now on; `until(ids)` resolves once
 * each of them has had a final status.
 */
async function follow(base: string) {
  const s = await openSse(`${base}api/events`);
  const ended = new Set<string>();
  let wake = () => {};
  const pump = (async () => {
    for await (const e of s.events) {
      if (e.event !== "status") continue;
      const d = JSON.parse(e.data);
      if (["done", "failed", "cancelled", "interrupted"].includes(d.status)) ended.add(d.id);
      wake();
    }
  })();
  return {
    async until(ids: string[]) {
      while (!ids.every((id) => ended.has(id))) await new Promise<void>((r) => (wake = r));
    },
    async close() {
      await s.close();
      await pump.catch(() => {});
    },
  };
}

/** Submits `n` tiny runs and returns the pace at which they trained (runs per minute). */
async function batch(base: string, n: number, seed0: number): Promise<number> {
  const events = await follow(base);
  const t0 = performance.now();
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await postJson(`${base}api/runs`, { loss: "ce", seed: seed0 + i, ...TINY });
    if (r.status !== 201) throw new Error(`POST /api/runs: ${r.status} ${JSON.stringify(r.json)}`);
    ids.push(r.json.id as string);
  }
  await events.until(ids);
  const pace = n / ((performance.now() - t0) / 60_000);
  await events.close();
  return pace;
}

/** `readers` loops of GET until stopped; counts answers and 304s. */
function startReaders(url: string, readers: number, revalidate: boolean) {
  let stop = false;
  const counts = { reads: 0, notModified: 0 };
  const t0 = performance.now();
  const loops = Array.from({ length: readers }, async () => {
    let etag: string | null = null;
    while (!stop) {
      const headers: Record<string, string> = revalidate && etag ? { "if-none-match": etag } : {};
      const res: Response = await fetch(url, { headers });
      if (res.status === 304) counts.notModified++;
      else if (res.status === 200) etag = res.headers.get("etag");
      else throw new Error(`GET ${url}: ${res.status}`);
      await res.arrayBuffer();
      counts.reads++;
    }
  });
  return async () => {
    stop = true;
    await Promise.all(loops);
    return { ...counts, perSec: counts.reads / ((performance.now() - t0) / 1000) };
  };
}

export interface ReaderLoadOptions {
  grid: number;
  readers: number;
  runs: number;
  env?: Record<string, string>;
  /** A KV file to use: its first experiment is the grid when it has one (else one is trained). */
  kvPath?: string;
}

/** The finished grid to read: the KV's first experiment, or a new one trained to the end. */
export async function finishedGrid(base: string, grid: number): Promise<string> {
  const { experiments } = await (await fetch(`${base}api/experiments`)).json();
  if (experiments.length) return experiments.at(-1).id;
  const half = Math.ceil(grid / 2);
  const events = await follow(base);
  const exp = await postJson(`${base}api/experiments`, {
    ...TINY,
    losses: [{ loss: "ce" }, { loss: "focal", gamma: 2 }],
    seeds: Array.from({ length: half }, (_, i) => i + 1),
  });
  if (exp.status !== 201) throw new Error(`POST /api/experiments: ${exp.status}`);
  await events.until(exp.json.runIds as string[]);
  await events.close();
  return exp.json.id as string;
}

export async function readerLoad(opts: ReaderLoadOptions): Promise<ReaderLoad> {
  // The contract check (on for test servers) validates every response: not what production runs.
  const srv = await startServer({
    env: { LOSSBENCH_CONTRACT_CHECK: "0", ...opts.env },
    kvPath: opts.kvPath,
  });
  try {
    const base = srv.url;
    const url = `${base}api/experiments/${await finishedGrid(base, opts.grid)}`;

    let t = performance.now();
    const body = await (await fetch(url)).arrayBuffer();
    const firstReadMs = performance.now() - t;
    t = performance.now();
    await (await fetch(url)).arrayBuffer();
    const nextReadMs = performance.now() - t;

    await batch(base, 4, 10_000); // warm-up
    const unloaded = await batch(base, opts.runs, 20_000);
    let stop = startReaders(url, opts.readers, false);
    const plain = await batch(base, opts.runs, 30_000);
    const p = await stop();
    await sleep(200);
    stop = startReaders(url, opts.readers, true);
    const revalidating = await batch(base, opts.runs, 40_000);
    const r = await stop();
    return {
      grid: opts.grid,
      readers: opts.readers,
      runs: opts.runs,
      unloaded,
      plain,
      revalidating,
      plainReadsPerSec: p.perSec,
      revalidatingReadsPerSec: r.perSec,
      revalidatingReads: r.reads,
      notModified: r.notModified,
      firstReadMs,
      nextReadMs,
      bodyBytes: body.byteLength,
    };
  } finally {
    await srv.stop();
  }
}

if (import.meta.main) {
  const arg = (name: string, dflt: number) => {
    const i = Deno.args.indexOf(`--${name}`);
    return i >= 0 ? Number(Deno.args[i + 1]) : dflt;
  };
  const out = await readerLoad({
    grid: arg("grid", 200),
    readers: arg("readers", 8),
    runs: arg("runs", 60),
    kvPath: Deno.args.includes("--kv") ? Deno.args[Deno.args.indexOf("--kv") + 1] : undefined,
  });
  console.log(JSON.stringify(out, null, 2));
}
