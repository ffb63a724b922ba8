// The training options over real HTTP: a run and an experiment take them (the
// experiment's cells and added seeds share them, as they share lr), bad
// combinations are a 400 naming the field, OpenAPI declares them, and a KV
// recorded before they existed is brought up to the declared shape. Also: the
// dashboard's form has a control for every shared setting.
import { settingsSchema } from "../ml/config.ts";
import { cosineLr } from "../ml/schedule.ts";
import { newId } from "../service/ids.ts";
import { Store } from "../service/store.ts";
import type { Experiment, Run } from "../service/types.ts";
import { assert, assertEquals } from "./util/assert.ts";
import { api } from "./util/api.ts";
import { startServer } from "./util/server.ts";
import { waitEnded } from "./util/sse.ts";
import { testConfig } from "./util/tiny_config.ts";

const TINY = { data: "synthetic", trainLimit: 64, testLimit: 32, batchSize: 32 };
const OPTIONS = { schedule: "cosine", warmupEpochs: 1, weightDecay: 5e-4, gradClip: 1 };

const pick = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.keys(OPTIONS).map((k) => [k, o[k]]));

Deno.test("training options through the API: runs, experiments, seeds, 400s, OpenAPI", async (t) => {
  const srv = await startServer();
  const base = srv.url;
  try {
    await t.step("a run takes them and trains at the schedule's lr", async () => {
      const r = await api(base, "POST", "/api/runs", {
        loss: "ce",
        epochs: 2,
        ...TINY,
        ...OPTIONS,
      });
      assertEquals(r.status, 201, r.text);
      assertEquals(pick(r.json.config), OPTIONS);
      await waitEnded(base, [r.json.id]);
      const done = await api(base, "GET", `/api/runs/${r.json.id}`);
      assertEquals(done.json.status, "done", done.text);
      // Warmup epoch at lr/2, then the cosine's one epoch at lr.
      assertEquals(done.json.epochs.map((e: { lr: number }) => e.lr), [0.005, 0.01]);
      assertEquals(cosineLr(0.01, 2, 1, 0), 0.005);
    });

    await t.step("a default run records the defaults, without clipping", async () => {
      const r = await api(base, "POST", "/api/runs", { loss: "ce", epochs: 1, ...TINY });
      assertEquals(r.status, 201, r.text);
      const c = r.json.config;
      assertEquals([c.weightDecay, c.schedule, c.warmupEpochs], [0, "step", 0]);
      assert(!("gradClip" in c), "no gradClip when off");
      await waitEnded(base, [r.json.id]);
    });

    await t.step("an experiment's cells and added seeds share them", async () => {
      const r = await api(base, "POST", "/api/experiments", {
        losses: [{ loss: "ce" }, { loss: "mae" }],
        seeds: [1],
        epochs: 2,
        ...TINY,
        ...OPTIONS,
      });
      assertEquals(r.status, 201, r.text);
      assertEquals(pick(r.json.settings), OPTIONS);
      for (const run of r.json.runs as Run[]) assertEquals(pick(run.config), OPTIONS);
      const more = await api(base, "POST", `/api/experiments/${r.json.id}/seeds`, { seeds: [2] });
      assertEquals(more.status, 201, more.text);
      for (const run of more.json.added as Run[]) assertEquals(pick(run.config), OPTIONS);
      await waitEnded(base, [...r.json.runIds, ...more.json.added.map((x: Run) => x.id)]);
    });

    await t.step("nonsense is a 400 naming the field, on runs and on experiments", async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ warmupEpochs: 2 }, "warmupEpochs"],
        [{ schedule: "cosine", warmupEpochs: 3, epochs: 3 }, "warmupEpochs"],
        [{ schedule: "exponential" }, "schedule"],
        [{ weightDecay: -1 }, "weightDecay"],
        [{ gradClip: 0 }, "gradClip"],
      ];
      for (const [fields, field] of cases) {
        const bodies: [string, Record<string, unknown>][] = [
          ["/api/runs", { loss: "ce" }],
          ["/api/experiments", {}],
        ];
        for (const [path, body] of bodies) {
          const r = await api(base, "POST", path, { ...TINY, ...body, ...fields });
          assertEquals(r.status, 400, `${path} ${JSON.stringify(fields)}: ${r.text}`);
          assert(r.json.error.includes(`${field}:`), `${path}: ${r.json.error}`);
        }
      }
    });

    await t.step("OpenAPI declares them on TrainConfig and Settings", async () => {
      const doc = (await api(base, "GET", "/api/openapi.json")).json;
      for (const id of ["TrainConfig", "Settings"]) {
        const s = doc.components.schemas[id];
        for (const k of Object.keys(OPTIONS)) assert(k in s.properties, `${id}.${k}`);
        assertEquals(s.properties.schedule.enum, ["step", "cosine"]);
        assert(s.required.includes("weightDecay") && !s.required.includes("gradClip"), id);
      }
    });
  } finally {
    await srv.stop();
  }
});

Deno.test("a KV recorded before the options gets their defaults once, and serves the contract", async () => {
  const dir = await Deno.makeTempDir();
  const kvPath = `${dir}/old.kv`;
  const { weightDecay: _w, schedule: _s, warmupEpochs: _e, ...old } = testConfig({ epochs: 1 });
  const runId = newId();
  const run = {
    id: runId,
    status: "done",
    config: old,
    createdAt: new Date(0).toISOString(),
    label: "ce",
    cellKey: "{}",
    epochsDone: 0,
  };
  const { loss: _l, params: _p, condition: _c, model: _m, seed: _seed, ...settings } = old;
  const exp = {
    id: newId(),
    createdAt: new Date(0).toISOString(),
    settings,
    cells: [],
    seeds: [1],
    runIds: [runId],
  };
  const kv = await Deno.openKv(kvPath);
  await kv.set(["run", runId], run);
  await kv.set(["experiment", exp.id], exp);
  kv.close();

  const store = await Store.open(kvPath);
  const got = (await store.getRun(runId))!;
  assertEquals(got.config, testConfig({ epochs: 1 }));
  const keys = Object.keys(got.config); // in the schema's order, as a new run's
  const at = keys.indexOf("stepGamma");
  assertEquals(keys.slice(at, at + 4), ["stepGamma", "weightDecay", "schedule", "warmupEpochs"]);
  const e = (await store.getExperiment(exp.id)) as Experiment;
  const s = e.settings;
  assertEquals([s.weightDecay, s.schedule, s.warmupEpochs], [0, "step", 0]);
  assertEquals((await store.kv.get(["meta", "training_options"])).value, 1);
  await store.close();

  // The contract check (on for test servers) holds the old records to the declared shape.
  const srv = await startServer({ kvPath });
  try {
    const r = await api(srv.url, "GET", `/api/runs/${runId}`);
    assertEquals(r.status, 200, r.text);
    assertEquals(r.json.config.schedule, "step");
    assertEquals((await api(srv.url, "GET", "/api/experiments")).status, 200);
  } finally {
    await srv.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the dashboard's form has a control for every shared setting", async () => {
  const html = await Deno.readTextFile(new URL("../static/index.html", import.meta.url));
  // Imported at run time, as the page does: the static files are type-checked with the DOM's types.
  const { NUMBERS, TEXT } = await import(
    new URL("../static/js/form-fields.js", import.meta.url).href
  );
  for (const key of Object.keys(settingsSchema.shape)) {
    assert(html.includes(`name="${key}"`), `no form control named ${key}`);
    assert(NUMBERS.has(key) || TEXT.has(key), `form-fields.js does not send ${key}`);
  }
});
