// The service against what issue 11's probe did, over loopback with raw HTTP
// where fetch won't go: a foreign Host header (DNS rebinding), reads without
// the token, the sign-in cookie, one client taking every SSE slot, a lying
// Content-Length, and error texts that named server paths.
import { assert, assertEquals } from "./util/assert.ts";
import { addrOf, rawHttp, type RawResponse } from "./util/raw_http.ts";
import { startServer } from "./util/server.ts";
import { openSse, type SseStream } from "./util/sse.ts";
import { png, tarGz } from "./fixtures/data/make.ts";

const RUN = { loss: "ce", epochs: 1, data: "synthetic", trainLimit: 64, testLimit: 32 };

/** One request on its own connection, with these headers (Host first, as browsers send it). */
function request(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body = "",
): Promise<RawResponse> {
  const lines = [`${method} ${path} HTTP/1.1`];
  for (const [k, v] of Object.entries({ host: new URL(url).host, ...headers })) {
    lines.push(`${k}: ${v}`);
  }
  if (body) lines.push(`content-length: ${new TextEncoder().encode(body).length}`);
  lines.push("connection: close");
  return rawHttp(addrOf(url), lines.join("\r\n"), body);
}

const JSON_BODY = { "content-type": "application/json" };

Deno.test("Host allow-list: a rebinding name gets 421; loopback names and listed hosts work", async () => {
  const srv = await startServer({
    env: { LOSSBENCH_ALLOWED_HOSTS: "lossbench.example, proxy.example:8443" },
  });
  try {
    const port = addrOf(srv.url).port;
    // The probe's request: a run started through a page on the attacker's name.
    const attack = await request(srv.url, "POST", "/api/runs", {
      host: `rebind.attacker.example:${port}`,
      ...JSON_BODY,
    }, JSON.stringify(RUN));
    assertEquals(attack.status, 421, attack.raw);
    assert(attack.json().error.includes("LOSSBENCH_ALLOWED_HOSTS"), attack.body);
    assertEquals((await (await fetch(`${srv.url}api/runs`)).json()).runs.length, 0);

    for (const path of ["/api/health", "/api/runs", "/api/events", "/"]) {
      const r = await request(srv.url, "GET", path, { host: `evil.example:${port}` });
      assertEquals(r.status, 421, `${path}: ${r.raw}`);
    }
    const verdicts: Record<string, number> = {};
    for (
      const host of [
        `localhost:${port}`,
        "localhost",
        `127.0.0.1:${port}`,
        `[::1]:${port}`,
        "LOCALHOST.",
        "lossbench.example",
        "lossbench.example:443",
        "proxy.example:8443",
        `localhost:${port + 1}`,
        "proxy.example",
        "proxy.example:8444",
        "127.0.0.2",
        "lossbench.example.evil.example",
        "",
      ]
    ) {
      verdicts[host] = (await request(srv.url, "GET", "/api/health", { host })).status;
    }
    assertEquals(verdicts, {
      [`localhost:${port}`]: 200,
      localhost: 200,
      [`127.0.0.1:${port}`]: 200,
      [`[::1]:${port}`]: 200,
      "LOCALHOST.": 200,
      "lossbench.example": 200,
      "lossbench.example:443": 200,
      "proxy.example:8443": 200,
      [`localhost:${port + 1}`]: 421,
      "proxy.example": 421,
      "proxy.example:8444": 421,
      "127.0.0.2": 421,
      "lossbench.example.evil.example": 421,
      "": 421,
    });
    await srv.waitForLine(/^hosts: /);
    assert(
      srv.output().includes(
        "hosts: localhost, 127.0.0.1, [::1], lossbench.example, proxy.example:8443",
      ),
      srv.output(),
    );
  } finally {
    await srv.stop();
  }
});

