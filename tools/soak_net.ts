// The soak's connection checks (issue 24, items 1 and 3), beside tools/soak.ts:
//
//   descriptors  a server under `ulimit -n 256`, caps set above what that
//                allows, a 2 s header timeout: `sockets` idle connections at
//                once. Accepts fail with EMFILE; the server must stay up, close
//                the idle sockets itself, and answer /api/health afterwards.
//   head         `heads` HEAD requests on /api/events: no stream may stay open,
//                and a GET stream is still 200 afterwards.
import { addrOf, oneRequest } from "../tests/util/raw_http.ts";
import { startServer } from "../tests/util/server.ts";

type Record = (part: string, what: string, value: string) => void;
type Check = (ok: boolean, what: string) => void;

async function healthOf(url: string, tries = 150) {
  for (let i = 0; i < tries; i++) {
    try {
      const r = await fetch(`${url}api/health`);
      if (r.status === 200) return await r.json();
      await r.body?.cancel();
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return null;
}

/** Resolves true when the server closes `conn` (EOF or reset), false after `limitMs`. */
async function closedByServer(conn: Deno.Conn, limitMs: number): Promise<boolean> {
  let mine = false;
  const timer = setTimeout(() => {
    mine = true;
    conn.close();
  }, limitMs);
  const buf = new Uint8Array(1024);
  try {
    while ((await conn.read(buf)) !== null);
  } catch {
    // reset by the server, or our own close
  } finally {
    clearTimeout(timer);
  }
  if (!mine) {
    try {
      conn.close();
    } catch {
      // closed
    }
  }
  return !mine;
}

export async function descriptors(sockets: number, record: Record, check: Check, env = {}) {
  const srv = await startServer({
    shellPrefix: "ulimit -n 256",
    env: {
      ...env,
      LOSSBENCH_MAX_CONNECTIONS: "100000",
      LOSSBENCH_MAX_CONNECTIONS_PER_ADDRESS: "100000",
      LOSSBENCH_HEADER_TIMEOUT_MS: "2000",
    },
  });
  try {
    const addr = addrOf(srv.url);
    const t0 = performance.now();
    const settled = await Promise.allSettled(
      Array.from({ length: sockets }, () => Deno.connect(addr)),
    );
    const conns = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    record("fds", "idle sockets opened (ulimit -n 256)", `${conns.length} of ${sockets}`);
    const closed = await Promise.all(conns.map((c) => closedByServer(c, 60_000)));
    const n = closed.filter(Boolean).length;
    record(
      "fds",
      "closed by the server (2 s header timeout)",
      `${n} in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    check(n === conns.length, "fds: the server left idle sockets open");
    const h = await healthOf(srv.url);
    const up = h !== null && h.status === "ok";
    record("fds", "server up and serving afterwards", up ? "yes" : "NO");
    check(up, "fds: the server did not serve /api/health after descriptor exhaustion");
    record("fds", "failed accepts survived", String(h?.connections?.acceptErrors ?? "?"));
    record("fds", "connections timed out", String(h?.connections?.timedOut ?? "?"));
  } finally {
    const status = await srv.stop().catch(() => ({ code: -1 }));
    check(status.code === 0, "fds: the server did not exit cleanly");
  }
}

export async function heads(n: number, record: Record, check: Check, env = {}) {
  const srv = await startServer({ env });
  try {
    let ok = 0;
    for (let i = 0; i < n; i++) {
      const r = await oneRequest(srv.url, "HEAD", "/api/events");
      if (r.status === 200) ok++;
    }
    const h = await healthOf(srv.url);
    record("head", `HEAD /api/events answered 200`, `${ok} of ${n}`);
    record("head", "streams open after the HEADs", String(h?.subscribers ?? "?"));
    check(h?.subscribers === 0, "head: a HEAD left a stream open");
    const get = await fetch(`${srv.url}api/events`);
    record("head", "GET /api/events afterwards", String(get.status));
    check(get.status === 200, "head: GET /api/events refused after HEADs");
    await get.body?.cancel();
  } finally {
    await srv.stop();
  }
}
