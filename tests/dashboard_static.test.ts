// The dashboard's router and the page's pure helpers, without a browser.
import { Hono } from "hono";
import { chartJsDist, staticRoutes } from "../routes/static.ts";
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "./util/assert.ts";
import { describeMetrics } from "../ml/metrics/registry.ts";

// The page's modules are browser code, type-checked against the DOM by
// `deno task check:static` (static/typecheck.json). Imported by a computed
// URL, they stay out of this program's type check, which has Deno's types.
// deno-lint-ignore no-explicit-any -- see above
const page = (name: string): Promise<any> =>
  import(new URL(`../static/js/${name}`, import.meta.url).href);
const { fieldErrors } = await page("api.js");
const { csvField, runsCsv } = await page("export.js");
const { preferredData } = await page("form.js");
const { bandDatasets, bandOf, meanPerClass, pooledReliability } = await page("bands.js");
const { compact, errorTargets, gridSize, gridText, paramAttrs, parseSeeds } = await page(
  "grid-form.js",
);
const {
  BASE_FIGURES,
  bestCell,
  compareMetrics,
  diffText,
  entryColor,
  figureMetrics,
  formatStat,
  matrixEntry,
  progressText,
  seedsText,
  settingsLine,
  stars,
  summaryCell,
  summaryMetrics,
} = await page("stats-view.js");
const { readHash } = await page("tabs.js");
const { classNames, duration, fieldsText, runLabel, shorten } = await page("format.js");
const { isFraction, lowerIsBetter, metric, setMetrics, statMetrics } = await page("metrics.js");
const { seriesKey, styleOfSlot } = await page("series.js");
const { smoothEma } = await page("smooth.js");

// The page's metric registry, as GET /api/metrics serves it.
setMetrics({ metrics: describeMetrics() });

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

Deno.test("page: labels are the service's; settings are shown as stored", () => {
  // The run's name is its cell's label, as the service wrote it: never rebuilt.
  const run = {
    label: "focal γ=2 · sym noise 40%",
    config: { loss: "focal", params: { gamma: 2 } },
  };
  assertEquals(runLabel(run), "focal γ=2 · sym noise 40%");
  assertEquals(fieldsText({ gamma: 2 }), "gamma=2");
  assertEquals(
    fieldsText({
      labelNoise: { kind: "symmetric", rate: 0.4 },
      imbalance: { profile: "exp", ratio: 10 },
    }),
    "labelNoise.kind=symmetric labelNoise.rate=0.4 imbalance.profile=exp imbalance.ratio=10",
  );
  assertEquals([fieldsText({}), fieldsText(undefined)], ["", ""]);
  assertEquals(classNames({ config: { data: "cifar10" } }, 3), ["0", "1", "2"]); // no guessing
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
  const cell = { id: "b", experimentId: "e1", label: "ce" };
  assertEquals(seriesKey(cell), seriesKey({ ...cell, id: "c" }), "seeds of one cell");
  assert(seriesKey(cell) !== seriesKey({ ...cell, label: "l1" }), "another cell");
  assertEquals(seriesKey({ id: "x", label: "ce" }), "x", "a single run is its own");
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
      label: "focal γ=2",
      experimentId: "e1",
      config: {
        loss: "focal",
        params: { gamma: 2 },
        data: "synthetic",
        epochs: 2,
        lr: 0.01,
        seed: 1,
      },
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
    "gamma=2",
  ]);
  assertEquals([row1[at("epoch")], row1[at("test_acc")], row1[at("ece")]], ["1", "0.25", ""]);
  assertEquals(lines[2].split(",")[at("ece")], "0.125");
  // A run without epochs still has its row; a label with a comma and quotes is quoted.
  assert(lines[3].startsWith('r2,"CE, ""noisy""",,failed,ce,'), lines[3]);
  assertEquals(csvField(NaN), "");
  assertEquals(csvField("a\nb"), '"a\nb"');
});

