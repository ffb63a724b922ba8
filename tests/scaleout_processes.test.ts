// Many processes, one KV file, for real: an API process (LOSSBENCH_WORKERS=0)
// and `deno task worker` processes train tiny synthetic runs together.
// - 6 runs on two workers: both take some; the API process streams every
//   epoch over SSE although it trains none (from the KV event log).
// - kill -9 a worker mid-run: the other finishes the run from its checkpoint,
//   every epoch recorded once, on the same curve as an uninterrupted run.
// - kill -9 the API process: the workers keep training; a restarted API shows everything.
import { trainingCurve } from "./util/runs.ts";
import type { EpochMetrics } from "../ml/types.ts";
import { Store } from "../service/store.ts";
import type { Run, WorkerRecord } from "../service/types.ts";
import { assert, assertEquals } from "./util/assert.ts";
import { eventually, startWorker, type WorkerProc } from "./util/procs.ts";
import { type Server, startServer } from "./util/server.ts";
import { collect, openSse, type SseEvent } from "./util/sse.ts";

/** Seconds per test: a short lease (a dead worker on this host is seen at once), fast polls. */
const ENV = { LOSSBENCH_LEASE_MS: "6000", LOSSBENCH_POLL_MS: "100" };
const TINY = {
  loss: "ce",
  epochs: 2,
  data: "synthetic",
  trainLimit: 256,
  testLimit: 64,
  batchSize: 32,
};
/** Long enough per epoch to be killed in the middle of one. */
const LONGER = { ...TINY, loss: "focal", epochs: 4, seed: 11, trainLimit: 1536 };

type RunWithEpochs = Run & { epochs: EpochMetrics[] };
const FINAL = ["done", "failed", "cancelled", "interrupted"];

