// Retention on a real KV file: each event stored once (the per-run index has
// no payload), an ended run's checkpoint removed when it ends, ended runs'
// events pruned to their final status after a grace period while live runs
// keep theirs (so Last-Event-ID replay stays whole for them), a KV written
// before retention tidied the same way, and `deno task compact` giving the
// deleted space back to the file system.
import type { Checkpoint, EpochMetrics } from "../ml/types.ts";
import { Store } from "../service/store.ts";
import type { DurableEvent, Run } from "../service/types.ts";
import { compactKv } from "../tools/compact.ts";
import { testConfig } from "./util/tiny_config.ts";
import { queuedRun } from "./util/runs.ts";
import { assert, assertEquals } from "./util/assert.ts";

const config = testConfig();

const run = (): Run => queuedRun(config);

const metrics = (epoch: number) =>
  ({
    epoch,
    trainLoss: 1,
    trainAcc: 0.5,
    testLoss: 1,
    testAcc: 0.1 * epoch,
    f1: 0.1,
    confusion: [[1, 0], [0, 1]],
  }) as unknown as EpochMetrics;

/** A checkpoint of `n` floats per group (n = 30,000: 240 KB, 4 chunks). */
const checkpoint = (epoch: number, n = 30_000): Checkpoint => ({
  epoch,
  weights: { w: new Float32Array(n).fill(epoch) },
  momentum: { w: new Float32Array(n).fill(-epoch) },
});

async function withStore(fn: (store: Store, path: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "lb-retention-" });
  const path = `${dir}/kv`;
  const store = await Store.open(path);
  try {
    await fn(store, path);
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
}

async function keys(store: Store, prefix: Deno.KvKey) {
  const out: Deno.KvEntry<unknown>[] = [];
  for await (const e of store.kv.list({ prefix })) out.push(e);
  return out;
}

/** A run trained for `epochs` epochs and left running. */
async function running(store: Store, epochs: number, floats?: number): Promise<Run> {
  const r = run();
  await store.createRuns([r]);
  await store.transition(r.id, ["queued"], { status: "running" });
  for (let e = 1; e <= epochs; e++) {
    await store.recordEpoch(r.id, metrics(e), checkpoint(e, floats));
  }
  return r;
}

Deno.test("each event is stored once: the run index holds no payload", async () => {
  await withStore(async (store) => {
    const r = await running(store, 2);
    await store.transition(r.id, ["running"], { status: "done" });
    const log = await store.listEvents(0);
    assertEquals(log.map((e) => e.type), ["status", "status", "epoch", "epoch", "status"]);
    // Every KV value that is (or contains) an event's payload: only its log entry.
    const all = await keys(store, []);
    for (const ev of log) {
      const copies = all.filter((e) => JSON.stringify(e.value) === JSON.stringify(ev));
      assertEquals(copies.map((c) => c.key), [["event", ev.seq]]);
    }
    const index = await keys(store, ["run_event", r.id]);
    assertEquals(index.map((e) => e.value), log.map((e) => e.type));
    // A run's replay is read through its index: the same events, from any id.
    assertEquals(await store.listEvents(0, r.id), log);
    assertEquals(await store.listEvents(3, r.id), log.slice(3));
    assertEquals(await store.listEvents(0, r.id, 2), log.slice(0, 2));
  });
});

Deno.test("an ended run's checkpoint is removed when it ends, however it ends", async () => {
  await withStore(async (store) => {
    const done = await running(store, 2);
    const cancelled = await running(store, 1);
    const gone = await running(store, 1);
    const live = await running(store, 1);
    for (const r of [done, cancelled, gone, live]) assert(await store.loadCheckpoint(r.id));
    await store.transition(done.id, ["running"], { status: "done" });
    await store.transition(cancelled.id, ["running"], { status: "cancelled" });
    // Its owner gone and its epochs all done: taken over as done.
    await store.takeOver(gone.id, () => ({ status: "done" }));
    for (const r of [done, cancelled, gone]) {
      assertEquals(await store.loadCheckpoint(r.id), null);
      assertEquals((await keys(store, ["ckpt_chunk", r.id])).length, 0, r.id);
      assert((await store.kv.get(["retire", r.id])).value, `retire record of ${r.id}`);
    }
    // A live run keeps its checkpoint, to resume from.
    assertEquals(await store.loadCheckpoint(live.id), checkpoint(1));
    assertEquals((await store.kv.get(["retire", live.id])).value, null);
  });
});