Deno.test("page: the API's grid messages land on their rows and fields", () => {
  const settings = new Set(["epochs", "lr", "data", "seeds", "repeats"]);
  // Real messages of POST /api/experiments and POST /api/runs (copied from the service).
  assertEquals(
    errorTargets(
      "epochs: Too small: expected number to be >=1; losses.0: ce: params.q: ce has no such " +
        "parameter (it takes none); conditions.0.imbalance.ratio: Too small: expected number " +
        "to be >=1; repeats: Too small: expected number to be >=1",
      settings,
    ),
    [
      { target: "epochs", text: "Too small: expected number to be >=1" },
      { target: "losses.0", param: "q", text: "q: ce has no such parameter (it takes none)" },
      {
        target: "conditions.0",
        param: "ratio",
        text: "Too small: expected number to be >=1",
      },
      { target: "seeds", text: "repeats: Too small: expected number to be >=1" },
    ],
  );
  assertEquals(
    errorTargets(
      'losses.0.loss: unknown loss "nope"; use one of: ce, l1; models.0: unknown model "x"; ' +
        "seeds: Too small: expected array to have >=1 items",
      settings,
    ),
    [
      { target: "losses.0", param: "loss", text: 'unknown loss "nope"; use one of: ce, l1' },
      { target: "models", text: 'unknown model "x"' },
      { target: "seeds", text: "Too small: expected array to have >=1 items" },
    ],
  );
  // A single run: the loss's name, then its parameter; "condition" without an index.
  assertEquals(
    errorTargets(
      "focal: params.gamma: Too small: expected number to be >=0; " +
        "condition.labelNoise.rate: Too big: expected number to be <1",
      settings,
    ),
    [
      { target: "losses.0", param: "gamma", text: "γ: Too small: expected number to be >=0" },
      { target: "conditions.0", param: "rate", text: "Too big: expected number to be <1" },
    ],
  );
  assertEquals(errorTargets("conditions.1.labelNoise: bad kind", settings), [
    { target: "conditions.1", param: "labelNoise", text: "bad kind" },
  ]);
  assertEquals(errorTargets("the queue is full", settings), [
    { target: "", text: "the queue is full" },
  ]);
});

Deno.test("page: seeds, grid size and parameter inputs", () => {
  assertEquals(parseSeeds("1, 2, 3"), [1, 2, 3]);
  assertEquals(parseSeeds("1-3 7"), [1, 2, 3, 7]);
  assertEquals(parseSeeds(" 4–6 "), [4, 5, 6]);
  for (const bad of ["", "a", "3-1", "1.5", "1-200"]) {
    let threw = false;
    try {
      parseSeeds(bad);
    } catch {
      threw = true;
    }
    assert(threw, `"${bad}" is refused`);
  }
  assertEquals(gridSize({ losses: 4, conditions: 3, models: 1, seeds: 3 }), 36);
  assertEquals(
    gridText({ losses: 1, conditions: 2, models: 1, seeds: 5 }),
    "1 loss × 2 conditions × 1 model × 5 seeds = 10 runs",
  );
  assertEquals(
    gridText({ losses: 4, conditions: 1, models: 1, seeds: 1 }),
    "4 losses × 1 condition × 1 model × 1 seed = 4 runs",
  );
  // JSON Schema of /api/losses → the input's attributes.
  assertEquals(
    paramAttrs({ default: 0.7, type: "number", exclusiveMinimum: 0, maximum: 1 }),
    { type: "number", step: "any", min: "0", max: "1", value: "0.7" },
  );
  assertEquals(paramAttrs({ type: "integer", minimum: 1 }), {
    type: "number",
    step: "1",
    min: "1",
  });
  assertEquals(compact(9986), "10k");
  assertEquals(compact(1706496), "1.7M");
});

// One cell's perEpoch rows as GET /api/experiments/:id sends them.
const ROWS = [
  { epoch: 1, n: 3, mean: 0.5, sd: 0.1, se: 0.0577, ci95: [0.25, 0.75], min: 0.4, max: 0.6 },
  { epoch: 2, n: 2, mean: 0.6, sd: null, se: null, ci95: null, min: 0.6, max: 0.6 },
];

Deno.test("page: bands are the CI, ±1 sd or min–max of each epoch", () => {
  assertEquals(bandOf(ROWS[0], "ci"), [0.25, 0.75]);
  assertEquals(bandOf(ROWS[0], "sd"), [0.4, 0.6]);
  assertEquals(bandOf(ROWS[0], "minmax"), [0.4, 0.6]);
  // No spread to show: the band closes on the mean.
  assertEquals(bandOf(ROWS[1], "ci"), [0.6, 0.6]);
  assertEquals(bandOf(ROWS[1], "sd"), [0.6, 0.6]);
  const style = { color: "#0072B2", dash: [], point: "circle" };
  const [lo, hi, mean] = bandDatasets(ROWS, { label: "ce", style, scale: 100 });
  assertEquals(mean.label, "ce (n = 3)");
  assertEquals(mean.data, [{ x: 1, y: 50 }, { x: 2, y: 60 }]);
  assertEquals(lo.data.map((p: { y: number }) => p.y), [25, 60]);
  assertEquals(hi.data.map((p: { y: number }) => p.y), [75, 60]);
  assertEquals([lo.band, hi.band, hi.fill, mean.band], [true, true, "-1", undefined]);
  assertEquals(hi.backgroundColor, "rgba(0, 114, 178, 0.16)");
  assertEquals(lo.borderWidth, 0);
  assertEquals(
    bandDatasets(ROWS, { label: "ce", style, edges: true })[0].borderColor,
    "rgba(0, 114, 178, 0.55)",
  );
});

