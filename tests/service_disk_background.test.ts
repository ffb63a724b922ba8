// A disk that fills while a run trains: nothing but the scheduler writes (its
// epochs, progress and heartbeats), and /api/health must still say
// "degraded" and why, then "ok" once writes succeed again; the run resumes
// from its last recorded epoch and ends with every epoch recorded once.
// Through the KV double preloaded into the real server (tests/util/failing_kv.ts).
import { assert, assertEquals } from "./util/assert.ts";
import * as disk from "./util/disk_full.ts";

const RUN = disk.diskRun(30);

Deno.test("a disk that fills during training: health degrades without any request, recovers, epochs once", async () => {
  const { dir, flag, start } = await disk.failingKv("lb-disk-bg-", 1500);
  const srv = await start();
  const base = srv.url;
  const health = async () => await (await fetch(`${base}api/health`)).json();
  const getRun = async (id: string) => await (await fetch(`${base}api/runs/${id}`)).json();
  try {
    const id = await disk.runPastEpoch2(base, RUN);
    assertEquals((await health()).status, "ok");

    await Deno.writeTextFile(flag, "database or disk is full");
    const h = await disk.until("degraded health", async () => {
      const h = await health();
      return h.status === "degraded" ? h : undefined;
    }, 15_000);
    assert(h.reason.startsWith("storage: disk is full (since "), h.reason);
    assertEquals(h.storage.reason, "disk is full");
    // It stays degraded while the disk is full, and nothing more is recorded.
    const frozen = (await getRun(id)).epochsDone;
    await disk.sleep(1500);
    assertEquals((await health()).status, "degraded");
    assertEquals((await getRun(id)).epochsDone, frozen);
    assert(frozen < RUN.epochs, `the run finished (${frozen} epochs) before the disk filled`);

    // Space is back: the next heartbeat's write clears it; the run resumes and ends.
    await Deno.remove(flag);
    await disk.until("ok health", async () => (await health()).status === "ok" ? true : undefined);
    await disk.assertEndsWithEveryEpoch(() => getRun(id), RUN.epochs);
    assert(srv.output().includes("database or disk is full"), "the log has the cause");
  } finally {
    await srv.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
