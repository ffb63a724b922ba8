// The KV store on a real KV file: atomic epochs with chunked checkpoints,
// exactly-once epochs, the queue, the event log, deletion, reopening.
import type { Checkpoint, EpochMetrics } from "../ml/types.ts";
import { newId } from "../service/ids.ts";
import {
  CHUNK_BYTES,
  packCheckpoint,
  QueueFullError,
  Store,
  unpackCheckpoint,
} from "../service/store.ts";
import type { DurableEvent, Run } from "../service/types.ts";
import { testConfig } from "./util/tiny_config.ts";
import { assert, assertEquals, assertRejects } from "./util/assert.ts";

const config = testConfig();

function run(id = newId()): Run {
  return {
    id,
    status: "queued",
    config,
    label: "ce",
    cellKey: "ce",
    createdAt: new Date().toISOString(),
    epochsDone: 0,
  };
}

function metrics(epoch: number, testAcc = 0.1 * epoch): EpochMetrics {
  return {
    epoch,
    trainLoss: 2 - epoch / 10,
    trainAcc: 0.2,
    testLoss: 1.9,
    testAcc,
    f1: testAcc / 2,
    balancedAcc: testAcc,
    worstClassAcc: testAcc / 3,
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

/** A checkpoint bigger than one KV value, with distinct values everywhere. */
function checkpoint(epoch: number, n = 40_000): Checkpoint {
  const w = new Float32Array(n).map((_, i) => Math.sin(i + epoch));
  const b = new Float32Array(7).map((_, i) => i * 1e-3 + epoch);
  const m = new Float32Array(n).map((_, i) => Math.cos(i * epoch));
  return { epoch, weights: { "dense/w": w, "dense/b": b }, momentum: { "dense/w": m } };
}

async function withStore(
  fn: (store: Store, events: DurableEvent[], path: string) => Promise<void>,
  maxQueue?: number,
) {
  const dir = await Deno.makeTempDir({ prefix: "lossbench-store-" });
  const events: DurableEvent[] = [];
  const store = await Store.open(`${dir}/kv`, { onEvent: (e) => events.push(e), maxQueue });
  try {
    await fn(store, events, `${dir}/kv`);
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("checkpoints pack into 60 KiB chunks and unpack bit-exactly", () => {
  const ck = checkpoint(3);
  const { meta, chunks } = packCheckpoint(ck);
  assertEquals(meta.bytes, (40_000 + 7 + 40_000) * 4);
  assertEquals(chunks.length, Math.ceil(meta.bytes / CHUNK_BYTES));
  assert(chunks.every((c) => c.byteLength <= 64 * 1024), "every chunk fits a KV value");
  assertEquals(unpackCheckpoint(meta, chunks), ck);
});

Deno.test("ids sort by creation time", () => {
  const ids = Array.from({ length: 2000 }, () => newId());
  assertEquals([...ids].sort(), ids);
  assertEquals(new Set(ids).size, ids.length);
});

Deno.test("runs are created queued, listed newest first, and queued in order", async () => {
  await withStore(async (store, events) => {
    const a = run(), b = run();
    await store.createRuns([a]);
    await store.createRuns([b]);
    assertEquals((await store.listRuns()).map((r) => r.id), [b.id, a.id]);
    assertEquals(store.queueLength, 2);
    assertEquals(await store.peekQueue(), a.id);
    assertEquals(events.map((e) => [e.seq, e.type, e.runId]), [[1, "status", a.id], [
      2,
      "status",
      b.id,
    ]]);

    const started = await store.transition(a.id, ["queued"], { status: "running" });
    assertEquals(started?.status, "running");
    assertEquals(store.queueLength, 1);
    assertEquals(await store.peekQueue(), b.id);
    // A transition from the wrong state changes nothing and emits nothing.
    assertEquals(await store.transition(a.id, ["queued"], { status: "cancelled" }), null);
    assertEquals(events.length, 3);
    // Requeued (after a restart) runs go before new ones.
    await store.transition(a.id, ["running"], { status: "queued" }, { requeue: true });
    assertEquals(await store.peekQueue(), a.id);
    assertEquals(store.queueLength, 2);
  });
});

Deno.test("a full queue refuses a whole batch of runs", async () => {
  await withStore(async (store) => {
    await store.createRuns([run(), run()]);
    const err = await assertRejects(() => store.createRuns([run(), run()]), "can't take 2 runs");
    assert(err instanceof QueueFullError);
    assertEquals(store.queueLength, 2);
    assertEquals((await store.listRuns()).length, 2);
    await store.createRuns([run()]);
    assertEquals(store.queueLength, 3);
  }, 3);
});

Deno.test("an epoch is recorded atomically with its checkpoint, summary and event, once", async () => {
  await withStore(async (store, events, path) => {
    const r = run();
    await store.createRuns([r]);
    await store.transition(r.id, ["queued"], { status: "running" });
    for (const e of [1, 2]) {
      // Epoch 1 is best on the test set, epoch 2 on validation: `best` follows validation.
      const m = { ...metrics(e, e === 1 ? 0.5 : 0.4), valAcc: e === 1 ? 0.3 : 0.35 };
      const after = await store.recordEpoch(r.id, m, checkpoint(e));
      assertEquals(after?.epochsDone, e);
    }
    // A repeat of epoch 2 (e.g. a resumed worker) is ignored.
    assertEquals(await store.recordEpoch(r.id, metrics(2, 0.9), checkpoint(2)), null);

    const saved = await store.getRun(r.id);
    assertEquals(saved?.epochsDone, 2);
    assertEquals(saved?.best, { valAcc: 0.35, testAcc: 0.4, f1: 0.2, epoch: 2 });
    assertEquals(saved?.last, { ...metrics(2, 0.4), valAcc: 0.35 });
    assertEquals(await store.listEpochs(r.id), [
      { ...metrics(1, 0.5), valAcc: 0.3 },
      { ...metrics(2, 0.4), valAcc: 0.35 },
    ]);
    assertEquals(await store.loadCheckpoint(r.id), checkpoint(2));

    // Only the latest checkpoint's chunks are kept.
    const chunkKeys = [];
    for await (const e of store.kv.list({ prefix: ["ckpt_chunk", r.id] })) chunkKeys.push(e.key);
    assert(chunkKeys.every((k) => k[2] === 2), `stale chunks: ${JSON.stringify(chunkKeys)}`);
    assertEquals(chunkKeys.length, packCheckpoint(checkpoint(2)).chunks.length);

    const epochEvents = events.filter((e) => e.type === "epoch");
    assertEquals(epochEvents.map((e) => e.type === "epoch" && e.data.epoch), [1, 2]);
    assertEquals(events.map((e) => e.seq), [1, 2, 3, 4]);
    assertEquals(await store.listEvents(2), events.slice(2));
    assertEquals(await store.listEvents(0, r.id), events);

    // Reopening continues the sequence and keeps the queue count.
    const other = run();
    await store.createRuns([other]);
    await store.close();
    const again = await Store.open(path);
    try {
      assertEquals(again.lastSeq, 5);
      assertEquals(again.queueLength, 1);
      assertEquals((await again.listEvents(4)).map((e) => e.runId), [other.id]);
    } finally {
      await again.close();
    }
  });
});

Deno.test("a checkpoint over KV's 800 KiB write limit is recorded and replaced whole", async () => {
  await withStore(async (store) => {
    const r = run();
    await store.createRuns([r]);
    await store.transition(r.id, ["queued"], { status: "running" });
    const big = (e: number) => checkpoint(e, 300_000); // ≈ 2.4 MB: 40 chunks
    assert(packCheckpoint(big(1)).chunks.length > 13, "bigger than one atomic write");
    for (const e of [1, 2]) {
      assertEquals((await store.recordEpoch(r.id, metrics(e), big(e)))?.epochsDone, e);
    }
    assertEquals(await store.loadCheckpoint(r.id), big(2));
    const keys = [];
    for await (const e of store.kv.list({ prefix: ["ckpt_chunk", r.id] })) keys.push(e.key);
    assertEquals(keys.length, packCheckpoint(big(2)).chunks.length);
    assert(keys.every((k) => k[2] === 2), "the previous epoch's chunks are gone");
  });
});

Deno.test("an epoch for a run that is no longer running is not recorded", async () => {
  await withStore(async (store) => {
    const r = run();
    await store.createRuns([r]);
    await store.transition(r.id, ["queued"], { status: "cancelled" });
    assertEquals(await store.recordEpoch(r.id, metrics(1), checkpoint(1, 10)), null);
    assertEquals(await store.listEpochs(r.id), []);
  });
});

Deno.test("deleting a run removes every record of it, events included", async () => {
  await withStore(async (store) => {
    const keep = run(), gone = run();
    await store.createRuns([keep, gone]);
    await store.transition(gone.id, ["queued"], { status: "running" });
    await store.recordEpoch(gone.id, metrics(1), checkpoint(1));
    await store.transition(gone.id, ["running"], { status: "done" });
    assert(await store.deleteRun(gone.id));
    assertEquals(await store.deleteRun(gone.id), false);

    const left: Deno.KvKey[] = [];
    for await (const e of store.kv.list({ prefix: [] })) {
      if (JSON.stringify(e.key).includes(gone.id) || JSON.stringify(e.value).includes(gone.id)) {
        left.push(e.key);
      }
    }
    assertEquals(left, []);
    assertEquals((await store.listRuns()).map((r) => r.id), [keep.id]);
    assertEquals(store.queueLength, 1);
  });
});

Deno.test("a stale queue entry (its run no longer queued) can be dropped", async () => {
  await withStore(async (store) => {
    const r = run();
    await store.createRuns([r]);
    await store.kv.set(["run", r.id], { ...r, status: "failed" }); // simulate an inconsistency
    assertEquals(await store.peekQueue(), r.id);
    await store.dropStale(r.id);
    assertEquals(await store.peekQueue(), null);
    assertEquals(store.queueLength, 0);
  });
});
