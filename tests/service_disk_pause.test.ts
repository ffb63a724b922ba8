// A disk too full for a checkpoint but not for a status change (the probe's
// "failed: could not record epoch 2"): the run must not fail. It pauses with
// its epoch held, stays resumable while storage fails, and once space is back
// it resumes and ends with every epoch recorded exactly once. Through the KV
// double preloaded into the real server (tests/util/failing_kv.ts).
import { assert, assertEquals } from "./util/assert.ts";
import * as disk from "./util/disk_full.ts";

const RUN = disk.diskRun(12);

Deno.test("storage that can't take a checkpoint pauses the run, never fails it; it resumes", async () => {
  const { dir, flag, start } = await disk.failingKv("lb-disk-pause-", 900);
  const srv = await start();
  const base = srv.url;
  const getRun = async (id: string) => await (await fetch(`${base}api/runs/${id}`)).json();
  try {
    const id = await disk.runPastEpoch2(base, RUN);

    // Small writes (status changes, heartbeats) still go through; checkpoints don't.
    await Deno.writeTextFile(flag, "database or disk is full\nmin-bytes 20000");
    // The next epoch's checkpoint is refused (the old code failed the run here).
    const refused = /not recorded yet|could not record epoch/;
    await disk.until(
      "a refused epoch",
      () => Promise.resolve(refused.test(srv.output()) || undefined),
    );
    const paused = await getRun(id);
    assert(paused.epochsDone < RUN.epochs, `the run finished before the disk filled`);
    // Several heartbeats retry the held epoch meanwhile; the run stays resumable.
    await disk.sleep(2_000);
    const still = await getRun(id);
    assertEquals(still.status, "running", JSON.stringify(still).slice(0, 300));
    assertEquals(still.epochsDone, paused.epochsDone);
    assertEquals(still.error, undefined);

    await Deno.remove(flag);
    await disk.assertEndsWithEveryEpoch(() => getRun(id), RUN.epochs);
    assert(srv.output().includes("storage works again"), srv.output().slice(-2000));
  } finally {
    await srv.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
