// A restart while the disk is still full (the probe's panic at start): the
// service starts anyway, read-only and degraded with the reason, serves what
// is stored, refuses changes with 507, and once writes succeed again takes
// over the run the killed process left and finishes it, every epoch once.
// Through the KV double preloaded into the real server (tests/util/failing_kv.ts).
import { assert, assertEquals } from "./util/assert.ts";
import { startServer } from "./util/server.ts";

const RUN = {
  loss: "ce",
  epochs: 8,
  data: "synthetic",
  trainLimit: 256,
  testLimit: 64,
  batchSize: 64,
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const post = (base: string, body: unknown) =>
  fetch(`${base}api/runs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

Deno.test("a start on a full disk: read-only and degraded, then recovers by itself", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lb-disk-start-" });
  const flag = `${dir}/fail-writes`;
  const kvPath = `${dir}/lossbench.kv`;
  const env = { LOSSBENCH_TEST_KV_FAIL: flag, LOSSBENCH_LEASE_MS: "900" };
  const denoArgs = ["--preload", "tests/util/failing_kv.ts"];
  const first = await startServer({ kvPath, env, denoArgs });
  let id: string;
  try {
    const res = await post(first.url, RUN);
    assertEquals(res.status, 201);
    id = (await res.json()).id;
    await until("epoch 2", async () => {
      const r = await (await fetch(`${first.url}api/runs/${id}`)).json();
      return r.epochsDone >= 2 ? true : undefined;
    });
  } finally {
    await first.kill();
  }

  await Deno.writeTextFile(flag, "database or disk is full");
  const srv = await startServer({ kvPath, env, denoArgs });
  const base = srv.url;
  const getRun = async () => await (await fetch(`${base}api/runs/${id}`)).json();
  try {
    await srv.waitForLine(/starting read-only/);
    const h = await (await fetch(`${base}api/health`)).json();
    assertEquals(h.status, "degraded");
    assert(h.reason.startsWith("storage: disk is full"), h.reason);
    // Reads work: the run as the killed process left it.
    const left = await getRun();
    assertEquals(left.status, "running");
    assert(left.epochsDone >= 2 && left.epochsDone < RUN.epochs, `${left.epochsDone} epochs`);
    // Changes are refused with what to do.
    const refused = await post(base, RUN);
    assertEquals(refused.status, 507);
    assert((await refused.json()).error.includes("Free disk space"));

    await Deno.remove(flag);
    const done = await until("the run to end", async () => {
      const r = await getRun();
      return r.status === "queued" || r.status === "running" ? undefined : r;
    }, 120_000);
    assertEquals(done.status, "done", JSON.stringify(done).slice(0, 300));
    assertEquals(
      done.epochs.map((e: { epoch: number }) => e.epoch),
      Array.from({ length: RUN.epochs }, (_, i) => i + 1),
    );
    assertEquals((await (await fetch(`${base}api/health`)).json()).status, "ok");
  } finally {
    await srv.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
