// Issue 24, item 11: a client that retries after a lost acknowledgement sends
// the same Idempotency-Key and gets the first answer back, with nothing queued
// twice; the same key with another body is refused. Over loopback, and the
// store's own rules (reservation, chunked answers) on a real KV file.
import { assert, assertEquals } from "./util/assert.ts";
import { startServer } from "./util/server.ts";
import { IdempotencyStore } from "../service/idempotency.ts";

const RUN = { loss: "ce", epochs: 1, data: "synthetic", trainLimit: 32, testLimit: 16 };
const GRID = {
  losses: [{ loss: "ce" }, { loss: "focal" }],
  seeds: [1, 2],
  epochs: 1,
  data: "synthetic",
  trainLimit: 32,
  testLimit: 16,
};

function post(url: string, body: unknown, key?: string) {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key ? { "idempotency-key": key } : {}) },
    body: JSON.stringify(body),
  });
}

Deno.test("Idempotency-Key: a retry gets the first answer and queues nothing", async () => {
  const srv = await startServer({ env: { LOSSBENCH_WORKERS: "0" } });
  try {
    const runs = `${srv.url}api/runs`;
    const first = await post(runs, RUN, "retry-1");
    assertEquals(first.status, 201);
    const a = await first.json();
    const again = await post(runs, RUN, "retry-1");
    assertEquals(again.status, 201);
    assertEquals(again.headers.get("idempotency-replayed"), "true");
    assertEquals(again.headers.get("location"), `/api/runs/${a.id}`);
    assertEquals(await again.json(), a, "the first response, byte for byte");
    // The same key with another body; a bad key; no key: a new run each time.
    const other = await post(runs, { ...RUN, epochs: 2 }, "retry-1");
    assertEquals(other.status, 422);
    assert((await other.json()).error.includes("idempotency-key"));
    const bad = await post(runs, RUN, "x".repeat(300));
    assertEquals(bad.status, 400);
    await bad.body?.cancel();
    assertEquals((await post(runs, RUN)).status, 201);
    // A failed request keeps no answer: the key is free for the corrected retry.
    const invalid = await post(runs, { ...RUN, epochs: -1 }, "retry-2");
    assertEquals(invalid.status, 400);
    await invalid.body?.cancel();
    const fixed = await post(runs, { ...RUN, epochs: 3 }, "retry-2");
    assertEquals(fixed.status, 201);
    await fixed.body?.cancel();
    const list = await (await fetch(runs)).json();
    assertEquals(list.runs.length, 3, "retry-1 once, the keyless one, retry-2 once");

    // A grid: the retry answers the same experiment and its runs; none queued again.
    const exps = `${srv.url}api/experiments`;
    const e1 = await post(exps, GRID, "grid-1");
    assertEquals(e1.status, 201, await e1.clone().text());
    const exp = await e1.json();
    const e2 = await post(exps, GRID, "grid-1");
    assertEquals([e2.status, e2.headers.get("idempotency-replayed")], [201, "true"]);
    assertEquals((await e2.json()).id, exp.id);
    assertEquals((await (await fetch(exps)).json()).experiments.length, 1);
    assertEquals((await (await fetch(runs)).json()).runs.length, 3 + exp.runIds.length);
    // Keys are per route: the runs key does not answer for experiments.
    const cross = await post(exps, GRID, "retry-1");
    assertEquals(cross.status, 201);
    await cross.body?.cancel();
  } finally {
    await srv.stop();
  }
});

Deno.test("idempotency store: one claim at a time, long answers in chunks, released keys free", async () => {
  const dir = await Deno.makeTempDir();
  const kv = await Deno.openKv(`${dir}/kv`);
  try {
    const s = new IdempotencyStore(kv);
    assertEquals((await s.claim("runs", "k", "req-a")).kind, "claimed");
    assertEquals((await s.claim("runs", "k", "req-a")).kind, "in-flight");
    assertEquals((await s.claim("runs", "k", "req-b")).kind, "mismatch");
    const body = "x".repeat(200_000) + "end";
    await s.complete("runs", "k", "req-a", { status: 201, headers: [["location", "/x"]], body });
    const replay = await s.claim("runs", "k", "req-a");
    assert(replay.kind === "replay");
    assertEquals(replay.response.body, body);
    assertEquals(replay.response.headers, [["location", "/x"]]);
    assertEquals((await s.claim("experiments", "k", "req-a")).kind, "claimed");
    await s.release("experiments", "k");
    assertEquals((await s.claim("experiments", "k", "req-c")).kind, "claimed");
  } finally {
    kv.close();
    await Deno.remove(dir, { recursive: true });
  }
});
