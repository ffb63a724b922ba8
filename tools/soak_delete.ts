// The soak's delete-kill part (tools/soak.ts): DELETE a finished grid and
// kill -9 the server `killAfterMs` into it. After a restart the experiment
// and every run of it must be gone from every read at once (never a partial
// grid), and the removal resumed by the heartbeat must leave no record behind.
import { startServer } from "../tests/util/server.ts";
import { finishedGrid } from "./soak_readers.ts";

type RecordRow = (part: string, what: string, value: string) => void;
type Check = (ok: boolean, what: string) => void;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Keys left in the KV file of the experiment and its runs. */
async function recordsLeft(kvPath: string, expId: string, runIds: string[]): Promise<number> {
  const kv = await Deno.openKv(kvPath);
  try {
    let n = 0;
    for (const key of [["experiment", expId], ["deleting", "experiment", expId]]) {
      if ((await kv.get(key)).versionstamp) n++;
    }
    for (const id of runIds) {
      if ((await kv.get(["run", id])).versionstamp) n++;
      for await (const _ of kv.list({ prefix: ["epoch", id] })) n++;
    }
    return n;
  } finally {
    kv.close();
  }
}

export async function deleteKill(
  grid: number,
  killAfterMs: number,
  record: RecordRow,
  check: Check,
  env: Record<string, string> = {},
) {
  console.log(`delete: a ${grid}-run grid deleted, the server killed ${killAfterMs} ms in`);
  const dir = await Deno.makeTempDir({ prefix: "lossbench-soak-delete-" });
  const kvPath = `${dir}/kv`;
  // A short lease: the heartbeat that resumes the removal comes every second.
  const opts = { kvPath, env: { LOSSBENCH_LEASE_MS: "3000", ...env } };
  try {
    const a = await startServer(opts);
    const expId = await finishedGrid(a.url, grid);
    const runIds: string[] = (await (await fetch(`${a.url}api/experiments/${expId}`)).json())
      .runIds;
    const del = fetch(`${a.url}api/experiments/${expId}`, { method: "DELETE" }).catch(() => null);
    await sleep(killAfterMs);
    await a.kill();
    const answered = await del;

    const b = await startServer(opts);
    let status = 0, visible = -1, left = -1;
    try {
      status = (await fetch(`${b.url}api/experiments/${expId}`)).status;
      const { runs } = await (await fetch(`${b.url}api/runs`)).json();
      const mine = new Set(runIds);
      visible = runs.filter((r: { id: string }) => mine.has(r.id)).length;
      // The heartbeat resumes the removal: wait (at most 30 s) for the last record to go.
      const t0 = performance.now();
      while ((left = await recordsLeft(kvPath, expId, runIds)) > 0) {
        if (performance.now() - t0 > 30_000) break;
        await sleep(500);
      }
    } finally {
      await b.stop();
    }
    record("delete", "DELETE answered before the kill", answered ? String(answered.status) : "no");
    record("delete", "experiment after the restart", String(status));
    record("delete", "its runs visible after the restart", `${visible} of ${runIds.length}`);
    record("delete", "its records left once resumed", String(left));
    check(status === 404 && visible === 0 && left === 0, "delete: a killed delete left a trace");
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}
