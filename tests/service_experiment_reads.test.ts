// service/experiment_reads.ts: an experiment's answer is built once per change.
// Reads of an unchanged experiment touch no run record and compute no
// statistics; an event of one run re-reads that run alone; a changed record
// (seeds added) re-reads the new runs; a running run's live progress is built
// per read; the statistics off the main thread give what they gave on it.
import type { EpochMetrics } from "../ml/types.ts";
import { ValidationError } from "../service/errors.ts";
import { EventBus } from "../service/event_bus.ts";
import { type ExperimentData, ExperimentReads } from "../service/experiment_reads.ts";
import { matchesEtag } from "../routes/etag.ts";
import { STAT_METRICS } from "../ml/metrics/registry.ts";
import { StatsRunner } from "../service/stats_runner.ts";
import type { Experiment, Run } from "../service/types.ts";
import { experimentStats, PointError } from "../stats/experiment.ts";
import { assert, assertEquals, assertRejects } from "./util/assert.ts";
import { testConfig } from "./util/tiny_config.ts";

const N = 40;
const run = (i: number, status: Run["status"] = "done"): Run => ({
  id: `run${i}`,
  status,
  config: testConfig({ seed: i }),
  label: "ce",
  cellKey: i % 2 ? "a" : "b",
  createdAt: "2026-01-01T00:00:00.000Z",
  epochsDone: 2,
});
const epoch = (i: number, e: number) =>
  ({
    epoch: e,
    testAcc: (i * 7 + e) % 10 / 10,
    f1: 0.5,
    confusion: [[1]],
  }) as unknown as EpochMetrics;

function fixture() {
  const runs = new Map(Array.from({ length: N }, (_, i) => [`run${i}`, run(i)]));
  const epochs = new Map([...runs.keys()].map((id, i) => [id, [epoch(i, 1), epoch(i, 2)]]));
  const reads = { runs: 0, epochs: 0 };
  const store = {
    getRun: (id: string) => {
      reads.runs++;
      return Promise.resolve(runs.get(id) ?? null);
    },
    listEpochs: (id: string) => {
      reads.epochs++;
      return Promise.resolve(epochs.get(id) ?? []);
    },
  };
  const exp: Experiment = {
    id: "exp1",
    createdAt: "2026-01-01T00:00:00.000Z",
    settings: {} as Experiment["settings"],
    cells: [],
    seeds: [],
    runIds: [...runs.keys()],
  };
  const bus = new EventBus();
  return { runs, epochs, reads, store, exp, bus, cache: new ExperimentReads(bus, store) };
}

Deno.test("an unchanged experiment is read and computed once; one run's event re-reads that run", async () => {
  const f = fixture();
  let computed = 0;
  const stats = (d: ExperimentData) => {
    computed++;
    return Promise.resolve({ n: d.runs.length, acc: d.runs.map((r) => d.epochs.get(r.id)) });
  };
  const render = (runs: Run[], s: unknown) => ({ runs: runs.map((r) => r.status), s });
  const read = (exp = f.exp, query = "q") => f.cache.read(exp, query, stats, render);

  const first = await read();
  assertEquals([f.reads, computed], [{ runs: N, epochs: N }, 1]);
  for (let i = 0; i < 5; i++) assertEquals(await read(), first);
  assertEquals([f.reads, computed], [{ runs: N, epochs: N }, 1]);
  // Epochs are kept as the statistics read them: the number and the metrics, nothing else.
  assertEquals(JSON.parse(first.text).s.acc[3], [{ epoch: 1, testAcc: 0.2, f1: 0.5 }, {
    epoch: 2,
    testAcc: 0.3,
    f1: 0.5,
  }]);

  // Another query: computed once more from the same data, nothing re-read.
  const other = await read(f.exp, "q2");
  assertEquals([f.reads, computed], [{ runs: N, epochs: N }, 2]);
  assertEquals(other.text, first.text);

  // Progress is not a change; an epoch of run 5 is, and only run 5 is read again.
  f.bus.publish({ seq: 1, type: "progress", runId: "run5", data: {} as never });
  assertEquals(await read(), first);
  f.epochs.get("run5")!.push(epoch(5, 3));
  f.bus.publish({ seq: 2, type: "epoch", runId: "run5", data: {} as never });
  const next = await read();
  assertEquals([f.reads, computed], [{ runs: N + 1, epochs: N + 1 }, 3]);
  assert(next.etag !== first.etag, "a new body, a new ETag");
  assertEquals(JSON.parse(next.text).s.acc[5].length, 3);

  // Seeds added: the record changed, only the new run is read.
  f.runs.set("run99", run(99, "queued"));
  const grown = { ...f.exp, runIds: [...f.exp.runIds, "run99"] };
  assertEquals(JSON.parse((await read(grown)).text).runs.length, N + 1);
  assertEquals(f.reads, { runs: N + 2, epochs: N + 2 });
  // An event of a run of another experiment changes nothing here.
  f.bus.publish({ seq: 3, type: "status", runId: "elsewhere", data: {} as never });
  await read(grown);
  assertEquals([f.reads, computed], [{ runs: N + 2, epochs: N + 2 }, 4]);
});

