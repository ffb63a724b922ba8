// Shared by tests/service_disk_*.test.ts: a real server with the failing-KV
// double preloaded (tests/util/failing_kv.ts), a small synthetic run to
// train on it, and the waits and checks those tests have in common.
import { assertEquals } from "./assert.ts";
import { type Server, startServer } from "./server.ts";

/** A synthetic run of `epochs` epochs, small enough to train in seconds. */
export const diskRun = (epochs: number) => ({
  loss: "ce",
  epochs,
  data: "synthetic",
  trainLimit: 256,
  testLimit: 64,
  batchSize: 64,
});

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it gives a value; its errors end the wait at once. */
export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  ms = 60_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

export const postRun = (base: string, body: unknown) =>
  fetch(`${base}api/runs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

export interface FailingKvServer {
  /** A temporary folder, removed by the caller. */
  dir: string;
  /** The file whose presence makes KV writes fail (see failing_kv.ts). */
  flag: string;
  /** Starts a server on `kvPath` (default in `dir`) with the double preloaded. */
  start: () => Promise<Server>;
}

/** A folder, a failure flag in it, and a way to start servers whose KV obeys that flag. */
export async function failingKv(prefix: string, leaseMs: number): Promise<FailingKvServer> {
  const dir = await Deno.makeTempDir({ prefix });
  const flag = `${dir}/fail-writes`;
  const kvPath = `${dir}/lossbench.kv`;
  const start = () =>
    startServer({
      kvPath,
      env: { LOSSBENCH_TEST_KV_FAIL: flag, LOSSBENCH_LEASE_MS: String(leaseMs) },
      denoArgs: ["--preload", "tests/util/failing_kv.ts"],
    });
  return { dir, flag, start };
}

type RunView = { status: string; epochs: { epoch: number }[] };

/** Waits for the run to leave queued/running, and asserts it is done with every epoch once. */
export async function assertEndsWithEveryEpoch(
  getRun: () => Promise<RunView>,
  epochs: number,
): Promise<void> {
  const done = await until("the run to end", async () => {
    const r = await getRun();
    return r.status === "queued" || r.status === "running" ? undefined : r;
  }, 120_000);
  assertEquals(done.status, "done", JSON.stringify(done).slice(0, 300));
  assertEquals(
    done.epochs.map((e) => e.epoch),
    Array.from({ length: epochs }, (_, i) => i + 1),
  );
}

/** Posts `run` to the server at `base` (201 expected) and waits until 2 epochs are recorded. */
export async function runPastEpoch2(base: string, run: unknown): Promise<string> {
  const res = await postRun(base, run);
  assertEquals(res.status, 201);
  const { id } = await res.json();
  await until("epoch 2", async () => {
    const r = await (await fetch(`${base}api/runs/${id}`)).json();
    return r.epochsDone >= 2 ? true : undefined;
  });
  return id;
}
