// Deleting an experiment is all or nothing to every reader: one commit hides
// the experiment and all its runs, then their records go in bounded batches,
// resumed at the next start. Here the delete dies part way through its
// batches (a KV that fails from its third commit on, as a killed process
// stops committing); the reopened store and a restarted service show the
// experiment as 404 and none of its runs, never a partial experiment, and
// the service finishes removing them.
import type { EpochMetrics } from "../ml/types.ts";
import { newId } from "../service/ids.ts";
import { Store } from "../service/store.ts";
import type { Experiment, Run } from "../service/types.ts";
import { assert, assertEquals, assertRejects } from "./util/assert.ts";
import { startServer } from "./util/server.ts";
import { testConfig } from "./util/tiny_config.ts";

const RUNS = 45;

function metrics(epoch: number): EpochMetrics {
  const acc = 0.1 * epoch;
  return {
    epoch,
    trainLoss: 2 - epoch / 10,
    trainAcc: 0.2,
    testLoss: 1.9,
    testAcc: acc,
    f1: acc / 2,
    balancedAcc: acc,
    worstClassAcc: acc / 3,
    ece: 0.05,
    reliability: { count: [1], confidence: [0.5], accuracy: [0.5] },
    perClass: { precision: [0.1], recall: [0.1], f1: [0.1] },
    lr: 0.01,
    epochSeconds: 1,
    trainImgPerSec: 100,
    evalImgPerSec: 200,
    confusion: [[1, 0], [0, 1]],
  };
}

/** Opens a store whose KV fails every commit once `failAfter` more have succeeded. */
async function openDying(path: string) {
  const open = Deno.openKv;
  let left = Infinity;
  const dying = (kv: Deno.Kv) =>
    new Proxy(kv, {
      get(target, prop) {
        const v = Reflect.get(target, prop, target);
        if (prop !== "atomic") return typeof v === "function" ? v.bind(target) : v;
        return () => {
          const op = target.atomic();
          const commit = op.commit.bind(op);
          return Object.assign(op, {
            commit: () => left-- > 0 ? commit() : Promise.reject(new Error("the process died")),
          });
        };
      },
    });
  const swap = (f: typeof Deno.openKv) =>
    Object.defineProperty(Deno, "openKv", { value: f, configurable: true, writable: true });
  swap(async (p?: string) => dying(await open.call(Deno, p)));
  try {
    const store = await Store.open(path);
    return { store, failAfter: (n: number) => (left = n) };
  } finally {
    swap(open);
  }
}

/** A finished experiment of RUNS runs, two epochs each (events, epochs, checkpoints). */
async function finishedExperiment(store: Store): Promise<Experiment> {
  const config = testConfig({ epochs: 2 });
  const { loss: _l, params: _p, condition: _c, seed: _s, model: _m, ...settings } = config;
  const exp: Experiment = {
    id: newId(),
    createdAt: new Date().toISOString(),
    settings,
    cells: [{ key: "ce", label: "ce", loss: "ce", params: {}, condition: {}, model: "convnet" }],
    seeds: [],
    runIds: [],
  };
  const runs: Run[] = Array.from({ length: RUNS }, (_, i) => ({
    id: newId(),
    status: "queued",
    config: { ...config, seed: i + 1 },
    label: "ce",
    cellKey: "ce",
    createdAt: exp.createdAt,
    epochsDone: 0,
    experimentId: exp.id,
  }));
  exp.seeds = runs.map((r) => r.config.seed);
  exp.runIds = runs.map((r) => r.id);
  await store.createRuns(runs, exp);
  for (const r of runs) {
    await store.transition(r.id, ["queued"], { status: "running" });
    for (const epoch of [1, 2]) {
      const ck = { epoch, weights: { w: new Float32Array(64).fill(epoch) }, momentum: {} };
      assert(await store.recordEpoch(r.id, metrics(epoch), ck), `epoch ${epoch}`);
    }
    await store.transition(r.id, ["running"], { status: "done" });
  }
  return exp;
}

/** Keys the runs still occupy in the KV file. */
async function leftOf(path: string, ids: string[]): Promise<number> {
  const kv = await Deno.openKv(path);
  try {
    let n = 0;
    for (const id of ids) {
      for (const prefix of [["run", id], ["epoch", id], ["run_event", id], ["ckpt_chunk", id]]) {
        for await (const _ of kv.list({ prefix })) n++;
      }
    }
    return n;
  } finally {
    kv.close();
  }
}

Deno.test("an experiment delete interrupted after its mark never shows a partial experiment", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lossbench-delete-" });
  const path = `${dir}/kv`;
  try {
    const dying = await openDying(path);
    const exp = await finishedExperiment(dying.store);
    const other = await finishedExperiment(dying.store); // untouched by the delete
    const before = await leftOf(path, exp.runIds);
    // The mark and one batch of records commit; then the process "dies".
    dying.failAfter(2);
    await assertRejects(() => dying.store.deleteExperiment(exp.id), "died");
    await dying.store.close();
    const left = await leftOf(path, exp.runIds);
    assert(left > 0 && left < before, `interrupted part way: ${left} of ${before} keys left`);

    // Reopened (a restart): hidden, whole, from every read; the other experiment intact.
    const store = await Store.open(path);
    try {
      assertEquals(await store.getExperiment(exp.id), null);
      assertEquals((await store.listExperiments()).map((e) => e.id), [other.id]);
      const listed = new Set((await store.listRuns()).map((r) => r.id));
      assertEquals(exp.runIds.filter((id) => listed.has(id)), []);
      assertEquals(other.runIds.filter((id) => !listed.has(id)), []);
      for (const id of exp.runIds) assertEquals(await store.getRun(id), null, id);
      assertEquals(await store.deleteExperiment(exp.id), false);
    } finally {
      await store.close();
    }

    // The service hides it too, and finishes the delete by itself.
    const srv = await startServer({ kvPath: path, env: { LOSSBENCH_LEASE_MS: "600" } });
    try {
      const r = await fetch(`${srv.url}api/experiments/${exp.id}`);
      assertEquals(r.status, 404, await r.text());
      const runs: Run[] = (await (await fetch(`${srv.url}api/runs`)).json()).runs;
      assertEquals(runs.filter((x) => x.experimentId === exp.id), []);
      assertEquals(runs.filter((x) => x.experimentId === other.id).length, RUNS);
      const gone = await fetch(`${srv.url}api/runs/${exp.runIds[RUNS - 1]}`);
      assertEquals(gone.status, 404, await gone.text());
      const kept = await fetch(`${srv.url}api/experiments/${other.id}`);
      assertEquals(kept.status, 200, await kept.text());
      // Resumed at start (each heartbeat): wait until nothing of the runs is left.
      for (let i = 0; i < 200 && await leftOf(path, exp.runIds) > 0; i++) {
        await new Promise((res) => setTimeout(res, 100));
      }
      assertEquals(await leftOf(path, exp.runIds), 0);
      assertEquals(await leftOf(path, other.runIds) > 0, true);
    } finally {
      await srv.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
