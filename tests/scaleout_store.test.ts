// The store's shared-KV parts on a real KV file opened more than once: leases
// (claim, renew, lapse, take-over, a stale owner's epoch refused), sequence
// numbers and the queue counter under concurrent writers in separate
// processes, and what one handle writes reaching another's subscribers
// (events in order, progress, cancel requests).
import type { Checkpoint, EpochMetrics, TrainConfig } from "../ml/types.ts";
import { Store } from "../service/store.ts";
import type { DurableEvent, Lease, Run, ServiceEvent } from "../service/types.ts";
import { assert, assertEquals } from "./util/assert.ts";
import { eventually } from "./util/procs.ts";
import { queuedRun } from "./util/runs.ts";

const config = { loss: "ce", data: "synthetic", backend: "auto", epochs: 3 } as TrainConfig;
const run = (): Run => queuedRun(config);
const metrics = (epoch: number, testAcc: number) =>
  ({ epoch, testAcc, f1: testAcc / 2, trainLoss: 1 / epoch }) as EpochMetrics;
const ckpt = (epoch: number, v: number): Checkpoint => ({
  epoch,
  weights: { w: new Float32Array([v, v + 1]) },
  momentum: { w: new Float32Array([v * 2, 0]) },
});
/** A lease held by a process on another machine: only its time says whether it lapsed. */
const lease = (owner: string, ms: number): Lease => ({
  owner,
  host: "another-machine",
  pid: 1,
  pidStart: 1,
  until: Date.now() + ms,
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function twoHandles(
  fn: (a: Store, b: Store, path: string, seenByB: ServiceEvent[]) => Promise<void>,
) {
  const dir = await Deno.makeTempDir({ prefix: "lossbench-shared-" });
  const path = `${dir}/kv`;
  const seenByB: ServiceEvent[] = [];
  const a = await Store.open(path);
  const b = await Store.open(path, {
    bus: { publish: (e: ServiceEvent) => seenByB.push(e) } as never,
    pollMs: 50,
  });
  try {
    await fn(a, b, path, seenByB);
  } finally {
    await a.close();
    await b.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a lapsed lease is taken over, and the stale owner's late writes are refused", async () => {
  await twoHandles(async (a, b) => {
    const r = run();
    await a.createRuns([r]);
    const claimed = await a.claimRun(r.id, lease("A", 300), {}, 300);
    assert("run" in claimed && claimed.run.worker === "A", JSON.stringify(claimed));
    // Held: the other handle can neither claim it nor take it over.
    assertEquals(await b.claimRun(r.id, lease("B", 300), {}, 300), { missed: "stale" });
    assertEquals(await b.takeOver(r.id, () => ({ status: "queued", requeue: true })), null);
    assertEquals((await a.recordEpoch(r.id, metrics(1, 0.3), ckpt(1, 1), "A"))?.epochsDone, 1);
    // Renewed, it stays A's beyond its first term.
    await sleep(200);
    assertEquals(await a.renewLeases("A", [r.id], Date.now() + 300, 300), []);
    await sleep(200);
    assertEquals(await b.takeOver(r.id, () => ({ status: "queued", requeue: true })), null);

    // A stops renewing (killed, hung, its machine lost): the lease lapses.
    await sleep(400);
    const requeued = await b.takeOver(r.id, () => ({ status: "queued", requeue: true }));
    assertEquals(requeued?.status, "queued");
    assertEquals(await b.peekQueue(), r.id);
    assertEquals(await b.readQueueLength(), 1);
    // A's late epoch 2 is refused: no owner, then another owner.
    assertEquals(await a.recordEpoch(r.id, metrics(2, 0.9), ckpt(2, 99), "A"), null);
    const again = await b.claimRun(r.id, lease("B", 5000), {}, 5000);
    assert("run" in again && again.run.worker === "B");
    assertEquals(await a.recordEpoch(r.id, metrics(2, 0.9), ckpt(2, 99), "A"), null);
    assertEquals(await a.renewLeases("A", [r.id], Date.now() + 300, 300), [r.id]);
    assertEquals((await b.recordEpoch(r.id, metrics(2, 0.4), ckpt(2, 2), "B"))?.epochsDone, 2);
    assertEquals(await a.loadCheckpoint(r.id), ckpt(2, 2));
    // Nor may A end the run.
    assertEquals(await a.transition(r.id, ["running"], { status: "done" }, { owner: "A" }), null);
    assertEquals(
      (await b.transition(r.id, ["running"], { status: "done" }, { owner: "B" }))?.status,
      "done",
    );

    assertEquals((await a.listEpochs(r.id)).map((e) => [e.epoch, e.testAcc]), [[1, 0.3], [
      2,
      0.4,
    ]]);
    // Ended: its checkpoint is gone (retention).
    assertEquals(await a.loadCheckpoint(r.id), null);
    assertEquals(await a.getLease(r.id), null);
    assertEquals(await a.activeRunIds(), []);
  });
});

Deno.test("one handle's events, progress and cancels reach the other", async () => {
  await twoHandles(async (a, b, _path, seenByB) => {
    const runs = [run(), run()];
    await a.createRuns(runs);
    const got = await a.claimRun(runs[0].id, lease("A", 5000), {}, 5000);
    assert("run" in got);
    await a.recordEpoch(runs[0].id, metrics(1, 0.5), ckpt(1, 1), "A");
    const durable = () =>
      seenByB.filter((e): e is DurableEvent => e.type === "status" || e.type === "epoch");
    await eventually(() => (durable().length === 4 ? true : undefined), "4 events in B");
    assertEquals(durable().map((e) => [e.seq, e.type, e.runId]), [
      [1, "status", runs[0].id],
      [2, "status", runs[1].id],
      [3, "status", runs[0].id],
      [4, "epoch", runs[0].id],
    ]);
    assertEquals(b.lastSeq, 4);
    assertEquals(b.queueLength, 1);

    const p = {
      runId: runs[0].id,
      epoch: 2,
      batch: 3,
      batches: 8,
      loss: 1,
      imgPerSec: 5,
      etaSeconds: 9,
    };
    await a.putProgress(p, { publish: false, persist: true, ttlMs: 5000 });
    await eventually(() => (b.progress(runs[0].id) ? true : undefined), "progress in B");
    assertEquals(b.progress(runs[0].id), p);
    const pe = seenByB.find((e) => e.type === "progress");
    assertEquals(pe?.seq, 4);

    assertEquals([...await a.cancelRequested([runs[0].id])], []);
    await b.requestCancel(runs[0].id);
    assertEquals([...await a.cancelRequested([runs[0].id, runs[1].id])], [runs[0].id]);
    // Ending the run clears its lease, progress and cancel request.
    await a.transition(runs[0].id, ["running"], { status: "cancelled" }, { owner: "A" });
    assertEquals([...await a.cancelRequested([runs[0].id])], []);
    await eventually(() => (b.progress(runs[0].id) ? undefined : true), "progress gone");
  });
});

Deno.test("writers in separate processes hand out distinct sequence numbers and keep the count", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lossbench-writers-" });
  const path = `${dir}/kv`;
  try {
    const writer = () =>
      new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          new URL("./util/kv_writer.ts", import.meta.url).pathname,
          path,
          "40",
          "5",
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
    const outs = await Promise.all([writer(), writer(), writer()]);
    for (const o of outs) {
      assert(o.success, new TextDecoder().decode(o.stderr));
    }
    const store = await Store.open(path, { maxQueue: 100_000 });
    try {
      const events = await store.listEvents(0);
      assertEquals(events.map((e) => e.seq), Array.from({ length: 600 }, (_, i) => i + 1));
      assertEquals(new Set(events.map((e) => e.runId)).size, 600);
      assertEquals(store.queueLength, 600);
      assertEquals((await store.queued(1000)).length, 600);
    } finally {
      await store.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
