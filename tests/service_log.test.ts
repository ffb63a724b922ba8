// The server log, as an operator reads it: start-up lines (data sets
// included), then each run's lifecycle (queued, started, every epoch, done or
// failed with the reason), as plain text or, with LOSSBENCH_LOG=json, as JSON lines.
import { assert, assertEquals } from "./util/assert.ts";
import { startServer } from "./util/server.ts";

const TINY = {
  loss: "ce",
  data: "synthetic",
  trainLimit: 64,
  testLimit: 32,
  batchSize: 32,
  epochs: 2,
};

async function post(base: string, body: unknown) {
  const res = await fetch(`${base}api/runs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return await res.json();
}

Deno.test("text log: data sets at start-up, then a run's lifecycle, one line per epoch", async () => {
  const srv = await startServer({ env: { LOSSBENCH_DATASETS: "mine=/nonexistent/data.tar.gz" } });
  try {
    await srv.waitForLine(/^datasets: /);
    assert(srv.output().includes("datasets: cifar10, synthetic, mine"), srv.output());
    const run = await post(srv.url, TINY);
    await srv.waitForLine(new RegExp(`run ${run.id} .* done: 2 epochs`));
    const lines = srv.output().split("\n").filter((l) => l.includes(`run ${run.id}`));
    assert(/queued$/.test(lines[0]), lines[0]);
    assert(/started on cpu, data synthetic/.test(lines[1]), lines[1]);
    assertEquals(
      lines.filter((l) => / epoch \d: train loss .* test acc .*img\/s$/.test(l)).length,
      2,
    );
    // A run that fails says why.
    const bad = await post(srv.url, { ...TINY, data: "mine" });
    await srv.waitForLine(new RegExp(`run ${bad.id} .* failed: `));
  } finally {
    await srv.stop();
  }
});

Deno.test("LOSSBENCH_LOG=json: every line is a JSON object with time and msg", async () => {
  const srv = await startServer({ env: { LOSSBENCH_LOG: "json" } });
  try {
    const run = await post(srv.url, TINY);
    await srv.waitForLine(new RegExp(`"runId":"${run.id}".*"status":"done"`));
    const objs = srv.output().split("\n").filter((l) => l.startsWith("{")).map((l) =>
      JSON.parse(l)
    );
    assert(objs.length >= 8, `${objs.length} JSON lines`);
    assert(objs.every((o) => typeof o.time === "string" && typeof o.msg === "string"));
    assert(objs.some((o) => typeof o.url === "string" && o.url.startsWith("http://127.0.0.1:")));
    const mine = objs.filter((o) => o.runId === run.id);
    assertEquals(mine.map((o) => o.status ?? `epoch ${o.epoch}`), [
      "queued",
      "running",
      "epoch 1",
      "epoch 2",
      "done",
    ]);
    assert(mine.every((o) => o.level === "info"));
  } finally {
    await srv.stop();
  }
});
