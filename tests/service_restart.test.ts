// Kill the server (SIGKILL) mid-run and start it again on the same KV: the run
// resumes from its last checkpoint and ends with every epoch recorded exactly
// once, on the same curve as an uninterrupted run with the same seed; a run
// with no checkpoint yet is `interrupted`; a queued run survives; SSE clients
// reconnecting with Last-Event-ID miss nothing and see nothing twice.
import { trainingCurve } from "./util/runs.ts";
import type { EpochMetrics } from "../ml/types.ts";
import type { Run } from "../service/types.ts";
import { assert, assertEquals } from "./util/assert.ts";
import { startServer } from "./util/server.ts";
import { collect, openSse, type SseEvent } from "./util/sse.ts";

const CONFIG = {
  loss: "focal",
  params: {},
  condition: {},
  valFraction: 0,
  epochs: 4,
  seed: 7,
  data: "synthetic",
  trainLimit: 384,
  testLimit: 64,
  batchSize: 32,
};
/** Still in its first epoch when the server is killed. */
const SLOW = { loss: "ce", epochs: 1, data: "synthetic", trainLimit: 5000, testLimit: 64 };

async function post(base: string, path: string, body: unknown): Promise<Run> {
  const res = await fetch(base + path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  assertEquals(res.status, 201);
  return await res.json();
}

async function get<T>(base: string, path: string): Promise<T> {
  const res = await fetch(base + path);
  assertEquals(res.status, 200);
  return await res.json();
}

const data = (e: SseEvent) => JSON.parse(e.data);
const isFinalFor = (id: string) => (e: SseEvent) =>
  e.event === "status" && data(e).id === id &&
  ["done", "failed", "cancelled", "interrupted"].includes(data(e).status);

const curve = trainingCurve;

Deno.test("a run killed mid-way resumes after a restart and loses nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lossbench-restart-" });
  const kvPath = `${dir}/lossbench.kv`;
  try {
    // ---- first life: two workers, killed once the run has a checkpoint ----
    const a = await startServer({ kvPath, env: { LOSSBENCH_WORKERS: "2" } });
    let run: Run, slow: Run, waiting: Run;
    const seenBefore: SseEvent[] = [];
    try {
      run = await post(a.url, "api/runs", CONFIG);
      slow = await post(a.url, "api/runs", SLOW);
      waiting = await post(a.url, "api/runs", CONFIG);
      const s = await openSse(`${a.url}api/events`, { "last-event-id": "0" });
      seenBefore.push(
        ...await collect(s, (e) => e.event === "epoch" && data(e).runId === run.id),
      );
      await a.kill(); // SIGKILL: no shutdown code runs
      await s.close();
    } catch (e) {
      await a.kill();
      throw e;
    }
    const lastId = seenBefore.filter((e) => e.id !== undefined).at(-1)!.id!;

    // ---- second life: same KV, one worker ----
    const b = await startServer({ kvPath });
    try {
      const line = await b.waitForLine(/^recovered: /);
      assertEquals(line, "recovered: 1 run(s) resuming from a checkpoint, 1 marked interrupted");

      const s1 = await openSse(`${b.url}api/events`, { "last-event-id": lastId });
      const after = await collect(s1, isFinalFor(waiting.id));
      await s1.close();

      const r = await get<Run & { epochs: EpochMetrics[] }>(b.url, `api/runs/${run.id}`);
      assertEquals(r.status, "done");
      assertEquals(r.epochs.map((e) => e.epoch), [1, 2, 3, 4]);
      assertEquals(r.epochsDone, 4);
      const sl = await get<Run>(b.url, `api/runs/${slow.id}`);
      assertEquals(sl.status, "interrupted");
      assert(sl.error?.includes("before this run's first epoch"), sl.error);
      const w = await get<Run & { epochs: EpochMetrics[] }>(b.url, `api/runs/${waiting.id}`);
      assertEquals(w.status, "done");

      // Same seed, uninterrupted: the same curve, epoch for epoch.
      const ref = await post(b.url, "api/runs", CONFIG);
      const s2 = await openSse(`${b.url}api/runs/${ref.id}/events`);
      await collect(s2, isFinalFor(ref.id));
      await s2.close();
      const refRun = await get<Run & { epochs: EpochMetrics[] }>(b.url, `api/runs/${ref.id}`);
      assertEquals(refRun.status, "done");
      assertEquals(r.epochs.map(curve), refRun.epochs.map(curve));
      assertEquals(w.epochs.map(curve), refRun.epochs.map(curve));

      // SSE across the restart: before + after the Last-Event-ID is the full
      // history from KV, with no gap and no duplicate.
      const durable = (es: SseEvent[]) =>
        es.filter((e) => e.event === "status" || e.event === "epoch");
      const joined = [...durable(seenBefore), ...durable(after)];
      const s3 = await openSse(`${b.url}api/events`, { "last-event-id": "0" });
      const full = durable(await collect(s3, isFinalFor(waiting.id)));
      await s3.close();
      assertEquals(joined.map((e) => e.id), full.map((e) => e.id));
      const epochsOf = (id: string) =>
        full.filter((e) => e.event === "epoch" && data(e).runId === id).map((e) => data(e).epoch);
      assertEquals(epochsOf(run.id), [1, 2, 3, 4]);
      // The run's own stream tells the story: it was requeued and resumed.
      const statuses = full.filter((e) => e.event === "status" && data(e).id === run.id).map((e) =>
        data(e).status
      );
      assertEquals(statuses, ["queued", "running", "queued", "running", "done"]);
    } finally {
      await b.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