Deno.test("a token closes every route but a bare health check; the dashboard signs in with a cookie", async () => {
  const srv = await startServer({ env: { LOSSBENCH_TOKEN: "s3cret-T0ken-2024xyz" } });
  const url = srv.url;
  const bearer = { authorization: "Bearer s3cret-T0ken-2024xyz" };
  try {
    const port = addrOf(url).port;
    // Reads, SSE and the dashboard's files need it too.
    for (
      const path of [
        "/api/runs",
        "/api/runs/0mx15sryq0001us11z",
        "/api/runs/0mx15sryq0001us11z/results.csv",
        "/api/runs/0mx15sryq0001us11z/events",
        "/api/events",
        "/api/experiments",
        "/",
        "/js/app.js",
        "/style.css",
        "/vendor/chart.umd.min.js",
        "/login.html",
      ]
    ) {
      const r = await request(url, "GET", path);
      assertEquals(r.status, 401, `${path}: ${r.raw}`);
      assert(r.json().error.includes("missing bearer token"), r.body);
      assert(r.headers.get("www-authenticate")?.startsWith("Bearer"), "challenge");
    }
    // A browser opening the page is sent to the sign-in form.
    const page = await request(url, "GET", "/", { accept: "text/html,*/*" });
    assertEquals(page.status, 302);
    assertEquals(page.headers.get("location"), "/login");
    const form = await request(url, "GET", "/login", { accept: "text/html" });
    assertEquals(form.status, 200);
    assert(form.body.includes('action="/api/login"') && form.body.includes('name="token"'));

    // Health: open, but only the status without the token.
    const bare = await request(url, "GET", "/api/health");
    assertEquals(bare.status, 200);
    assertEquals(bare.json(), { status: "ok" });
    const full = await request(url, "GET", "/api/health", bearer);
    assertEquals(full.json().backend, "cpu");

    // Sign-in: a wrong token, then the right one.
    const formType = { "content-type": "application/x-www-form-urlencoded" };
    const wrong = await request(url, "POST", "/api/login", formType, "token=nope&next=%2F");
    assertEquals(wrong.status, 303);
    assertEquals(wrong.headers.get("location"), "/login?failed");
    assertEquals(wrong.headers.get("set-cookie"), null);
    const wrongJson = await request(url, "POST", "/api/login", JSON_BODY, '{"token":"nope"}');
    assertEquals(wrongJson.status, 401);

    const ok = await request(
      url,
      "POST",
      "/api/login",
      formType,
      "token=s3cret-T0ken-2024xyz&next=%2F",
    );
    assertEquals(ok.status, 303);
    assertEquals(ok.headers.get("location"), "/");
    const setCookie = ok.headers.get("set-cookie")!;
    const attrs = setCookie.split(";").map((s) => s.trim());
    const [name, value] = attrs[0].split("=");
    assertEquals(name, `lossbench_session_${port}`);
    assert(value.length >= 40 && !value.includes("s3cret"), `not the raw token: ${value}`);
    for (const a of ["HttpOnly", "SameSite=Strict", "Path=/"]) assert(attrs.includes(a), setCookie);
    assert(!attrs.includes("Secure"), "no Secure over plain http");
    const cookie = { cookie: `other=1; ${attrs[0]}` };

    // The cookie opens everything, SSE included.
    assertEquals((await request(url, "GET", "/api/runs", cookie)).status, 200);
    const dash = await request(url, "GET", "/", { ...cookie, accept: "text/html" });
    assertEquals(dash.status, 200);
    assert(dash.body.includes("/js/app.js"));
    assertEquals((await request(url, "GET", "/js/app.js", cookie)).status, 200);
    assertEquals((await request(url, "GET", "/api/health", cookie)).json().backend, "cpu");
    const sse = await openSse(`${url}api/events`, cookie);
    assertEquals(sse.response.headers.get("content-type"), "text/event-stream; charset=utf-8");
    await sse.close();
    // And POSTs from the page itself (browsers send Origin): SameSite=Strict and the
    // Origin check (tests/service_sessions.test.ts) keep other sites from riding on it.
    const origin = { origin: url.slice(0, -1) };
    const post = await request(
      url,
      "POST",
      "/api/runs",
      { ...cookie, ...origin, ...JSON_BODY },
      "{}",
    );
    assertEquals(post.status, 400, post.body); // past auth, to validation

    // A forged cookie, and a wrong bearer beside a good cookie, are refused.
    const forged = { cookie: `${name}=${value.slice(0, -2)}xx` };
    assertEquals((await request(url, "GET", "/api/runs", forged)).status, 401);
    const mixed = { ...cookie, authorization: "Bearer nope" };
    assertEquals(
      (await request(url, "GET", "/api/runs", mixed)).json().error,
      "invalid bearer token",
    );
    assertEquals((await request(url, "GET", "/api/runs", bearer)).status, 200);

    // Only local redirects after sign-in; Secure behind an https proxy; JSON sign-in.
    const away = await request(
      url,
      "POST",
      "/api/login",
      formType,
      "token=s3cret-T0ken-2024xyz&next=//x.example",
    );
    assertEquals(away.headers.get("location"), "/");
    const https = await request(url, "POST", "/api/login", {
      ...JSON_BODY,
      "x-forwarded-proto": "https",
    }, '{"token":"s3cret-T0ken-2024xyz"}');
    assertEquals(https.status, 204);
    assert(https.headers.get("set-cookie")!.split("; ").includes("Secure"), "Secure on https");

    const out = await request(url, "POST", "/api/logout", { ...cookie, ...origin });
    assertEquals(out.status, 303);
    assertEquals(out.headers.get("location"), "/login");
    assert(/^lossbench_session_\d+=;.*Max-Age=0/.test(out.headers.get("set-cookie")!), "cleared");
  } finally {
    await srv.stop();
  }
});