Deno.test("page: reliability bins and per-class results pool over seeds", () => {
  const bins = (count: number[], accuracy: number[]) => ({
    count,
    accuracy,
    confidence: count.map(() => 0.5),
  });
  const epochs = [
    { ece: 0.1, reliability: bins([2, 0, 8], [0.5, 0, 1]), perClass: pc([1, 0.5]) },
    { ece: 0.3, reliability: bins([2, 4, 0], [1, 0.25, 0]), perClass: pc([0, 0.5]) },
  ];
  function pc(f1: number[]) {
    return { precision: f1, recall: f1, f1 };
  }
  const pooled = pooledReliability(epochs);
  assertEquals(pooled.count, [4, 4, 8]);
  // Bin accuracy weighted by each seed's count: (0.5·2 + 1·2) / 4.
  assertEquals(pooled.accuracy, [0.75, 0.25, 1]);
  assertAlmostEquals(pooled.meanEce!, 0.2, 1e-12);
  assertEquals(pooled.centres.map((c: number) => c.toFixed(4)), ["0.1667", "0.5000", "0.8333"]);
  assertEquals(pooledReliability([]).accuracy.filter((a: number | null) => a !== null), []);
  const mean = meanPerClass(epochs);
  assertEquals([mean.runs, mean.f1], [2, [0.5, 0.5]]);
});

Deno.test("page: the matrix reads each comparison from the row's side", () => {
  const comps = [
    { a: "A", b: "B", metric: "testAcc", diff: 0.02, pTHolm: 0.004, verdict: "A − B: …" },
    { a: "A", b: "C", metric: "testAcc", diff: -0.01, pTHolm: 0.3, verdict: "A − C: …" },
    { a: "B", b: "C", metric: "testLoss", diff: 0.2, pTHolm: 0.0001, verdict: "B − C: …" },
    { a: "C", b: "D", metric: "testAcc", diff: 0.1, pTHolm: null, verdict: "C − D: …" },
  ];
  const ab = matrixEntry(comps, "A", "B")!;
  assertEquals([ab.diff, ab.level, ab.better, ab.stars], [0.02, 2, true, "**"]);
  const ba = matrixEntry(comps, "B", "A")!;
  assertEquals([ba.diff, ba.level, ba.better], [-0.02, 2, false]);
  assertEquals(ba.comparison.verdict, "A − B: …");
  assertEquals(matrixEntry(comps, "A", "C")!.level, 0);
  // A higher loss is worse.
  const bc = matrixEntry(comps, "B", "C")!;
  assertEquals([bc.level, bc.better, bc.stars], [3, false, "***"]);
  assertEquals([matrixEntry(comps, "C", "D")!.tested, matrixEntry(comps, "C", "D")!.level], [
    false,
    0,
  ]);
  assertEquals(matrixEntry(comps, "A", "Z"), null);
  // Colours: better blue, worse vermillion, darker with smaller p; not significant grey.
  assertEquals(entryColor(ab), { fill: "#3d8fc9", ink: "#ffffff" });
  assertEquals(entryColor(bc), { fill: "#a94300", ink: "#ffffff" });
  assertEquals(entryColor(matrixEntry(comps, "A", "C")).fill, "#eef0f2");
  assertEquals(diffText(0.0123, "testAcc"), "+1.23");
  assertEquals(diffText(-0.0123, "testAcc"), "−1.23");
  assertEquals(diffText(-0.00001, "testAcc"), "0.00");
  assertEquals(diffText(0.2, "testLoss"), "+0.200");
  assertEquals(stars(0.05), "");
});

