// The dashboard's router and the page's pure helpers, without a browser.
import { Hono } from "hono";
import { chartJsDist, staticRoutes } from "../routes/static.ts";
import { fieldErrors } from "../static/js/api.js";
import { classNames, duration, lossLabel } from "../static/js/format.js";
import { assert, assertEquals } from "./util/assert.ts";

// Mounted the way the service mounts it, next to an API route.
const app = new Hono();
app.route("/", staticRoutes);
app.get("/api/health", (c) => c.json({ status: "ok" }));
const get = (path: string) => app.request(path);

Deno.test("static: / serves the dashboard page", async () => {
  const res = await get("/");
  assertEquals(res.status, 200);
  assert(res.headers.get("content-type")!.startsWith("text/html"));
  const html = await res.text();
  assert(html.includes('src="/vendor/chart.umd.min.js"'), "loads Chart.js from /vendor");
  assert(html.includes('src="/js/app.js"'), "loads the app module");
});

Deno.test("static: every file the page references is served with its type", async () => {
  const html = await (await get("/")).text();
  const refs = [...html.matchAll(/(?:src|href)="(\/[^"]*)"/g)].map((m) => m[1]);
  assert(refs.length >= 3, `found ${refs}`);
  const modules = ["/js/app.js"];
  // Follow the ES module graph too: a missing import would only fail in a browser.
  for (let i = 0; i < modules.length; i++) {
    const src = await (await get(modules[i])).text();
    for (const m of src.matchAll(/from "\.\/([\w-]+\.js)"/g)) {
      if (!modules.includes(`/js/${m[1]}`)) modules.push(`/js/${m[1]}`);
    }
  }
  for (const path of [...refs, ...modules]) {
    const res = await get(path);
    assertEquals(res.status, 200, path);
    const type = res.headers.get("content-type")!;
    const want = path.endsWith(".css") ? "text/css" : "text/javascript";
    assert(type.startsWith(want), `${path}: ${type}`);
    await res.body?.cancel();
  }
  assert(modules.length >= 8, `module graph: ${modules}`);
});

Deno.test("static: Chart.js comes from the installed npm package", async () => {
  const dist = chartJsDist();
  assert(dist.href.includes("/node_modules/"), dist.href);
  const res = await get("/vendor/chart.umd.min.js");
  assertEquals(res.status, 200);
  const body = await res.text();
  assert(body.length > 100_000 && body.includes("Chart"), "the UMD build");
  assertEquals((await get("/vendor/chart.js")).status, 404, "only the listed files");
});

Deno.test("static: no traversal, no hidden files, no shadowing of /api", async () => {
  for (
    const path of [
      "/../deno.json",
      "/js/../../deno.json",
      "/%2e%2e/deno.json",
      "/.gitignore",
      "/js/.x.js",
      "/nope.js",
    ]
  ) {
    const res = await get(path);
    assertEquals(res.status, 404, path);
    await res.body?.cancel();
  }
  const res = await get("/api/health");
  assertEquals(await res.json(), { status: "ok" });
});

Deno.test("page: API validation messages map onto form fields", () => {
  const fields = new Set(["epochs", "lr", "gamma"]);
  assertEquals(
    fieldErrors("epochs: Too big: expected number to be <=500; lr: Too small", fields),
    { epochs: "Too big: expected number to be <=500", lr: "Too small" },
  );
  assertEquals(fieldErrors("unknown field(s): foo; losses.0.gamma: bad", fields), {
    "": "unknown field(s): foo; losses.0.gamma: bad",
  });
  assertEquals(fieldErrors("queue is full", fields), { "": "queue is full" });
});

Deno.test("page: labels and class names", () => {
  assertEquals(lossLabel({ loss: "focal", gamma: 0.5 }), "focal γ=0.5");
  assertEquals(lossLabel({ loss: "l1" }), "L1");
  assertEquals(classNames({ config: { data: "cifar10" } }, 10)[3], "cat");
  assertEquals(classNames({ config: { data: "synthetic" } }, 3), ["0", "1", "2"]);
  assertEquals(classNames({ classes: ["a", "b"], config: { data: "x" } }, 2), ["a", "b"]);
  assertEquals(duration(75), "1m 15s");
});
