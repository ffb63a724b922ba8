// Issue 24, items 7 and 8, over loopback: sign-in throttling per OWASP (per
// address and per target, never reset by someone else's success), random
// server-side sessions revoked on sign-out and by a token change, a weak token
// refused at start, and cross-site state changes refused for cookie sessions.
import { assert, assertEquals } from "./util/assert.ts";
import { oneRequest } from "./util/raw_http.ts";
import { startServer } from "./util/server.ts";

const TOKEN = "Zq4v-Lk9x_Pw2r.Tn7s";
const OTHER = "Mb8c-Qe3w_Ru6y.Hj1k";
const JSON_BODY = { "content-type": "application/json" };
const FORM = { "content-type": "application/x-www-form-urlencoded" };
const RUN = { loss: "ce", epochs: 1, data: "synthetic", trainLimit: 32, testLimit: 16 };

async function signIn(url: string, token = TOKEN): Promise<string> {
  const r = await oneRequest(url, "POST", "/api/login", JSON_BODY, JSON.stringify({ token }));
  assertEquals(r.status, 204, r.raw);
  return r.headers.get("set-cookie")!.split(";")[0];
}

Deno.test("a weak LOSSBENCH_TOKEN is refused at start, naming the rule", async () => {
  for (const token of ["x", "passwordpassword", "a".repeat(40)]) {
    const err = await startServer({ env: { LOSSBENCH_TOKEN: token } }).then(
      async (s) => {
        await s.stop();
        return "started";
      },
      (e: Error) => e.message,
    );
    assert(err.includes("LOSSBENCH_TOKEN is too weak") && err.includes("16 characters"), err);
  }
});

Deno.test("cross-site sign-in forms are refused uncounted; a shared address's success resets nothing", async () => {
  const srv = await startServer({ env: { LOSSBENCH_TOKEN: TOKEN } });
  const url = srv.url;
  const bearer = { authorization: `Bearer ${TOKEN}` };
  try {
    // The probe's attack: five forms posted from another site into the victim's browser.
    for (let i = 0; i < 5; i++) {
      const froms: Record<string, string>[] = [
        { origin: "http://evil.example" },
        { "sec-fetch-site": "cross-site" },
      ];
      for (const from of froms) {
        const r = await oneRequest(url, "POST", "/api/login", { ...FORM, ...from }, "token=x");
        assertEquals(r.status, 403, r.raw);
        assert(r.json().error.includes("cross-site"), r.body);
      }
    }
    assertEquals((await oneRequest(url, "GET", "/api/runs", bearer)).status, 200);

    // Guesses interleaved with a right token from the same address: only 5 are answered.
    const answered: number[] = [];
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < 4; i++) {
        const guess = { authorization: `Bearer guess-${round}-${i}` };
        answered.push((await oneRequest(url, "GET", "/api/runs", guess)).status);
      }
      await oneRequest(url, "GET", "/api/runs", bearer);
    }
    assertEquals(answered.filter((s) => s === 401).length, 5, answered.join(","));
    assertEquals(answered.filter((s) => s === 429).length, 35);
  } finally {
    await srv.stop();
  }
});

Deno.test("sessions: random per sign-in, revoked on sign-out, ended by a token change for good", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "lossbench-sessions-" });
  const kvPath = `${tmp}/lossbench.kv`;
  const first = await startServer({ env: { LOSSBENCH_TOKEN: TOKEN }, kvPath });
  let a: string;
  let b: string;
  try {
    a = await signIn(first.url);
    b = await signIn(first.url);
    assert(a !== b, "each sign-in gets its own id");
    assert(!a.includes(TOKEN), a);
    for (const cookie of [a, b]) {
      assertEquals((await oneRequest(first.url, "GET", "/api/runs", { cookie })).status, 200);
    }
    const out = await oneRequest(first.url, "POST", "/api/logout", {
      cookie: a,
      "sec-fetch-site": "same-origin",
      accept: "application/json",
    });
    assertEquals(out.status, 204, out.raw);
    // A copy of the signed-out cookie is worthless; the other session lives on.
    assertEquals((await oneRequest(first.url, "GET", "/api/runs", { cookie: a })).status, 401);
    assertEquals((await oneRequest(first.url, "GET", "/api/runs", { cookie: b })).status, 200);
  } finally {
    await first.stop();
  }
  // A restart keeps the session (it is in KV); another token, then the first one back, end it.
  for (const [token, want] of [[TOKEN, 200], [OTHER, 401], [TOKEN, 401]] as const) {
    const srv = await startServer({ env: { LOSSBENCH_TOKEN: token }, kvPath });
    try {
      const port = new URL(srv.url).port;
      const cookie = b.replace(/^lossbench_session_\d+=/, `lossbench_session_${port}=`);
      const r = await oneRequest(srv.url, "GET", "/api/runs", { cookie });
      assertEquals(r.status, want, `${token}: ${r.raw}`);
    } finally {
      await srv.stop();
    }
  }
  await Deno.remove(tmp, { recursive: true });
});

Deno.test("state changes with the cookie must come from this site; bearer clients unaffected", async () => {
  const srv = await startServer({ env: { LOSSBENCH_TOKEN: TOKEN } });
  const url = srv.url;
  try {
    const created = await oneRequest(url, "POST", "/api/runs", {
      ...JSON_BODY,
      authorization: `Bearer ${TOKEN}`,
    }, JSON.stringify(RUN));
    assertEquals(created.status, 201, created.raw);
    const id = created.json().id;
    const cookie = await signIn(url);
    const cancel = `/api/runs/${id}/cancel`;
    const text = { "content-type": "text/plain", cookie };
    // The probe's request, and its variants.
    const variants: Record<string, string>[] = [
      { origin: "http://evil.example" },
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site", origin: "http://sub.example" },
      { origin: "null" },
      {},
    ];
    for (const extra of variants) {
      const r = await oneRequest(url, "POST", cancel, { ...text, ...extra }, "x");
      assertEquals(r.status, 403, `${JSON.stringify(extra)}: ${r.raw}`);
    }
    const del = await oneRequest(url, "DELETE", `/api/runs/${id}`, {
      cookie,
      origin: "http://evil.example",
    });
    assertEquals(del.status, 403, del.raw);
    // From the dashboard itself: goes through.
    const own = await oneRequest(url, "POST", cancel, {
      cookie,
      origin: url.slice(0, -1),
      "sec-fetch-site": "same-origin",
    });
    assert([200, 409].includes(own.status), own.raw);
    // A bearer client sends neither header.
    const api = await oneRequest(url, "POST", cancel, { authorization: `Bearer ${TOKEN}` });
    assert([200, 409].includes(api.status), api.raw);
  } finally {
    await srv.stop();
  }
});