async function api<T>(srv: Server, path: string, body?: unknown): Promise<T> {
  const res = await fetch(srv.url + path, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
  return json as T;
}

const curve = trainingCurve;

function finished(srv: Server, id: string, timeoutMs = 120_000): Promise<RunWithEpochs> {
  return eventually(
    async () => {
      const r = await api<RunWithEpochs>(srv, `api/runs/${id}`);
      return FINAL.includes(r.status) ? r : undefined;
    },
    `run ${id} to finish`,
    timeoutMs,
    150,
  );
}

/** A temporary KV file, an API process on it, and `n` worker processes. */
async function cluster(n: number) {
  const dir = await Deno.makeTempDir({ prefix: "lossbench-scaleout-" });
  const kvPath = `${dir}/lossbench.kv`;
  const procs: { kill(): Promise<unknown> }[] = [];
  const apiEnv = { ...ENV, LOSSBENCH_WORKERS: "0" };
  const srv = await startServer({ kvPath, env: apiEnv });
  procs.push(srv);
  const workers: WorkerProc[] = [];
  for (let i = 0; i < n; i++) {
    const w = await startWorker({ kvPath, cacheDir: `${dir}/cache`, env: ENV });
    workers.push(w);
    procs.push(w);
  }
  return {
    dir,
    kvPath,
    srv,
    workers,
    apiEnv,
    procs,
    async close() {
      for (const p of procs) await p.kill();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

Deno.test("an API process and two worker processes share the runs of one KV", async () => {
  const c = await cluster(2);
  try {
    const listed = await eventually(async () => {
      const { workers } = await api<{ workers: WorkerRecord[] }>(c.srv, "api/workers");
      return workers.length === 2 ? workers : undefined;
    }, "both workers in GET /api/workers");
    assertEquals(listed.map((w) => w.id).sort(), c.workers.map((w) => w.id).sort());
    assert(listed.every((w) => w.backend === "cpu" && w.slots === 1 && w.pid > 0), "records");
    assert(listed.every((w) => w.datasets.includes("synthetic")), "data sets");
    // Health counts them from the same heartbeats (read every third of the lease).
    await eventually(
      async () => {
        const h = await api<{ status: string; workers: { total: number } }>(c.srv, "api/health");
        return h.status === "ok" && h.workers.total === 2 ? true : undefined;
      },
      "health to count both workers",
      10_000,
    );

    // The API process trains nothing, yet streams every epoch (from the KV log).
    const live = await openSse(`${c.srv.url}api/events`);
    const runs: Run[] = [];
    for (let seed = 1; seed <= 6; seed++) {
      runs.push(await api<Run>(c.srv, "api/runs", { ...TINY, seed }));
    }
    const ids = new Set(runs.map((r) => r.id));
    const done = new Set<string>();
    const seen = await collect(live, (e) => {
      if (e.event === "status" && JSON.parse(e.data).status === "done") {
        done.add(JSON.parse(e.data).id);
      }
      return [...ids].every((id) => done.has(id));
    }, 120_000);
    await live.close();
    const epochsSeen = seen.filter((e) => e.event === "epoch").map((e) => JSON.parse(e.data));
    for (const id of ids) {
      assertEquals(epochsSeen.filter((e) => e.runId === id).map((e) => e.epoch), [1, 2], id);
    }
    const seqs = seen.filter((e) => e.id !== undefined && e.event !== "progress").map((e) =>
      Number(e.id)
    );
    assertEquals(seqs, [...seqs].sort((a, b) => a - b), "events in sequence order");
    assert(seen.some((e) => e.event === "progress"), "batch progress from other processes");

    const byWorker = new Map<string, number>();
    for (const r of runs) {
      const after = await api<RunWithEpochs>(c.srv, `api/runs/${r.id}`);
      assertEquals(after.status, "done");
      assertEquals(after.epochs.map((e) => e.epoch), [1, 2]);
      byWorker.set(after.worker!, (byWorker.get(after.worker!) ?? 0) + 1);
    }
    assertEquals([...byWorker.keys()].sort(), c.workers.map((w) => w.id).sort());
    console.log(`runs per worker: ${[...byWorker.values()].join(" + ")}`);
    assertEquals((await api<{ queue: { length: number } }>(c.srv, "api/health")).queue.length, 0);

    // A cancel written by the API process reaches the worker training the run.
    const long = await api<Run>(c.srv, "api/runs", { ...LONGER, epochs: 50 });
    await eventually(async () => {
      const r = await api<Run>(c.srv, `api/runs/${long.id}`);
      return r.status === "running" ? true : undefined;
    }, "the long run to start");
    const t0 = Date.now();
    const res = await fetch(`${c.srv.url}api/runs/${long.id}/cancel`, { method: "POST" });
    const cancelled = await res.json();
    assertEquals([res.status, cancelled.status], [200, "cancelled"]);
    assert(Date.now() - t0 < 5000, `cancel took ${Date.now() - t0} ms`);
    assert(cancelled.epochsDone < 50, "stopped early");
  } finally {
    await c.close();
  }
});

Deno.test("kill -9 a worker mid-run: another finishes it, each epoch once, same curve", async () => {
  const c = await cluster(2);
  try {
    const run = await api<Run>(c.srv, "api/runs", LONGER);
    // Killed once it has a checkpoint (epoch 1) and is inside a later epoch.
    const running = await eventually(
      async () => {
        const r = await api<RunWithEpochs>(c.srv, `api/runs/${run.id}`);
        return r.epochsDone >= 1 && r.epochsDone < LONGER.epochs ? r : undefined;
      },
      "epoch 1",
      120_000,
      50,
    );
    const victim = c.workers.find((w) => w.id === running.worker)!;
    const survivor = c.workers.find((w) => w !== victim)!;
    assert(victim, `run on a known worker: ${running.worker}`);
    await victim.kill();

    const after = await finished(c.srv, run.id);
    assertEquals(after.status, "done");
    assertEquals(after.worker, survivor.id);
    assertEquals(after.epochs.map((e) => e.epoch), [1, 2, 3, 4]);
    assert(survivor.output().includes(`run ${run.id}: resuming after epoch`), survivor.output());

    // Its whole story, from the KV event log: each epoch recorded exactly once.
    const s = await openSse(`${c.srv.url}api/runs/${run.id}/events`);
    const story = (await collect(s, () => false, 30_000)).filter((e) => e.event !== ":");
    await s.close();
    const of = (type: string) => story.filter((e: SseEvent) => e.event === type);
    assertEquals(of("epoch").map((e) => JSON.parse(e.data).epoch), [1, 2, 3, 4]);
    assertEquals(
      of("status").map((e) => JSON.parse(e.data).status),
      ["queued", "running", "queued", "running", "done"],
    );

    // Uninterrupted, same config and seed: the same curve, epoch for epoch.
    const ref = await finished(c.srv, (await api<Run>(c.srv, "api/runs", LONGER)).id);
    assertEquals(ref.status, "done");
    assertEquals(after.epochs.map(curve), ref.epochs.map(curve));
  } finally {
    await c.close();
  }
});

Deno.test("kill -9 the API process: workers train on, a restarted API shows everything", async () => {
  const c = await cluster(2);
  try {
    const runs: Run[] = [];
    for (let seed = 1; seed <= 4; seed++) {
      runs.push(await api<Run>(c.srv, "api/runs", { ...TINY, seed, epochs: 3 }));
    }
    await c.srv.kill();

    // With no API process at all, the runs still finish (read from the KV file directly).
    const store = await Store.open(c.kvPath);
    try {
      await eventually(
        async () => {
          const all = await Promise.all(runs.map((r) => store.getRun(r.id)));
          return all.every((r) => r?.status === "done") ? true : undefined;
        },
        "the runs to finish without an API process",
        120_000,
        200,
      );
    } finally {
      await store.close();
    }

    const again = await startServer({ kvPath: c.kvPath, env: c.apiEnv });
    c.procs.push(again);
    const { runs: listed } = await api<{ runs: Run[] }>(again, "api/runs");
    assertEquals(listed.map((r) => r.id).sort(), runs.map((r) => r.id).sort());
    for (const r of runs) {
      const after = await api<RunWithEpochs>(again, `api/runs/${r.id}`);
      assertEquals([after.status, after.epochs.map((e) => e.epoch)], ["done", [1, 2, 3]]);
    }
    const s = await openSse(`${again.url}api/events`, { "last-event-id": "0" });
    let finals = 0;
    const all = await collect(s, (e) => {
      if (e.event === "status" && JSON.parse(e.data).status === "done") finals++;
      return finals === runs.length;
    }, 30_000);
    await s.close();
    assertEquals(all.filter((e) => e.event === "epoch").length, runs.length * 3);
    const { workers } = await api<{ workers: WorkerRecord[] }>(again, "api/workers");
    assertEquals(workers.length, 2);
  } finally {
    await c.close();
  }
});
