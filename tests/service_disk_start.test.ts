// A restart while the disk is still full (the probe's panic at start): the
// service starts anyway, read-only and degraded with the reason, serves what
// is stored, refuses changes with 507, and once writes succeed again takes
// over the run the killed process left and finishes it, every epoch once.
// Through the KV double preloaded into the real server (tests/util/failing_kv.ts).
import { assert, assertEquals } from "./util/assert.ts";
import * as disk from "./util/disk_full.ts";

const RUN = disk.diskRun(8);

Deno.test("a start on a full disk: read-only and degraded, then recovers by itself", async () => {
  const { dir, flag, start } = await disk.failingKv("lb-disk-start-", 900);
  const first = await start();
  let id: string;
  try {
    id = await disk.runPastEpoch2(first.url, RUN);
  } finally {
    await first.kill();
  }

  await Deno.writeTextFile(flag, "database or disk is full");
  const srv = await start();
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
    const refused = await disk.postRun(base, RUN);
    assertEquals(refused.status, 507);
    assert((await refused.json()).error.includes("Free disk space"));

    await Deno.remove(flag);
    await disk.assertEndsWithEveryEpoch(getRun, RUN.epochs);
    assertEquals((await (await fetch(`${base}api/health`)).json()).status, "ok");
  } finally {
    await srv.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
