// The KV file under a full disk's rules (service/wal.ts): Deno KV aborts the
// process when it can't delete an expired record, so lossbench writes none
// and makes those of older versions permanent before it opens the file; and
// the write-ahead log, which on a small disk fills it, is folded into the
// file on demand. Checked on a real KV file through SQLite itself.
import { DatabaseSync } from "node:sqlite";
import { IdempotencyStore } from "../service/idempotency.ts";
import { newId } from "../service/ids.ts";
import { SessionStore } from "../service/sessions.ts";
import { Store } from "../service/store.ts";
import type { WorkerRecord } from "../service/types.ts";
import { walBytes } from "../service/wal.ts";
import { assert, assertEquals } from "./util/assert.ts";
import { startServer } from "./util/server.ts";

/** Records in the file that Deno KV would delete once expired. */
function expiring(path: string): number {
  const db = new DatabaseSync(path);
  try {
    return (db.prepare("SELECT count(*) AS n FROM kv WHERE expiration_ms >= 0").get() as {
      n: number;
    }).n;
  } finally {
    db.close();
  }
}

Deno.test("expiring records of an older version are made permanent before KV opens", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lb-kvfile-" });
  const path = `${dir}/kv`;
  try {
    const old = await Deno.openKv(path);
    const id = newId();
    await old.set(["lease", id], { owner: "x", until: 1 }, { expireIn: 60_000 });
    await old.set(["worker", "w"], { id: "w", until: 1 }, { expireIn: 60_000 });
    old.close();
    assertEquals(expiring(path), 2);
    const store = await Store.open(path);
    try {
      assertEquals(expiring(path), 0);
      assertEquals((await store.getLease(id))?.owner, "x"); // kept, judged by its `until`
    } finally {
      await store.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a large write-ahead log is folded into the file and truncated", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lb-kvfile-" });
  const path = `${dir}/kv`;
  const store = await Store.open(path);
  try {
    for (let i = 0; i < 40; i++) await store.kv.set(["blob", i], new Uint8Array(60_000));
    const before = walBytes(path);
    assert(before > 1024 * 1024, `the log holds ${before} bytes`);
    assertEquals(store.checkpointWal(), { walBytes: 0 });
    assertEquals((await store.kv.get<Uint8Array>(["blob", 39])).value?.byteLength, 60_000);
    assertEquals(store.checkpointWal(), null); // small now: nothing to do
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the service writes no record that expires (leases, heartbeats, progress)", async () => {
  const srv = await startServer({ env: { LOSSBENCH_LEASE_MS: "600" } });
  try {
    const res = await fetch(`${srv.url}api/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        loss: "ce",
        epochs: 40,
        data: "synthetic",
        trainLimit: 256,
        testLimit: 64,
      }),
    });
    assertEquals(res.status, 201);
    const { id } = await res.json();
    // Running, with a lease, heartbeats and progress written.
    for (let i = 0; i < 600; i++) {
      const r = await (await fetch(`${srv.url}api/runs/${id}`)).json();
      if (r.epochsDone >= 2) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const kv = await Deno.openKv(srv.kvPath);
    try {
      for (const prefix of [["lease"], ["worker"], ["progress"], ["active"]]) {
        let n = 0;
        for await (const _ of kv.list({ prefix })) n++;
        assert(n > 0, `${prefix[0]} records exist`);
      }
    } finally {
      kv.close();
    }
    assertEquals(expiring(srv.kvPath), 0);
  } finally {
    await srv.stop();
  }
});

Deno.test("expired sessions, idempotent answers and stale heartbeats go with the sweep", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lb-kvfile-" });
  const store = await Store.open(`${dir}/kv`);
  try {
    const idem = new IdempotencyStore(store.kv, 1);
    assertEquals((await idem.claim("runs", "k", "r1")).kind, "claimed");
    const body = "x".repeat(130_000); // three chunks
    await idem.complete("runs", "k", "r1", { status: 201, headers: [], body });
    const sessions = new SessionStore("a-long-enough-token-for-this-test", store.kv, 1);
    const sid = await sessions.open();
    const live = await new SessionStore("a-long-enough-token-for-this-test", store.kv).open();
    await store.putWorker({ id: "gone", until: 0 } as never as WorkerRecord);
    await new Promise((r) => setTimeout(r, 5));
    // Past its `expires`, an answer counts as absent, a session as signed out.
    assertEquals((await idem.claim("runs", "k", "r2")).kind, "claimed");
    await idem.complete("runs", "k", "r2", { status: 201, headers: [], body });
    assertEquals(await sessions.valid(sid), false);
    await new Promise((r) => setTimeout(r, 5));
    await store.sweepRetired(0, Date.now() + 2 * 3600_000);
    const left: string[] = [];
    for await (const e of store.kv.list({ prefix: [] })) left.push(String(e.key[0]));
    assertEquals(left.filter((k) => k === "idem" || k === "worker"), []);
    assertEquals(left.filter((k) => k === "session").length, 1); // the live one
    assert(await new SessionStore("a-long-enough-token-for-this-test", store.kv).valid(live));
    assertEquals(expiring(`${dir}/kv`), 0);
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});
