// The service on a failing disk, through a KV double preloaded into the real
// server (tests/util/failing_kv.ts): a write that fails is 507 with what to
// do, /api/health says "degraded" and why, and both recover once writes
// succeed again. And the data cache's orphaned temp files are gone after a
// start.
import { TEMP_GRACE_MS } from "../ml/data/cache.ts";
import { assert, assertEquals } from "./util/assert.ts";
import { startServer } from "./util/server.ts";

const RUN = { loss: "ce", epochs: 50, data: "synthetic", trainLimit: 64, testLimit: 32 };

async function post(base: string, path: string, body: unknown) {
  const res = await fetch(base + path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

const health = async (base: string) => await (await fetch(`${base}api/health`)).json();

Deno.test("a full or locked disk: 507 and a degraded health until writes succeed again", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lb-disk-" });
  const flag = `${dir}/fail-writes`;
  const srv = await startServer({
    env: { LOSSBENCH_TEST_KV_FAIL: flag },
    denoArgs: ["--preload", "tests/util/failing_kv.ts"],
  });
  const base = srv.url;
  try {
    assertEquals((await health(base)).status, "ok");

    await Deno.writeTextFile(flag, "database or disk is full");
    const full = await post(base, "api/runs", RUN);
    assertEquals(full.status, 507, JSON.stringify(full.json));
    assert(
      /^storage failure: .*\(disk is full\).*Free disk space/.test(full.json.error),
      full.json.error,
    );
    const { loss: _, ...settings } = RUN;
    const exp = await post(base, "api/experiments", settings);
    assertEquals(exp.status, 507);
    // Nothing half-done: no run was queued.
    assertEquals((await (await fetch(`${base}api/runs`)).json()).runs.length, 0);

    const h = await health(base);
    assertEquals(h.status, "degraded");
    assert(h.reason.startsWith("storage: disk is full (since "), h.reason);
    assertEquals(h.storage.status, "failing");
    assertEquals(h.storage.reason, "disk is full");
    assertEquals(h.workers.ready, 1); // the workers are fine

    await Deno.writeTextFile(flag, "database is locked");
    const locked = await post(base, "api/runs", RUN);
    assertEquals(locked.status, 507);
    assert(locked.json.error.includes("(database is locked)"), locked.json.error);
    assertEquals((await health(base)).storage.reason, "database is locked");

    // Space is back: the next write succeeds and health is ok again.
    await Deno.remove(flag);
    const ok = await post(base, "api/runs", RUN);
    assertEquals(ok.status, 201, JSON.stringify(ok.json));
    const after = await health(base);
    assertEquals(after.status, "ok");
    assertEquals(after.storage, { status: "ok" });
    assertEquals(after.reason, undefined);
    const cancel = await post(base, `api/runs/${ok.json.id}/cancel`, {});
    assertEquals(cancel.status, 200);
    // The log has the underlying error.
    assert(srv.output().includes("database or disk is full"), "logged");
  } finally {
    await srv.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("start-up removes temp files an interrupted write left in the data cache", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lb-cache-" });
  const cache = `${dir}/cache`;
  const uuid = () => crypto.randomUUID();
  const old = new Date(Date.now() - 2 * TEMP_GRACE_MS);
  const files = {
    // A kill during the decode-cache write (the probe's 31 MB one, smaller).
    orphanDecode: `${cache}/decoded/images-0123.lbds.tmp-${uuid()}`,
    orphanDownload: `${cache}/cifar-10-binary.tar.gz.part-${uuid()}`,
    orphanUrl: `${cache}/downloads/${uuid()}.download`,
    // Written to a moment ago: maybe another process's write in progress.
    recent: `${cache}/decoded/images-4567.lbds.tmp-${uuid()}`,
    // Not temp files, however old.
    entry: `${cache}/decoded/images-0123.lbds`,
    index: `${cache}/urls/abcd.json`,
  };
  for (const [key, path] of Object.entries(files)) {
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    await Deno.writeFile(path, new Uint8Array(key === "orphanDecode" ? 1_000_000 : 10));
    if (key !== "recent") await Deno.utime(path, old, old);
  }
  const srv = await startServer({ env: { LOSSBENCH_CACHE: cache } });
  try {
    const exists = async (p: string) => await Deno.stat(p).then(() => true, () => false);
    const left: Record<string, boolean> = {};
    for (const [key, path] of Object.entries(files)) left[key] = await exists(path);
    assertEquals(left, {
      orphanDecode: false,
      orphanDownload: false,
      orphanUrl: false,
      recent: true,
      entry: true,
      index: true,
    });
    assert(
      srv.output().includes("cache: removed 3 stale temp file(s), 1.0 MB"),
      srv.output(),
    );
  } finally {
    await srv.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
