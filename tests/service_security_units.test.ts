// The pieces behind the service's hardening, without a server: the Host
// allow-list's rules, the token and cookie checks, storage-failure tracking,
// path redaction and the per-client SSE count.
import { TokenAuth } from "../routes/auth.ts";
import { HostAllowList, parseAllowedHosts, parseHost } from "../routes/hosts.ts";
import { DEFAULT_LIMITS, SignInThrottle } from "../routes/sign_in_throttle.ts";
import { Datasets } from "../service/datasets.ts";
import { EventBus } from "../service/event_bus.ts";
import { redactPaths } from "../service/redact.ts";
import { storageFailure, StorageHealth } from "../service/storage_health.ts";
import { assert, assertEquals, assertThrows } from "./util/assert.ts";

function verdicts(list: HostAllowList, hosts: string[]) {
  return Object.fromEntries(hosts.map((h) => [h, list.allows(h)]));
}

Deno.test("hosts: a specific bind answers to itself and loopback, with its port or none", () => {
  const list = new HostAllowList("127.0.0.1", []);
  list.port = 8000;
  assertEquals(
    verdicts(list, [
      "127.0.0.1:8000",
      "localhost",
      "[::1]:8000",
      "localhost:8001",
      "192.168.1.5:8000",
      "evil.example:8000",
      "localhost:8000:1",
      "local host",
    ]),
    {
      "127.0.0.1:8000": true,
      localhost: true,
      "[::1]:8000": true,
      "localhost:8001": false,
      "192.168.1.5:8000": false,
      "evil.example:8000": false,
      "localhost:8000:1": false,
      "local host": false,
    },
  );
  assert(list.allows(undefined), "no Host header: not a browser");
  const named = new HostAllowList("box.lan", ["lossbench.example"]);
  named.port = 80;
  assertEquals(verdicts(named, ["box.lan", "BOX.LAN:80", "lossbench.example:8443", "x.lan"]), {
    "box.lan": true,
    "BOX.LAN:80": true,
    "lossbench.example:8443": true,
    "x.lan": false,
  });
});

Deno.test("hosts: a wildcard bind takes any IP literal but names only when listed; * takes all", () => {
  const list = new HostAllowList("0.0.0.0", ["lab.example"]);
  list.port = 8000;
  assertEquals(
    verdicts(list, [
      "192.168.1.5:8000",
      "[fe80::1]:8000",
      "10.0.0.1",
      "0.0.0.0:8000",
      "lab.example",
      "rebind.attacker.example:8000",
      "192.168.1.5:9000",
    ]),
    {
      "192.168.1.5:8000": true,
      "[fe80::1]:8000": true,
      "10.0.0.1": true,
      "0.0.0.0:8000": true,
      "lab.example": true,
      "rebind.attacker.example:8000": false,
      "192.168.1.5:9000": false,
    },
  );
  assertEquals(
    new HostAllowList("::", []).describe(),
    "localhost, 127.0.0.1, [::1], any IP address",
  );
  assert(new HostAllowList("127.0.0.1", ["*"]).allows("anything.example"), "* turns it off");
  assertEquals(parseAllowedHosts(" a.example, B.example:81 ,, *"), [
    "a.example",
    "b.example:81",
    "*",
  ]);
  assertThrows(() => parseAllowedHosts("ok.example,not a host"), '"not a host"');
  assertEquals(parseHost("[::1]:80"), { name: "[::1]", port: 80 });
  assertEquals(parseHost("Example.COM."), { name: "example.com", port: undefined });
});

Deno.test("token: bearer header or a random session cookie, revoked on sign-out", async () => {
  const auth = new TokenAuth("tok-1");
  const req = (headers: Record<string, string>) =>
    new Request("http://localhost:8000/api/runs", {
      headers: { host: "localhost:8000", ...headers },
    });
  assertEquals(await auth.check(req({})), "missing");
  assertEquals(await auth.check(req({ authorization: "Bearer tok-1" })), "bearer");
  assertEquals(await auth.check(req({ authorization: "bearer tok-1" })), "bearer");
  assertEquals(await auth.check(req({ authorization: "Bearer tok-" })), "invalid");
  assertEquals(await auth.check(req({ authorization: "Basic dG9rLTE=" })), "malformed");
  const a = await auth.sessions.open();
  const b = await auth.sessions.open();
  assert(a !== b && a.length === 43 && !a.includes("tok-1"), `random ids: ${a} ${b}`);
  assertEquals(await auth.check(req({ cookie: `lossbench_session_8000=${a}` })), "cookie");
  // Another port's cookie (another service on this machine) does not count.
  assertEquals(await auth.check(req({ cookie: `lossbench_session_8001=${a}` })), "missing");
  assertEquals(await auth.check(req({ cookie: "lossbench_session_8000=tok-1" })), "invalid");
  await auth.sessions.revoke(a);
  assertEquals(await auth.check(req({ cookie: `lossbench_session_8000=${a}` })), "invalid");
  assertEquals(await auth.check(req({ cookie: `lossbench_session_8000=${b}` })), "cookie");
});

Deno.test("storage failures: recognised by their SQLite texts; health recovers on its own", () => {
  assertEquals(storageFailure(new TypeError("database or disk is full")), "disk is full");
  assertEquals(storageFailure(new Error("No space left on device (os error 28)")), "disk is full");
  assertEquals(storageFailure(new Error("database is locked")), "database is locked");
  assertEquals(storageFailure(new Error("disk I/O error")), "disk I/O error");
  assertEquals(storageFailure(new Error("KV write conflict")), null);
  assertEquals(storageFailure(new Error("epochs: Too big")), null);

  let t = 1_000_000;
  const s = new StorageHealth(60_000, () => t);
  assertEquals(s.state, { ok: true });
  s.failed("disk is full");
  t += 30_000;
  s.failed("disk is full");
  const since = new Date(1_000_000).toISOString();
  assertEquals(s.state, { ok: false, reason: "disk is full", since });
  t += 59_000; // within the hold of the last failure
  assertEquals(s.state.ok, false);
  t += 2_000; // nothing failed for over a minute
  assertEquals(s.state, { ok: true });
  s.failed("database is locked");
  s.succeeded(); // a write went through
  assertEquals(s.state, { ok: true });
});

