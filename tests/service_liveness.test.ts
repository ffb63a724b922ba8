// A killed process's runs are taken over at once by a restarted service on the
// same host, under `deno task serve`'s own permissions (not -A), with a lease
// far longer than the test: only the dead-process signal (service/lease.ts)
// can free the run, so a run still held by the dead worker after the restart
// is the failure.
import type { EpochMetrics } from "../ml/types.ts";
import type { Run } from "../service/types.ts";
import { assert, assertEquals } from "./util/assert.ts";
import { servePermissions, startServer } from "./util/server.ts";
import { collect, openSse, type SseEvent } from "./util/sse.ts";

const CONFIG = {
  loss: "ce",
  epochs: 3,
  seed: 3,
  data: "synthetic",
  trainLimit: 256,
  testLimit: 64,
  batchSize: 32,
};
const env = { LOSSBENCH_LEASE_MS: "600000" }; // ten minutes: the lease never lapses here
const data = (e: SseEvent) => JSON.parse(e.data);

async function getRun(base: string, id: string): Promise<Run & { epochs: EpochMetrics[] }> {
  const res = await fetch(`${base}api/runs/${id}`);
  assertEquals(res.status, 200);
  return await res.json();
}

Deno.test("under deno task serve's permissions, a restart resumes a killed process's run at once", async () => {
  const permissions = await servePermissions();
  assert(
    !permissions.includes("-A") && !permissions.includes("--allow-all"),
    permissions.join(" "),
  );
  const dir = await Deno.makeTempDir({ prefix: "lossbench-liveness-" });
  const kvPath = `${dir}/lossbench.kv`;
  try {
    const a = await startServer({ kvPath, env, permissions });
    let run: Run, killed: string | undefined;
    try {
      const res = await fetch(`${a.url}api/runs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(CONFIG),
      });
      assertEquals(res.status, 201);
      run = await res.json();
      const s = await openSse(`${a.url}api/runs/${run.id}/events`);
      await collect(s, (e) => e.event === "epoch" && data(e).epoch === 1);
      await s.close();
      killed = (await getRun(a.url, run.id)).worker;
      assert(killed, "the run names its worker");
    } finally {
      await a.kill(); // SIGKILL: its lease stays in the KV, ten minutes to go
    }

    const b = await startServer({ kvPath, env, permissions });
    try {
      // recover() ran before the server listened: the run is no longer the dead worker's.
      const now = await getRun(b.url, run.id);
      const stuck = now.status === "running" && now.worker === killed;
      assert(!stuck, `still held by the killed process: ${JSON.stringify(now)}`);

      const s = await openSse(`${b.url}api/runs/${run.id}/events`);
      await collect(s, (e) => e.event === "status" && data(e).status === "done");
      await s.close();
      const r = await getRun(b.url, run.id);
      assertEquals(r.status, "done");
      assertEquals(r.epochs.map((e) => e.epoch), [1, 2, 3]);
      assert(
        b.output().includes("recovered: 1 run(s) resuming from a checkpoint, 0 marked interrupted"),
        b.output(),
      );
    } finally {
      await b.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