Deno.test("wrong tokens: after 5 from one address, 429 with Retry-After even for the right one", async () => {
  const srv = await startServer({ env: { LOSSBENCH_TOKEN: "s3cret-T0ken-2024xyz" } });
  const url = srv.url;
  try {
    // A signed-in browser, before the guessing starts.
    const login = await request(
      url,
      "POST",
      "/api/login",
      JSON_BODY,
      '{"token":"s3cret-T0ken-2024xyz"}',
    );
    assertEquals(login.status, 204, login.raw);
    const cookie = login.headers.get("set-cookie")!.split(";")[0];
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      statuses.push(
        (await request(url, "GET", "/api/runs", { authorization: `Bearer guess-${i}` }))
          .status,
      );
    }
    for (let i = 3; i < 5; i++) {
      const body = JSON.stringify({ token: `guess-${i}` });
      statuses.push((await request(url, "POST", "/api/login", JSON_BODY, body)).status);
    }
    assertEquals(statuses, [401, 401, 401, 401, 401]);
    // Now every token from this address is refused unread, the right one included.
    const right = await request(url, "GET", "/api/runs", {
      authorization: "Bearer s3cret-T0ken-2024xyz",
    });
    assertEquals(right.status, 429, right.raw);
    const wait = Number(right.headers.get("retry-after"));
    assert(wait > 50 && wait <= 60, right.raw);
    assert(right.json().error.includes("too many failed sign-ins"), right.body);
    const health = await request(url, "GET", "/api/health", { authorization: "Bearer x" });
    assertEquals(health.status, 429, "a bearer on an open route is a guess too");
    const json = await request(
      url,
      "POST",
      "/api/login",
      JSON_BODY,
      '{"token":"s3cret-T0ken-2024xyz"}',
    );
    assertEquals(json.status, 429, json.raw);
    const form = await request(url, "POST", "/api/login", {
      "content-type": "application/x-www-form-urlencoded",
    }, "token=s3cret-T0ken-2024xyz");
    assertEquals([form.status, form.headers.get("location")], [303, "/login?throttled"]);
    // The signed-in browser is not locked out, and a bare health check still answers.
    assertEquals((await request(url, "GET", "/api/runs", { cookie })).status, 200);
    assertEquals((await request(url, "GET", "/api/health")).status, 200);
  } finally {
    await srv.stop();
  }
});