Deno.test("redaction: known paths and any other absolute path go; names inside a set stay", () => {
  const text =
    "mine: train/cat/a.png: NotFound: No such file (os error 2): readdir '/srv/data/mine/x', " +
    "cache at /var/cache/lb/decoded, see https://example.com/a/b and file:///etc/passwd";
  assertEquals(
    redactPaths(text, ["/srv/data/mine"]),
    "mine: train/cat/a.png: NotFound: No such file (os error 2): readdir '…/x', " +
      "cache at …, see https://example.com/a/b and file://…",
  );
  // A relative cache path is replaced in its absolute form only.
  const abs = `${Deno.cwd()}/.lossbench/cache`;
  assertEquals(
    redactPaths(`at ${abs}/x: cache miss`, ["./.lossbench/cache"]),
    "at …/x: cache miss",
  );
});

Deno.test("datasets: a load error names the data set, its message keeps no server path", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lb-where-" });
  const logs: string[] = [];
  try {
    await Deno.mkdir(`${dir}/set/train/a`, { recursive: true });
    await Deno.writeFile(`${dir}/set/train/a/x.png`, new Uint8Array([1, 2, 3]));
    const ds = new Datasets(new Map([["mine", `${dir}/set`]]), `${dir}/cache`, (m) => logs.push(m));
    const err = await ds.get("mine").then(() => null, (e) => e as Error);
    assertEquals(err?.message, "mine: train/a/x.png is not a PNG or JPEG file despite its name");
    assert(logs.some((l) => l.includes(`${dir}/set`)), logs.join("\n"));
    assertEquals(
      ds.publicError("mine", new Error(`Permission denied (os error 13): open '${dir}/set/b'`)),
      "mine: Permission denied (os error 13): open '…/b'",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("event bus: counts each client's subscribers until they close", () => {
  const bus = new EventBus();
  const a1 = bus.subscribe({ client: "a" });
  const a2 = bus.subscribe({ client: "a" });
  bus.subscribe({ client: "b" });
  bus.subscribe();
  assertEquals([bus.countFor("a"), bus.countFor("b"), bus.countFor("c"), bus.size], [2, 1, 0, 4]);
  a1.close();
  a1.close();
  a2.close("overflow");
  assertEquals([bus.countFor("a"), bus.size], [0, 2]);
});

Deno.test("sign-in throttle: per address with doubling blocks, never reset by a success", () => {
  const t = new SignInThrottle({ ...DEFAULT_LIMITS, maxKeys: 3 });
  const t0 = 1_000_000;
  for (let i = 0; i < 4; i++) assertEquals(t.fail("a", t0 + i * 1000), 0);
  assertEquals(t.retryAfter("a", t0 + 4000), 0);
  assertEquals(t.fail("a", t0 + 5000), 60);
  assertEquals(t.retryAfter("a", t0 + 5000), 60);
  assertEquals(t.retryAfter("a", t0 + 64_001), 1);
  assertEquals(t.retryAfter("b", t0 + 5000), 0);
  // Unblocked after the minute, with the count started again; a second block soon after: 2 min.
  assertEquals(t.retryAfter("a", t0 + 65_000), 0);
  for (let i = 0; i < 4; i++) assertEquals(t.fail("a", t0 + 65_000 + i), 0);
  assertEquals(t.fail("a", t0 + 66_000), 120);
  // Failures older than the window do not count.
  for (let i = 0; i < 4; i++) t.fail("c", t0 + i * 30_000);
  assertEquals(t.retryAfter("c", t0 + 90_000), 0);
  // A right token from the same address (a shared proxy) does not start the count again.
  for (let i = 0; i < 4; i++) t.fail("b", t0);
  t.succeed("b", t0);
  assertEquals(t.fail("b", t0), 60);
  // At most maxKeys addresses are remembered: the least recently failed goes first.
  for (let i = 0; i < 5; i++) t.fail("d", t0 + 100_000);
  assertEquals(t.retryAfter("d", t0 + 100_000), 60);
  t.fail("e", t0 + 100_001);
  t.fail("f", t0 + 100_002);
  t.fail("g", t0 + 100_003);
  assertEquals(t.retryAfter("d", t0 + 100_004), 0, "d was forgotten");
});

Deno.test("sign-in throttle: per target, many addresses back off all but known clients", () => {
  const t = new SignInThrottle({ ...DEFAULT_LIMITS, targetMaxFailures: 10 });
  const t0 = 5_000_000;
  t.succeed("known", t0);
  // Ten addresses, one guess each: none is over its own limit, the target is.
  for (let i = 0; i < 9; i++) assertEquals(t.fail(`bot-${i}`, t0 + i), 0);
  assertEquals(t.fail("bot-9", t0 + 9), 1);
  assertEquals(t.retryAfter("stranger", t0 + 10), 1, "a new address waits too");
  assertEquals(t.retryAfter("known", t0 + 10), 0, "a client that signed in lately does not");
  // Each further failure doubles the wait.
  t.fail("bot-10", t0 + 11);
  t.fail("bot-11", t0 + 12);
  assertEquals(t.retryAfter("stranger", t0 + 12), 4);
  assertEquals(t.retryAfter("stranger", t0 + 5000), 0);
});
