// Run by tests/service_scheduler.test.ts as a child process: a fake worker dies
// of an uncaught error mid-run (seed 666), and the scheduler must fail that
// run, replace the worker and train the next run. It runs apart because Deno
// prints a dying worker's stack trace to stderr, which the test captures
// (and checks) instead of showing it among passing tests.
// Prints one JSON line: {failed, replaced, nextEpochs}.
import { Datasets } from "../../service/datasets.ts";
import { EventBus } from "../../service/event_bus.ts";
import { WorkerPool } from "../../service/pool.ts";
import { Scheduler } from "../../service/scheduler.ts";
import { Store } from "../../service/store.ts";
import type { Run, RunStatus } from "../../service/types.ts";
import { tinyConfig } from "./tiny_config.ts";

const config = tinyConfig;

const dir = await Deno.makeTempDir({ prefix: "lossbench-dying-" });
const bus = new EventBus();
const store = await Store.open(`${dir}/kv`, { onEvent: (e) => bus.publish(e) });
const pool = new WorkerPool("cpu", new URL("./fake_worker.ts", import.meta.url));
const scheduler = new Scheduler(store, pool, new Datasets(new Map(), `${dir}/cache`), {
  log: () => {},
});
await pool.start(() => 1);

async function waitFor(id: string, statuses: RunStatus[], ms = 20_000): Promise<Run> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const r = await store.getRun(id);
    if (r && statuses.includes(r.status)) return r;
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error(`run ${id} not ${statuses} after ${ms} ms`);
}

try {
  const before = pool.slots[0].worker;
  const [bad] = await scheduler.submit([config(666, 2)]);
  const failed = await waitFor(bad.id, ["failed"]);
  const replaced = pool.slots[0].worker !== before;
  const [good] = await scheduler.submit([config(1, 3)]);
  await waitFor(good.id, ["done"]);
  const nextEpochs = (await store.listEpochs(good.id)).map((e) => e.epoch);
  console.log(JSON.stringify({ failed, replaced, nextEpochs, busy: pool.busy }));
} finally {
  scheduler.stop();
  pool.stop();
  await store.close();
  await Deno.remove(dir, { recursive: true });
}