Deno.test("fair SSE: one client gets at most its share of the slots; others still connect", async (t) => {
  try {
    Deno.listen({ hostname: "::1", port: 0 }).close();
  } catch {
    t.step({ name: "needs IPv6 loopback for a second client address", ignore: true, fn() {} });
    return;
  }
  // Dual-stack: 127.0.0.1 and ::1 are two clients. 10 slots: 4 each (the minimum share).
  const srv = await startServer({ env: { HOST: "::", LOSSBENCH_SSE_MAX: "10" } });
  const port = addrOf(srv.url).port;
  const v4 = `http://127.0.0.1:${port}/`;
  const v6 = `http://[::1]:${port}/`;
  const open: SseStream[] = [];
  try {
    for (let i = 0; i < 4; i++) open.push(await openSse(`${v4}api/events`));
    const over = await fetch(`${v4}api/events`);
    assertEquals(over.status, 429);
    assert((await over.json()).error.includes("at most 4"));
    const runStream = await fetch(`${v4}api/runs/0mx15sryq0001us11z/events`);
    assertEquals(runStream.status, 404); // unknown run: checked before the share
    await runStream.body?.cancel();

    for (let i = 0; i < 4; i++) open.push(await openSse(`${v6}api/events`));
    assertEquals((await (await fetch(`${v6}api/health`)).json()).subscribers, 8);

    // A closed stream frees its slot for that client.
    await open.shift()!.close();
    for (let i = 0; i < 50; i++) {
      if ((await (await fetch(`${v6}api/health`)).json()).subscribers === 7) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    open.push(await openSse(`${v4}api/events`));
  } finally {
    for (const s of open) await s.close();
    await srv.stop();
  }
});

Deno.test("a lying or oversized Content-Length: 413 and the connection closes at once", async () => {
  const srv = await startServer();
  try {
    const addr = addrOf(srv.url);
    // The probe's request: 999999999 bytes declared, 13 sent, the socket kept open.
    for (const path of ["/api/runs", "/", "/api/login"]) {
      const lie = await rawHttp(
        addr,
        `POST ${path} HTTP/1.1\r\nHost: localhost\r\ncontent-type: application/json\r\n` +
          "Content-Length: 999999999",
        "hello world!!",
        10_000,
      );
      assertEquals(lie.status, 413, lie.raw);
      assertEquals(lie.json(), { error: "request body is larger than 65536 bytes" });
      assert(lie.closedAfterMs !== null && lie.closedAfterMs < 1500, `${lie.closedAfterMs} ms`);
    }
    // An honest client sending too much gets the same status from fetch.
    const big = await fetch(`${srv.url}api/runs`, {
      method: "POST",
      headers: JSON_BODY,
      body: JSON.stringify({ ...RUN, data: "x".repeat(100_000) }),
    });
    assertEquals(big.status, 413);
    await big.body?.cancel().catch(() => {});
    // Within the limit, a keep-alive connection still serves a second request.
    const two = await rawHttp(
      addr,
      "GET /api/health HTTP/1.1\r\nHost: localhost\r\n\r\nGET /api/health HTTP/1.1\r\n" +
        "Host: localhost\r\nConnection: close",
    );
    assertEquals(two.raw.match(/HTTP\/1\.1 200/g)?.length, 2);
    assert(!srv.output().includes("ConnectionClose"), "the deliberate close is not logged");
  } finally {
    await srv.stop();
  }
});

/** A 4×3 PNG whose header is sound but whose pixel data is not. */
function corruptPng(): Uint8Array {
  const good = png(4, 3, 3, new Uint8Array(36).fill(7));
  const bad = good.slice();
  // IHDR ends at byte 33; scramble what follows up to the IEND chunk.
  for (let i = 41; i < bad.length - 16; i++) bad[i] = 0xa5;
  return bad;
}

async function waitForFinal(url: string, id: string): Promise<{ status: string; error?: string }> {
  for (let i = 0; i < 600; i++) {
    const run = await (await fetch(`${url}api/runs/${id}`)).json();
    if (["done", "failed", "cancelled", "interrupted"].includes(run.status)) return run;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`run ${id} did not finish`);
}

Deno.test("data set errors name the data set, never a server path; the log keeps the detail", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lb-private-location-" });
  const img = png(4, 3, 3, new Uint8Array(36).fill(9));
  const write = async (rel: string, data: Uint8Array) => {
    await Deno.mkdir(`${dir}/${rel.slice(0, rel.lastIndexOf("/"))}`, { recursive: true });
    await Deno.writeFile(`${dir}/${rel}`, data);
  };
  await write("corrupt/train/cat/a.png", corruptPng());
  await write("corrupt/train/dog/b.png", img);
  await write("corrupt/test/cat/c.png", img);
  await write("corrupt/test/dog/d.png", img);
  await write("stray/train/cat/a.png", img);
  await write("stray/train/cat/notes.txt", new TextEncoder().encode("not an image"));
  await write("stray/test/cat/c.png", img);
  const archive = await tarGz([{ name: "train/cat/a.png", data: img }]);
  await Deno.writeFile(`${dir}/cut.tar.gz`, archive.slice(0, archive.length - 40));
  // A CIFAR-10 mirror that refuses connections: the error used to give the cache's location.
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const deadPort = closed.addr.port;
  closed.close();

  const sets = {
    corrupt: `${dir}/corrupt`,
    stray: `${dir}/stray`,
    cut: `${dir}/cut.tar.gz`,
    gone: `${dir}/nowhere`,
  };
  const srv = await startServer({
    env: {
      LOSSBENCH_DATASETS: Object.entries(sets).map(([k, v]) => `${k}=${v}`).join(","),
      CIFAR10_URL: `http://127.0.0.1:${deadPort}/cifar-10-binary.tar.gz`,
    },
  });
  try {
    const cwd = Deno.cwd();
    const expected: Record<string, RegExp> = {
      corrupt: /^corrupt: train\/cat\/a\.png: cannot decode png: /,
      stray: /^stray: train\/cat\/notes\.txt is not a PNG or JPEG image/,
      cut: /^cut: corrupt or truncated archive/,
      gone: /^gone: the data set's source is missing on the server$/,
      cifar10:
        /^cifar10: cannot fetch http:\/\/127\.0\.0\.1:\d+\/cifar-10-binary\.tar\.gz: .*in the data cache \(LOSSBENCH_CACHE\)\.$/,
    };
    for (const [name, want] of Object.entries(expected)) {
      const res = await fetch(`${srv.url}api/runs`, {
        method: "POST",
        headers: JSON_BODY,
        body: JSON.stringify({ ...RUN, data: name }),
      });
      assertEquals(res.status, 201);
      const run = await waitForFinal(srv.url, (await res.json()).id);
      assertEquals(run.status, "failed");
      const error = run.error!;
      assert(want.test(error), `${name}: ${error}`);
      for (const secret of [dir, "lb-private-location", cwd, "/tmp", "lossbench-test-"]) {
        assert(!error.includes(secret), `${name}: "${secret}" in ${error}`);
      }
    }
    // The operator's log has where it looked.
    assert(srv.output().includes(`${dir}/cut.tar.gz`), "log keeps the path");
  } finally {
    await srv.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
