// The pool and scheduler in-process with a fake worker (tests/util/
// fake_worker.ts): a worker that dies fails its run and is replaced, a clean
// failure keeps the worker, a worker ignoring cancel is replaced after the
// grace period, and the service keeps training afterwards.
import { Datasets } from "../service/datasets.ts";
import { EventBus } from "../service/event_bus.ts";
import { WorkerPool } from "../service/pool.ts";
import { Scheduler } from "../service/scheduler.ts";
import { Store } from "../service/store.ts";
import type { Run, RunStatus } from "../service/types.ts";
import { assert, assertEquals } from "./util/assert.ts";
import { tinyConfig } from "./util/tiny_config.ts";

const FAKE = new URL("./util/fake_worker.ts", import.meta.url);

const config = tinyConfig;

async function setup() {
  const dir = await Deno.makeTempDir({ prefix: "lossbench-sched-" });
  const bus = new EventBus();
  const store = await Store.open(`${dir}/kv`, { onEvent: (e) => bus.publish(e) });
  const logs: string[] = [];
  const pool = new WorkerPool("cpu", FAKE);
  const scheduler = new Scheduler(store, pool, new Datasets(new Map(), `${dir}/cache`), {
    log: (m) => logs.push(m),
    cancelGraceMs: 300,
  });
  await pool.start(() => 1);
  const waitFor = async (id: string, statuses: RunStatus[], ms = 20_000): Promise<Run> => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const r = await store.getRun(id);
      if (r && statuses.includes(r.status)) return r;
      await new Promise((res) => setTimeout(res, 20));
    }
    throw new Error(
      `run ${id} not ${statuses} after ${ms} ms: ${JSON.stringify(await store.getRun(id))}`,
    );
  };
  const close = async () => {
    scheduler.stop();
    pool.stop();
    await store.close();
    await Deno.remove(dir, { recursive: true });
  };
  return { store, pool, scheduler, waitFor, close, logs };
}

Deno.test("a worker that dies fails its run, is replaced, and training goes on", async () => {
  // In a child process: Deno prints the dying worker's stack trace to stderr,
  // which is captured here (and checked) rather than shown among passing tests.
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./util/dying_worker_run.ts", import.meta.url).pathname],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert(out.success, stderr);
  assert(stderr.includes("boom in worker"), `the worker died of an uncaught error: ${stderr}`);
  const r = JSON.parse(new TextDecoder().decode(out.stdout));
  assertEquals(r.failed.status, "failed");
  assert(r.failed.error?.includes("boom in worker"), r.failed.error);
  assert(r.failed.finishedAt, "finishedAt");
  assert(r.replaced, "worker replaced");
  assertEquals(r.nextEpochs, [1, 2, 3]);
  assertEquals(r.busy, 0);
});

Deno.test("a clean failure keeps the worker", async () => {
  const { pool, scheduler, waitFor, close } = await setup();
  try {
    const before = pool.slots[0].worker;
    const [bad] = await scheduler.submit([config(888)]);
    assertEquals((await waitFor(bad.id, ["failed"])).error, "bad things");
    assert(pool.slots[0].worker === before, "same worker");
    const [good] = await scheduler.submit([config(1)]);
    await waitFor(good.id, ["done"]);
  } finally {
    await close();
  }
});

Deno.test("a worker that ignores cancel is replaced after the grace period", async () => {
  const { pool, scheduler, waitFor, close } = await setup();
  try {
    const [stuck] = await scheduler.submit([config(777)]);
    await waitFor(stuck.id, ["running"]);
    await new Promise((r) => setTimeout(r, 100));
    const before = pool.slots[0].worker;
    const t0 = performance.now();
    const after = await scheduler.cancel(stuck.id);
    assertEquals(after?.status, "cancelled");
    assert(performance.now() - t0 < 5000, "cancelled within the grace period plus a bit");
    assert(pool.slots[0].worker !== before, "worker replaced");
    const [good] = await scheduler.submit([config(1)]);
    await waitFor(good.id, ["done"]);
  } finally {
    await close();
  }
});

Deno.test("a run whose data set fails to load fails with the reason", async () => {
  const { scheduler, waitFor, close, pool } = await setup();
  try {
    const [run] = await scheduler.submit([{ ...config(1), data: "no-such-set" }]);
    const failed = await waitFor(run.id, ["failed"]);
    assert(failed.error && failed.error.length > 0, "an error message");
    assertEquals(pool.busy, 0);
  } finally {
    await close();
  }
});