Deno.test("pruning keeps every live run's events and each ended run's final status", async () => {
  await withStore(async (store) => {
    const ended = await running(store, 3);
    const live = await running(store, 2);
    const queued = run();
    await store.createRuns([queued]);
    const end = await store.transition(ended.id, ["running"], { status: "done" });
    const before = await store.listEvents(0);
    const finalSeq = before.at(-1)!.seq;

    // Within the grace period nothing is pruned (other processes may still be reading it).
    const t = Date.now();
    assertEquals(await store.sweepRetired(60_000, t), { runs: 0, events: 0, chunks: 0 });
    assertEquals(await store.listEvents(0), before);

    const swept = await store.sweepRetired(60_000, t + 61_000);
    assertEquals(swept, { runs: 1, events: 5, chunks: 0 }); // queued, running, 3 epochs
    const after = await store.listEvents(0);
    const isEnded = (e: DurableEvent) => e.runId === ended.id;
    assertEquals(after.filter((e) => !isEnded(e)), before.filter((e) => !isEnded(e)));
    assertEquals(after.filter(isEnded).map((e) => [e.seq, e.type]), [[finalSeq, "status"]]);
    assertEquals(after.find(isEnded)?.data, end);
    // Replays from any id: the live runs' events after it, and the final status.
    for (const since of [0, 2, 5, finalSeq - 1]) {
      assertEquals(await store.listEvents(since), after.filter((e) => e.seq > since));
    }
    assertEquals(await store.listEvents(finalSeq), []);
    assertEquals(await store.listEvents(0, ended.id), [after.find(isEnded)!]);
    assertEquals(await store.listEvents(0, live.id), before.filter((e) => e.runId === live.id));
    // Tidied: no record left to sweep, no index entry without its event; the epochs stay.
    assertEquals((await keys(store, ["retire"])).length, 0);
    assertEquals((await keys(store, ["run_event", ended.id])).length, 1);
    assertEquals((await store.listEpochs(ended.id)).length, 3);
    assertEquals(await store.sweepRetired(0, t + 120_000), { runs: 0, events: 0, chunks: 0 });
  });
});

Deno.test("a KV written before retention: ended runs are retired, fat index entries read and slimmed", async () => {
  await withStore(async (store) => {
    const old = await running(store, 2);
    const end = await store.transition(old.id, ["running"], { status: "failed", error: "x" });
    const log = await store.listEvents(0);
    // As v2 wrote it: the whole event in the index, a checkpoint kept, no retire record.
    const w = store.kv.atomic();
    for (const e of log) w.set(["run_event", e.runId, e.seq], e);
    w.set(["ckpt_chunk", old.id, 2, 0], new Uint8Array(8)).delete(["retire", old.id]);
    w.delete(["meta", "retention"]);
    await w.commit();
    assertEquals(await store.listEvents(1, old.id), log.slice(1));

    const swept = await store.sweepRetired(RETAIN_ANY, Date.now());
    assertEquals(swept, { runs: 1, events: 4, chunks: 1 }); // all but the final status
    const index = await keys(store, ["run_event", old.id]);
    assertEquals(index.map((e) => [e.key[2], e.value]), [[log.at(-1)!.seq, "status"]]);
    const final = await store.listEvents(0, old.id);
    assertEquals(final, [log.at(-1)!]);
    assertEquals(final[0].data, end);
    assertEquals((await store.kv.get(["meta", "retention"])).value, 1);
  });
});
/** Any grace: a record from before retention counts as ended long ago. */
const RETAIN_ANY = 3_600_000;

Deno.test("compaction gives deleted space back and keeps every live record", async () => {
  await withStore(async (store, path) => {
    const keep = await running(store, 1);
    for (let i = 0; i < 6; i++) {
      const r = await running(store, 2, 200_000); // 1.6 MB checkpoints
      await store.transition(r.id, ["running"], { status: "done" });
      await store.deleteRun(r.id);
    }
    const records = await keys(store, []);
    await store.close();
    const size = async () => (await Deno.stat(path)).size;
    // Deleted rows only free pages inside the file (the WAL folded in first).
    const first = await compactKv(path, { vacuum: false });
    const before = await size();
    assertEquals(first.bytesAfter, before);
    const out = await compactKv(path);
    assertEquals(out.bytesBefore, before);
    assertEquals(out.bytesAfter, await size());
    assert(before > 3_000_000, `the file held ${before} bytes`);
    assert(out.freePages > 500, `${out.freePages} free pages`);
    assert(out.bytesAfter < before / 4, `${before} → ${out.bytesAfter} bytes`);
    const again = await Store.open(path);
    try {
      const left = [];
      for await (const e of again.kv.list({ prefix: [] })) left.push(e);
      assertEquals(left.map((e) => [e.key, e.value]), records.map((e) => [e.key, e.value]));
      assertEquals(await again.loadCheckpoint(keep.id), checkpoint(1));
    } finally {
      await again.close();
    }
  });
});
