// A disk too full for a checkpoint but not for a status change (the probe's
// "failed: could not record epoch 2"): the run must not fail. It pauses with
// its epoch held, stays resumable while storage fails, and once space is back
// it resumes and ends with every epoch recorded exactly once. Through the KV
// double preloaded into the real server (tests/util/failing_kv.ts).
import { assert, assertEquals } from "./util/assert.ts";
import { startServer } from "./util/server.ts";

const RUN = {
  loss: "ce",
  epochs: 12,
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

Deno.test("storage that can't take a checkpoint pauses the run, never fails it; it resumes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lb-disk-pause-" });
  const flag = `${dir}/fail-writes`;
  const srv = await startServer({
    env: { LOSSBENCH_TEST_KV_FAIL: flag, LOSSBENCH_LEASE_MS: "900" },
    denoArgs: ["--preload", "tests/util/failing_kv.ts"],
  });
  const base = srv.url;
  const getRun = async (id: string) => await (await fetch(`${base}api/runs/${id}`)).json();
  try {
    const res = await fetch(`${base}api/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(RUN),
    });
    assertEquals(res.status, 201);
    const { id } = await res.json();
    await until("epoch 2", async () => (await getRun(id)).epochsDone >= 2 ? true : undefined);

    // Small writes (status changes, heartbeats) still go through; checkpoints don't.
    await Deno.writeTextFile(flag, "database or disk is full\nmin-bytes 20000");
    // The next epoch's checkpoint is refused (the old code failed the run here).
    const refused = /not recorded yet|could not record epoch/;
    await until("a refused epoch", () => Promise.resolve(refused.test(srv.output()) || undefined));
    const paused = await getRun(id);
    assert(paused.epochsDone < RUN.epochs, `the run finished before the disk filled`);
    // Several heartbeats retry the held epoch meanwhile; the run stays resumable.
    await sleep(2_000);
    const still = await getRun(id);
    assertEquals(still.status, "running", JSON.stringify(still).slice(0, 300));
    assertEquals(still.epochsDone, paused.epochsDone);
    assertEquals(still.error, undefined);

    await Deno.remove(flag);
    const done = await until("the run to end", async () => {
      const r = await getRun(id);
      return r.status === "queued" || r.status === "running" ? undefined : r;
    }, 120_000);
    assertEquals(done.status, "done", JSON.stringify(done).slice(0, 300));
    assertEquals(
      done.epochs.map((e: { epoch: number }) => e.epoch),
      Array.from({ length: RUN.epochs }, (_, i) => i + 1),
    );
    assert(srv.output().includes("storage works again"), srv.output().slice(-2000));
  } finally {
    await srv.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
