// The dashboard's router and the page's pure helpers, without a browser.
import { Hono } from "hono";
import { chartJsDist, staticRoutes } from "../routes/static.ts";
import { fieldErrors } from "../static/js/api.js";
import { csvField, runsCsv } from "../static/js/export.js";
import { preferredData } from "../static/js/form.js";
import {
  classNames,
  duration,
  lossLabel,
  paramsText,
  runLabel,
  shorten,
} from "../static/js/format.js";
import { seriesKey, styleOfSlot } from "../static/js/series.js";
import { smoothEma } from "../static/js/smooth.js";
import { assert, assertAlmostEquals, assertEquals } from "./util/assert.ts";

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

Deno.test("static: Chart.js, Hammer.js and the zoom plugin come from their npm packages", async () => {
  const dist = chartJsDist();
  assert(dist.href.includes("/node_modules/"), dist.href);
  const res = await get("/vendor/chart.umd.min.js");
  assertEquals(res.status, 200);
  const body = await res.text();
  assert(body.length > 100_000 && body.includes("Chart"), "the UMD build");
  const zoom = await get("/vendor/chartjs-plugin-zoom.min.js");
  assertEquals(zoom.status, 200);
  assert((await zoom.text()).includes("chartjs-plugin-zoom"), "the zoom plugin's UMD build");
  const hammer = await get("/vendor/hammer.min.js");
  assertEquals(hammer.status, 200);
  assert((await hammer.text()).includes("Hammer"), "Hammer.js");
  for (const path of ["/vendor/chart.js", "/vendor/hammer.js", "/vendor/constructor"]) {
    const r = await get(path);
    assertEquals(r.status, 404, `${path}: only the listed files`);
    await r.body?.cancel();
  }
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
  // Since the loss plug-ins, γ lives in params; the service's label wins.
  assertEquals(lossLabel({ loss: "focal", params: { gamma: 2 } }), "focal γ=2");
  assertEquals(paramsText({ loss: "focal", params: { gamma: 2 } }), "γ=2");
  assertEquals(paramsText({ loss: "focal", gamma: 0.5 }), "γ=0.5");
  assertEquals(paramsText({ loss: "ce" }), "");
  const run = { config: { loss: "focal", params: { gamma: 2 } } };
  assertEquals(runLabel(run), "focal γ=2");
  assertEquals(
    runLabel({ ...run, label: "focal γ=2 · noise sym 40%" }),
    "focal γ=2 · noise sym 40%",
  );
  assertEquals(lossLabel({ loss: "l1" }), "L1");
  assertEquals(classNames({ config: { data: "cifar10" } }, 10)[3], "cat");
  assertEquals(classNames({ config: { data: "synthetic" } }, 3), ["0", "1", "2"]);
  assertEquals(classNames({ classes: ["a", "b"], config: { data: "x" } }, 2), ["a", "b"]);
  assertEquals(duration(75), "1m 15s");
});

Deno.test("page: long errors are cut at a word, with an ellipsis", () => {
  assertEquals(shorten("short"), "short");
  const long = "cifar10: cannot fetch https://example.org/x.tar.gz: connection refused. " +
    "This machine may be offline.";
  const cut = shorten(long, 40);
  assert(cut.length <= 40 && cut.endsWith("…"), cut);
  assert(long.startsWith(cut.slice(0, -1)), cut);
  assertEquals(shorten("a  b\n c", 80), "a b c");
});

Deno.test("page: smoothing is TensorBoard's debiased EMA (SciPy reference)", async () => {
  const fixture = JSON.parse(
    await Deno.readTextFile(new URL("./fixtures/smoothing_ema.json", import.meta.url)),
  );
  assert(fixture.cases.length >= 10);
  for (const c of fixture.cases) {
    const got = smoothEma(c.input, c.weight);
    assertEquals(got.length, c.smoothed.length);
    got.forEach((v: number, i: number) =>
      assertAlmostEquals(v, c.smoothed[i], 1e-12, `${c.series} w=${c.weight} [${i}]`)
    );
  }
  // As in TensorBoard: a constant series stays put, non-finite points pass through.
  assertEquals(smoothEma([0.5, 0.5, 0.5], 0.9), [0.5, 0.5, 0.5]);
  const gap = smoothEma([1, NaN, 3], 0.5);
  assertEquals([gap[0], gap[1]], [1, NaN]);
  assertAlmostEquals(gap[2], (0.5 * 0.5 * 1 + 0.5 * 3) / (1 - 0.25), 1e-12);
});