Deno.test("a running run's body is built per read, its statistics once per change", async () => {
  const f = fixture();
  f.runs.set("run0", run(0, "running"));
  let computed = 0, live = 0;
  const stats = () => Promise.resolve(++computed);
  const render = (runs: Run[]) => ({ n: runs.length, progress: ++live });
  const a = await f.cache.read(f.exp, "q", stats, render);
  const b = await f.cache.read(f.exp, "q", stats, render);
  assertEquals([computed, live], [1, 2]);
  assert(a.etag !== b.etag && a.text !== b.text, "live progress makes each body its own");
});

Deno.test("a refused query is refused from the cache as well; a failure of ours is retried", async () => {
  const f = fixture();
  let computed = 0;
  const refuse = () => {
    computed++;
    return Promise.reject(new ValidationError("no validation split", "point"));
  };
  await assertRejects(() => f.cache.read(f.exp, "best", refuse, () => ({})), "no validation");
  await assertRejects(() => f.cache.read(f.exp, "best", refuse, () => ({})), "no validation");
  assertEquals(computed, 1);
  // A failure of ours (a crashed statistics worker, say) is not kept.
  const crash = () => {
    computed++;
    return Promise.reject(new Error("worker crashed"));
  };
  await assertRejects(() => f.cache.read(f.exp, "q", crash, () => ({})), "crashed");
  await assertRejects(() => f.cache.read(f.exp, "q", crash, () => ({})), "crashed");
  assertEquals(computed, 3);

  const broken = fixture();
  let fail = true;
  const getRun = broken.store.getRun;
  broken.store.getRun = (id) => fail ? Promise.reject(new Error("KV down")) : getRun(id);
  const ok = () => Promise.resolve(1);
  await assertRejects(() => broken.cache.read(broken.exp, "q", ok, () => ({})), "KV down");
  fail = false;
  assertEquals(
    (await broken.cache.read(broken.exp, "q", ok, () => ({ fine: true }))).text,
    '{"fine":true}',
  );
});

Deno.test("If-None-Match: a list, weak tags and * match; others do not", () => {
  assert(matchesEtag('"abc"', '"abc"'));
  assert(matchesEtag('"x", W/"abc"', '"abc"'));
  assert(matchesEtag("*", '"abc"'));
  assert(!matchesEtag('"abcd"', '"abc"'));
  assert(!matchesEtag(undefined, '"abc"'));
});

Deno.test("statistics off the main thread equal those on it; a refused point is a PointError", async () => {
  const runner = new StatsRunner();
  try {
    await runner.ready();
    const cells = [{ key: "a", label: "A" }, { key: "b", label: "B" }];
    const runs = Array.from({ length: 12 }, (_, i) => ({
      cellKey: i % 2 ? "a" : "b",
      seed: Math.floor(i / 2) + 1,
      finished: true,
      epochs: [1, 2].map((e) => ({ epoch: e, testAcc: ((i * 37 + e * 11) % 17) / 17, f1: 0.5 })),
    }));
    const opts = { point: { kind: "final" as const }, metric: "testAcc", metrics: STAT_METRICS };
    assertEquals(await runner.run(cells, runs, opts), experimentStats(cells, runs, opts));
    const best = { ...opts, point: { kind: "best" as const, on: "valAcc" as const } };
    const e = await assertRejects(() => runner.run(cells, runs, best), "validation split");
    assert(e instanceof PointError, String(e));
  } finally {
    runner.stop();
  }
});
