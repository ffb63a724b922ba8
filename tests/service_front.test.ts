// Issue 24, item 1: idle connections took the process down. With the open-file
// limit lowered for the server alone, a few hundred idle sockets must leave it
// up and serving once they go; silent, slow and idle sockets are closed; and
// connections are capped in total and per address (503 over a cap).
import { assert, assertEquals } from "./util/assert.ts";
import { addrOf, rawHttp } from "./util/raw_http.ts";
import { startServer } from "./util/server.ts";

/** Opens `n` TCP connections at once and sends nothing; those the kernel refused are left out. */
async function idleSockets(url: string, n: number): Promise<Deno.TcpConn[]> {
  const addr = addrOf(url);
  const settled = await Promise.allSettled(
    Array.from({ length: n }, () => Deno.connect(addr)),
  );
  return settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
}

function closeAll(conns: Deno.Conn[]): void {
  for (const c of conns) {
    try {
      c.close();
    } catch {
      // closed by the server
    }
  }
}

/** Reads until the server closes (null) or `limitMs` passes ("open"). */
async function readToClose(conn: Deno.Conn, limitMs = 15_000): Promise<string | "open"> {
  const timer = setTimeout(() => closeAll([conn]), limitMs);
  const chunks: string[] = [];
  const buf = new Uint8Array(4096);
  const dec = new TextDecoder();
  try {
    while (true) {
      const n = await conn.read(buf);
      if (n === null) break;
      chunks.push(dec.decode(buf.subarray(0, n)));
    }
  } catch (e) {
    if (e instanceof Deno.errors.BadResource) return "open";
    // reset by the server: closed
  } finally {
    clearTimeout(timer);
  }
  closeAll([conn]);
  return chunks.join("");
}

async function health(url: string, tries = 100) {
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
  throw new Error("the server never answered /api/health again");
}

Deno.test("descriptor exhaustion: 300 idle sockets under ulimit -n 256; the server lives on", async () => {
  // Caps set above what the limit allows, so accepts really fail with EMFILE.
  const srv = await startServer({
    shellPrefix: "ulimit -n 256",
    env: { LOSSBENCH_MAX_CONNECTIONS: "5000", LOSSBENCH_MAX_CONNECTIONS_PER_ADDRESS: "5000" },
  });
  let conns: Deno.TcpConn[] = [];
  try {
    conns = await idleSockets(srv.url, 300);
    assert(conns.length > 200, `only ${conns.length} connected`);
    await srv.waitForLine(/accept failed: .*(Too many open files|os error 24)/, 30_000);
    closeAll(conns);
    conns = [];
    const h = await health(srv.url);
    assertEquals(h.status, "ok");
    assert(h.connections.acceptErrors > 0, JSON.stringify(h.connections));
    // And it still trains: a run goes through.
    const res = await fetch(`${srv.url}api/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        loss: "ce",
        epochs: 1,
        data: "synthetic",
        trainLimit: 32,
        testLimit: 16,
      }),
    });
    assertEquals(res.status, 201, await res.clone().text());
    await res.body?.cancel();
  } finally {
    closeAll(conns);
    const status = await srv.stop();
    assertEquals(status.code, 0, srv.output());
  }
});

Deno.test("default caps follow the open-file limit: the sockets over them get 503 at once", async () => {
  const srv = await startServer({ shellPrefix: "ulimit -n 256" });
  let conns: Deno.TcpConn[] = [];
  try {
    await srv.waitForLine(/connections: at most 42, 42 per address; open-file limit 256/);
    conns = await idleSockets(srv.url, 42);
    const over = await Deno.connect(addrOf(srv.url));
    const answer = await readToClose(over);
    assert(answer.startsWith("HTTP/1.1 503"), answer);
    assert(answer.includes("at most 42"), answer);
    closeAll(conns);
    conns = [];
    assert((await health(srv.url)).connections.refused >= 1);
  } finally {
    closeAll(conns);
    await srv.stop();
  }
});

Deno.test("the caps follow the hard limit: Deno raises the soft one to it at start", async () => {
  const hard = Number(
    new TextDecoder().decode(
      (await new Deno.Command("bash", { args: ["-c", "ulimit -Hn"] }).output()).stdout,
    ).trim(),
  );
  if (!(hard > 256 && hard < 1 << 20)) return; // nothing to raise to here
  const srv = await startServer({ shellPrefix: "ulimit -Sn 256" });
  try {
    const line = await srv.waitForLine(/open-file limit \d+/);
    assert(line.includes(`open-file limit ${hard};`), line);
  } finally {
    await srv.stop();
  }
});

Deno.test("silent, slow-loris and idle keep-alive sockets are closed; a per-address cap holds", async () => {
  const srv = await startServer({
    env: {
      LOSSBENCH_HEADER_TIMEOUT_MS: "300",
      LOSSBENCH_IDLE_TIMEOUT_MS: "300",
      LOSSBENCH_SSE_HEARTBEAT_MS: "100", // the idle timeout outlasts two heartbeats: 1.2 s
      LOSSBENCH_MAX_CONNECTIONS_PER_ADDRESS: "4",
    },
  });
  const addr = addrOf(srv.url);
  const enc = new TextEncoder();
  try {
    // Silent: never sends a byte.
    const silent = await Deno.connect(addr);
    // Slow loris: a header line every 100 ms, never the blank line.
    const slow = await Deno.connect(addr);
    await slow.write(enc.encode(`GET /api/health HTTP/1.1\r\nHost: ${srv.url.slice(7, -1)}\r\n`));
    let dripping = true;
    const drip = (async () => {
      for (let i = 0; dripping && i < 150; i++) {
        await new Promise((r) => setTimeout(r, 100));
        await slow.write(enc.encode(`x-drip-${i}: 1\r\n`)).catch(() => (dripping = false));
      }
    })();
    // Idle keep-alive: one request answered, then nothing.
    const idle = await Deno.connect(addr);
    await idle.write(
      enc.encode(`GET /api/health HTTP/1.1\r\nHost: ${srv.url.slice(7, -1)}\r\n\r\n`),
    );

    // A fourth holds the last slot of this address; a fifth is over the cap.
    const fourth = await Deno.connect(addr);
    const over = await rawHttp(addr, "GET /api/health HTTP/1.1\r\nHost: localhost");
    assertEquals(over.status, 503, over.raw);
    assert(over.json().error.includes("at most 4"), over.body);
    closeAll([fourth]);

    assertEquals(await readToClose(silent), "");
    const loris = await readToClose(slow);
    dripping = false;
    await drip;
    assertEquals(loris, "", "the slow head got no answer");
    const kept = await readToClose(idle);
    assert(kept.startsWith("HTTP/1.1 200"), kept);
    const h = await health(srv.url);
    assert(h.connections.timedOut >= 3, JSON.stringify(h.connections));
  } finally {
    await srv.stop();
  }
});