Deno.test("page: the experiment's figures, table and progress line", () => {
  const exp = {
    settings: { data: "synthetic", epochs: 2, valFraction: 0, trainLimit: 300 },
    seeds: [1, 2, 3, 5],
    cells: [{ condition: {} }, { condition: { labelNoise: { kind: "symmetric", rate: 0.4 } } }],
  };
  assertEquals(figureMetrics(exp), ["testAcc", "f1", "testLoss", "ece", "trainAccNoisy"]);
  assertEquals(figureMetrics({ ...exp, cells: [{ condition: {} }] }), BASE_FIGURES);
  assertEquals(
    figureMetrics({ ...exp, settings: { valFraction: 0.1 }, cells: [] }).at(-1),
    "valAcc",
  );
  // The summary's columns and the metrics to compare on: the registry's
  // statistics metrics that the runs recorded, in the registry's order.
  const recorded = (names: string[]) => ({
    ...exp,
    stats: {
      metric: "testAcc",
      cells: [{ perEpoch: Object.fromEntries(names.map((n) => [n, [ROWS[0]]])) }],
    },
  });
  assertEquals(
    summaryMetrics(recorded(["trainAccNoisy", "testAcc", "ece", "notAMetric"])),
    ["testAcc", "ece", "trainAccNoisy"],
  );
  assertEquals(summaryMetrics(recorded([])), []);
  assertEquals(compareMetrics(recorded(["f1"])), ["testAcc", "f1"], "and the one compared now");
  assertEquals(settingsLine(exp), "synthetic · 2 epochs · 300 train images · seeds 1–3, 5");
  assertEquals(seedsText([1, 2, 4, 5, 6, 9]), "1, 2, 4–6, 9");
  assertEquals(
    summaryCell(ROWS[0], "testAcc"),
    { main: "50.0 ± 10.0%", ci: "[25.0, 75.0]", n: 3, reason: "" },
  );
  assertEquals(
    summaryCell({ n: 1, mean: 1.23456, sd: null, ci95: null }, "testLoss").main,
    "1.235",
  );
  assertEquals(summaryCell(undefined, "f1").main, "–");
  assertEquals(formatStat(0.12345, "ece"), "0.123");
  const cells = [0.5, 0.7, null].map((m) => ({
    summary: { testAcc: { mean: m }, ece: { mean: m } },
  }));
  assertEquals([bestCell(cells, "testAcc"), bestCell(cells, "ece")], [1, 0]);
  assertEquals(bestCell(cells.slice(0, 1), "testAcc"), null);
  const runs = ["done", "done", "running", "queued", "failed"].map((status) => ({ status }));
  assertEquals(progressText(runs), "2 of 5 runs finished · 1 running · 1 queued · 1 failed");
});

Deno.test("page: the address keeps the view and the open experiment", () => {
  assertEquals(readHash("#experiment=0mx1me8hh000zty45x"), {
    view: "experiment",
    experiment: "0mx1me8hh000zty45x",
  });
  assertEquals(readHash("#experiments"), { view: "experiment", experiment: null });
  assertEquals(readHash("#figures"), { view: "runs", experiment: null });
  assertEquals(readHash(""), { view: "runs", experiment: null });
});

Deno.test("page: metric names, units and directions come from the registry", () => {
  assertEquals(metric("ece").title, "ECE");
  assertEquals([isFraction("f1"), isFraction("testLoss")], [true, false]);
  assertEquals([lowerIsBetter("trainAccNoisy"), lowerIsBetter("testAcc")], [true, false]);
  assertEquals(statMetrics(), describeMetrics().filter((m) => m.stats).map((m) => m.name));
  // No guessing: a metric the registry lacks is an error, as is a malformed answer.
  assertThrows(() => metric("accuracy"), 'unknown metric "accuracy"');
  assertThrows(() => setMetrics({ metrics: [{ name: "x", title: "x" }] }), "malformed");
  assertThrows(() => setMetrics({}), "no metrics list");
  // A metric added to the registry is picked up as it is (e.g. an AUROC).
  setMetrics({
    metrics: [
      ...describeMetrics(),
      {
        name: "auroc",
        title: "AUROC",
        unit: "value",
        direction: "higher",
        stats: true,
        csv: "auroc",
      },
    ],
  });
  try {
    assertEquals(statMetrics().at(-1), "auroc");
    assert(!lowerIsBetter("auroc"));
    const runs = [{ id: "r", status: "done", label: "ce", config: { loss: "ce" } }];
    const csv = runsCsv(runs, () => [{ epoch: 1, testAcc: 0.5, auroc: 0.75 }]);
    const [head, row] = csv.trimEnd().split("\n").map((l: string) => l.split(","));
    assertEquals(row[head.indexOf("auroc")], "0.75");
  } finally {
    setMetrics({ metrics: describeMetrics() });
  }
});