Deno.test("page: series looks are unique for 64 slots; a cell's runs share one", () => {
  const looks = new Set(
    Array.from({ length: 64 }, (_, i) => {
      const s = styleOfSlot(i);
      return `${s.color}|${s.dash.join(",")}|${s.point}`;
    }),
  );
  assertEquals(looks.size, 64);
  assertEquals(styleOfSlot(0).color, styleOfSlot(8).color);
  assert(styleOfSlot(0).point !== styleOfSlot(8).point, "same colour, other marker");
  const cell = { id: "b", experimentId: "e1", config: { loss: "ce" } };
  assertEquals(seriesKey(cell), seriesKey({ ...cell, id: "c" }), "seeds of one cell");
  assert(seriesKey(cell) !== seriesKey({ ...cell, config: { loss: "l1" } }), "another cell");
  assertEquals(seriesKey({ id: "x", config: { loss: "ce" } }), "x", "a single run is its own");
});

Deno.test("page: the first run's data set is one that loads offline", () => {
  // Today's /api/health lists names; cifar10 and synthetic are always there.
  assertEquals(preferredData({ datasets: ["cifar10", "synthetic"] }), "synthetic");
  assertEquals(preferredData({ datasets: ["cifar10", "synthetic", "cifar"] }), "cifar");
  assertEquals(preferredData({}), "synthetic");
  assertEquals(preferredData(null), "synthetic");
  // With readiness (proposed datasetInfo), a cached cifar10 is preferred to synthetic.
  const info = (ready: string[]) => ({
    datasets: ["cifar10", "synthetic", "mine"],
    datasetInfo: ["cifar10", "synthetic", "mine"].map((name) => ({
      name,
      ready: ready.includes(name),
    })),
  });
  assertEquals(preferredData(info(["synthetic"])), "synthetic");
  assertEquals(preferredData(info(["synthetic", "cifar10"])), "cifar10");
  assertEquals(preferredData(info(["synthetic", "cifar10", "mine"])), "mine");
});

Deno.test("page: the ticked runs export as one CSV", () => {
  const runs = [
    {
      id: "r1",
      status: "done",
      experimentId: "e1",
      config: { loss: "focal", gamma: 2, data: "synthetic", epochs: 2, lr: 0.01, seed: 1 },
    },
    { id: "r2", status: "failed", label: 'CE, "noisy"', config: { loss: "ce", data: "x" } },
  ];
  const epochs: Record<string, Record<string, unknown>[]> = {
    r1: [
      { runId: "r1", epoch: 1, trainLoss: 2, testAcc: 0.25, f1: 0.2, confusion: [[1]] },
      { runId: "r1", epoch: 2, trainLoss: 1.5, testAcc: 0.5, f1: 0.4, ece: 0.125 },
    ],
    r2: [],
  };
  const csv = runsCsv(runs, (id: string) => epochs[id]);
  const lines = csv.trimEnd().split("\n");
  assertEquals(lines.length, 4, csv);
  const header = lines[0].split(",");
  assertEquals(header.slice(0, 5), ["run_id", "label", "experiment_id", "status", "config_loss"]);
  const at = (name: string) => header.indexOf(name);
  for (const name of ["config_params", "config_batch_size", "epoch", "test_acc", "ece"]) {
    assert(at(name) >= 0, `${name} in ${header}`);
  }
  // The report's columns in the report's order, then extra metrics.
  assertEquals(
    header.slice(at("epoch"), at("epoch") + 9).join(","),
    "epoch,train_loss,train_acc,test_loss,test_acc,f1,lr,epoch_seconds,train_img_per_s",
  );
  assertEquals(at("ece"), header.length - 1);
  assert(!header.includes("confusion") && !header.includes("run_id_1"));
  const row1 = lines[1].split(",");
  assertEquals([row1[0], row1[1], row1[2], row1[at("config_params")]], [
    "r1",
    "focal γ=2",
    "e1",
    "γ=2",
  ]);
  assertEquals([row1[at("epoch")], row1[at("test_acc")], row1[at("ece")]], ["1", "0.25", ""]);
  assertEquals(lines[2].split(",")[at("ece")], "0.125");
  // A run without epochs still has its row; a label with a comma and quotes is quoted.
  assert(lines[3].startsWith('r2,"CE, ""noisy""",,failed,ce,'), lines[3]);
  assertEquals(csvField(NaN), "");
  assertEquals(csvField("a\nb"), '"a\nb"');
});
