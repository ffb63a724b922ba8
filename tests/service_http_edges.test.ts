// Issue 24's small HTTP findings, over loopback: HEAD on an event stream, an over-long
// file name, and `next` values that broke or left the site after signing in.
import { assertEquals } from "./util/assert.ts";
import { oneRequest } from "./util/raw_http.ts";
import { startServer } from "./util/server.ts";

const TOKEN = "Zq4v-Lk9x_Pw2r.Tn7s";
const FORM = { "content-type": "application/x-www-form-urlencoded" };

Deno.test("HEAD on an event stream opens none: 150 HEADs, then a GET stream is 200", async () => {
  const srv = await startServer();
  try {
    for (let i = 0; i < 150; i++) {
      const path = i % 2 ? "/api/events" : "/api/events?x=1";
      const r = await oneRequest(srv.url, "HEAD", path);
      assertEquals(r.status, 200, r.raw);
      assertEquals(r.headers.get("content-type"), "text/event-stream; charset=utf-8");
    }
    const health = await (await fetch(`${srv.url}api/health`)).json();
    assertEquals(health.subscribers, 0);
    const res = await fetch(`${srv.url}api/events`);
    assertEquals(res.status, 200, await (res.ok ? Promise.resolve("") : res.text()));
    await res.body!.cancel();
  } finally {
    await srv.stop();
  }
});

Deno.test("a 300-character file name is 404, not 500", async () => {
  const srv = await startServer();
  try {
    for (const path of [`/${"a".repeat(300)}.js`, `/js/${"b".repeat(300)}.js`]) {
      const r = await oneRequest(srv.url, "GET", path);
      assertEquals(r.status, 404, r.raw);
    }
    assertEquals((await oneRequest(srv.url, "GET", "/index.html")).status, 200);
  } finally {
    await srv.stop();
  }
});

Deno.test("next after signing in: control characters and backslashes never leave the site", async () => {
  const srv = await startServer({ env: { LOSSBENCH_TOKEN: TOKEN } });
  try {
    const cases: [string, string][] = [
      ["/%0a/x", "/"],
      ["/%0d%0aSet-Cookie:%20x=1", "/"],
      ["/%09/evil.example", "/"],
      ["/%5c/evil.example", "/"],
      ["/%5cevil.example", "/"],
      ["//evil.example", "/"],
      ["/%20/evil.example", "/"],
      ["/%e2%80%8b/evil.example", "/"],
      ["https://evil.example/", "/"],
      ["/runs?id=1#top", "/runs?id=1#top"],
      ["/api/docs", "/api/docs"],
    ];
    for (const [next, want] of cases) {
      const r = await oneRequest(
        srv.url,
        "POST",
        "/api/login",
        FORM,
        `token=${TOKEN}&next=${next}`,
      );
      assertEquals([r.status, r.headers.get("location")], [303, want], `next=${next}: ${r.raw}`);
    }
  } finally {
    await srv.stop();
  }
});
