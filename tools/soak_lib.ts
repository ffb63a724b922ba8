// Shared pieces of tools/memory.ts and tools/soak.ts: training a short run
// over HTTP, reading a process's resident memory and a KV file's size, and
// summarising a series of measurements.

export interface RunSize {
  epochs?: number;
  seed?: number;
  /** Training images (default 256). */
  train?: number;
  /** Test images (default 128). */
  test?: number;
}

/** A short run on the built-in synthetic data set (a few seconds on one core). */
export function shortRun(opts: RunSize = {}) {
  return {
    loss: "ce",
    data: "synthetic",
    epochs: opts.epochs ?? 2,
    seed: opts.seed ?? 1,
    trainLimit: opts.train ?? 256,
    testLimit: opts.test ?? 128,
    batchSize: 64,
  };
}

export interface RunView {
  id: string;
  status: string;
  error?: string;
  epochsDone: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : {} };
}

/** Polls a run until it is no longer queued or running (or `timeoutMs` passes). */
export async function waitRun(base: string, id: string, timeoutMs = 300_000): Promise<RunView> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${base}api/runs/${id}`);
    const run = await res.json() as RunView;
    if (run.status !== "queued" && run.status !== "running") return run;
    if (Date.now() > until) throw new Error(`run ${id} still ${run.status} after ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** Submits a short run and waits for it to end. */
export async function trainRun(
  base: string,
  opts: RunSize = {},
): Promise<RunView> {
  const res = await postJson(`${base}api/runs`, shortRun(opts));
  if (res.status !== 201) {
    throw new Error(`POST /api/runs: ${res.status} ${JSON.stringify(res.json)}`);
  }
  return await waitRun(base, res.json.id as string);
}

/** Resident memory of a process in KiB (VmRSS; Linux only). */
export async function rssKiB(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!m) throw new Error(`no VmRSS for process ${pid}`);
  return Number(m[1]);
}

/** Bytes a KV file takes on disk: the SQLite file and its write-ahead log. */
export async function kvBytes(path: string): Promise<number> {
  let n = 0;
  for (const p of [path, `${path}-wal`]) {
    n += await Deno.stat(p).then((s) => s.size, () => 0);
  }
  return n;
}

/** Keys and bytes (key + value, roughly as stored) of the live records in a KV, by first key part. */
export async function kvLive(
  path: string,
): Promise<
  { keys: number; bytes: number; byPrefix: Record<string, { keys: number; bytes: number }> }
> {
  const kv = await Deno.openKv(path);
  const byPrefix: Record<string, { keys: number; bytes: number }> = {};
  let keys = 0, bytes = 0;
  try {
    for await (const e of kv.list({ prefix: [] })) {
      const size = JSON.stringify(e.key).length + valueBytes(e.value);
      const p = String(e.key[0]);
      byPrefix[p] ??= { keys: 0, bytes: 0 };
      byPrefix[p].keys++;
      byPrefix[p].bytes += size;
      keys++;
      bytes += size;
    }
  } finally {
    kv.close();
  }
  return { keys, bytes, byPrefix };
}

function valueBytes(v: unknown): number {
  if (v instanceof Uint8Array) return v.byteLength;
  if (typeof v === "bigint" || (v as { value?: unknown })?.constructor?.name === "KvU64") return 8;
  return JSON.stringify(v)?.length ?? 0;
}

export interface MemoryRow {
  run: number;
  rssMiB: number;
  /** The main isolate's heap after a full GC. */
  heapMiB: number;
  kvBytes: number;
  seconds: number;
}

/** Least-squares slope of y over x. */
export function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0, den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** Range and trend of memory (and KV growth) after the first `warmup` rows. */
export function summarise(rows: MemoryRow[], warmup: number) {
  const after = rows.filter((r) => r.run > warmup);
  const rss = after.map((r) => r.rssMiB);
  const heap = after.map((r) => r.heapMiB);
  return {
    rssFirst: rows[0]?.rssMiB ?? 0,
    rssMin: Math.min(...rss),
    rssMax: Math.max(...rss),
    rssLast: rss.at(-1) ?? 0,
    rssSlopeMiBPerRun: slope(after.map((r) => r.run), rss),
    heapMin: Math.min(...heap),
    heapMax: Math.max(...heap),
    heapSlopeMiBPerRun: slope(after.map((r) => r.run), heap),
    kvBytesPerRun: slope(after.map((r) => r.run), after.map((r) => r.kvBytes)),
  };
}

/**
 * The main isolate's V8 heap through the inspector (the server started with
 * `--inspect=127.0.0.1:<port>`): `usedMiB()` collects garbage first, so
 * what it reports is what the service still holds, not what it has yet to free.
 */
export class HeapProbe {
  #ws: WebSocket;
  #id = 0;
  #pending = new Map<number, (v: Record<string, unknown>) => void>();

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.onmessage = (e) => {
      const msg = JSON.parse(e.data as string);
      const done = this.#pending.get(msg.id);
      if (done) {
        this.#pending.delete(msg.id);
        done(msg.result ?? {});
      }
    };
  }

  static async connect(url: string): Promise<HeapProbe> {
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = () => reject(new Error(`inspector: could not connect to ${url}`));
    });
    return new HeapProbe(ws);
  }

  #send(method: string): Promise<Record<string, unknown>> {
    const id = ++this.#id;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      this.#ws.send(JSON.stringify({ id, method }));
    });
  }

  /** MiB of the main isolate's heap in use after a full collection. */
  async usedMiB(): Promise<number> {
    await this.#send("HeapProfiler.collectGarbage");
    const u = await this.#send("Runtime.getHeapUsage");
    return (u.usedSize as number) / 1048576;
  }

  close(): void {
    this.#ws.close();
  }
}

/** A free TCP port on loopback (for the inspector). */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}
