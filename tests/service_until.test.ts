// Seeds added until decided: service/until.ts's decisions on hand-built experiments (wait, look,
// queue the next paired batch, stop decided / at maxSeeds / when cancelled, resume a batch a
// stopped process looked at but never queued), and the whole loop over real HTTP against the real
// service with tiny synthetic runs, its last look recomputed with SciPy.
import type { SequentialState, Until } from "../service/until_records.ts";
import type { Experiment, Run } from "../service/types.ts";
import { initialState, nextStep, resolveUntil, type Values } from "../service/until.ts";
import { buildCells } from "../service/experiments.ts";
import { assert, assertEquals } from "./util/assert.ts";
import { api } from "./util/api.ts";
import { scipy } from "./util/scipy.ts";
import { startServer } from "./util/server.ts";
import { parseCsv } from "./util/csv.ts";
import { testConfig } from "./util/tiny_config.ts";
import { describeMetrics } from "../ml/metrics/registry.ts";

// The page's modules are browser code, type-checked against the DOM by `deno task check:static`;
// imported by a computed URL they stay out of this program's check, which has Deno's types. They
// name metrics from the registry, as GET /api/metrics serves it.
// deno-lint-ignore no-explicit-any -- see above
const page = (name: string): Promise<any> =>
  import(new URL(`../static/js/${name}`, import.meta.url).href);
(await page("metrics.js")).setMetrics({ metrics: describeMetrics() });
const { sequentialLines } = await page("sequential-view.js");

const cells = buildCells({
  losses: [{ loss: "ce", params: {} }, { loss: "l1", params: {} }],
  conditions: [{}, { labelNoise: { kind: "symmetric", rate: 0.4 } }],
  models: ["convnet"],
});

function experiment(seeds: number[], u: Partial<Until> = {}) {
  const until = resolveUntil(
    { decided: true, maxSeeds: 6, every: 2, metric: "testAcc", alpha: 0.05, ...u },
    cells,
    seeds,
  );
  return {
    id: "0".repeat(18),
    createdAt: "2026-01-01T00:00:00.000Z",
    settings: {} as Experiment["settings"],
    cells,
    seeds,
    runIds: [],
    until,
    sequential: initialState(until, cells),
  } as Experiment & { until: Until; sequential: SequentialState };
}

function runs(seeds: number[], status: Run["status"] = "done"): Run[] {
  return cells.flatMap((c) =>
    seeds.map((seed) => ({
      id: `${c.key}/${seed}`,
      status,
      config: testConfig({ seed }),
      label: c.label,
      cellKey: c.key,
      createdAt: "",
      epochsDone: 2,
    }))
  );
}

/** ce − l1 per seed: `gain` (plus a little spread) under each condition. */
function values(seeds: number[], gain: number[], spread = 0.004): Values {
  const v: Values = new Map();
  cells.forEach((c, i) => {
    const g = i % 2 === 0 ? gain[i / 2] : 0;
    v.set(c.key, new Map(seeds.map((s) => [s, 0.5 + g + (i % 2 ? 0 : spread * Math.sin(s * 7))])));
  });
  return v;
}

Deno.test("until: the family is each condition's pairs of losses, α split over it", () => {
  const e = experiment([1, 2]);
  assertEquals(e.sequential.familySize, 2);
  assertEquals(e.sequential.pairAlpha, 0.025);
  assertEquals(e.until.delta, 0.005);
  const bad = (u: Partial<Until>, seeds = [1, 2]) => {
    try {
      experiment(seeds, u);
    } catch (err) {
      return (err as Error).message;
    }
    return "";
  };
  assert(bad({ metric: "testLoss" }).startsWith("until.delta:"), "testLoss needs a delta");
  assert(bad({ maxSeeds: 2 }, [1, 2, 3]).startsWith("until.maxSeeds:"));
});

Deno.test("until: waits for the batch, queues new paired seeds, then stops decided", () => {
  let e = experiment([1, 2], { alpha: 0.1 }); // 0.05 per pair: the published boundaries
  assertEquals(nextStep(e, [...runs([1]), ...runs([2], "running")], new Map()).kind, "wait");
  // Two seeds: far too early for the O'Brien–Fleming boundary, so the next two seeds come.
  const s1 = nextStep(e, runs([1, 2]), values([1, 2], [0.1, 0]), "t1");
  assert(s1.kind === "continue");
  assertEquals(s1.seeds, [3, 4]);
  assertEquals(s1.state.looks, [{ at: "t1", seeds: 2, n: [2, 2] }]);
  assertEquals(s1.state.pairs.map((p) => p.decision), ["continue", "continue"]);
  // Four seeds: a 10-point gain is "better" (ce); the other pair, equal within ±0.5 points.
  e = { ...e, seeds: [1, 2, 3, 4], sequential: s1.state };
  const s2 = nextStep(e, runs([1, 2, 3, 4]), values([1, 2, 3, 4], [0.1, 0], 0.0004), "t2");
  assert(s2.kind === "stop", s2.kind);
  assertEquals(s2.state.pairs.map((p) => [p.decision, p.better, p.look]), [
    ["better", "a", 1],
    ["equivalent", undefined, 1],
  ]);
  assertEquals(s2.state.stopped, {
    at: "t2",
    reason: "decided",
    seedsUsed: 4,
    seedsSaved: 2,
    runsSaved: 8,
  });
  // The boundary at the second look is the one for fractions 2/6, 4/6 (K = 3, α = 0.05: 2.511).
  assert(Math.abs(s2.state.pairs[0].boundary! - 2.5114) < 1e-3, `${s2.state.pairs[0].boundary}`);
  // Stopped is stopped.
  assertEquals(
    nextStep({ ...e, sequential: s2.state }, runs([1, 2, 3, 4]), new Map()).kind,
    "wait",
  );
});

Deno.test("until: stops at maxSeeds with the rest inconclusive, or when runs were cancelled", () => {
  const noisy = (seeds: number[]) => {
    const v = values(seeds, [0, 0]);
    const k = cells[0].key;
    for (const s of seeds) v.get(k)!.set(s, 0.5 + (s % 2 ? 0.03 : -0.03));
    return v;
  };
  const e = experiment([1, 2, 3, 4, 5, 6]);
  const s = nextStep(e, runs([1, 2, 3, 4, 5, 6]), noisy([1, 2, 3, 4, 5, 6]), "t");
  assert(s.kind === "stop");
  assertEquals(s.state.pairs[0].decision, "inconclusive");
  assertEquals(s.state.pairs[0].fraction, 1);
  assertEquals(s.state.stopped?.reason, "maxSeeds");
  assertEquals(s.state.stopped?.seedsSaved, 0);

  // Every run of one cell failed: its pair has no values, no look, and the rest goes on.
  const failed = values([1, 2], [0.1, 0]);
  failed.delete(cells[3].key);
  const f = nextStep(experiment([1, 2]), runs([1, 2]), failed);
  assert(f.kind === "continue");
  assertEquals(f.state.pairs.map((p) => [p.n, p.boundary, p.decision]), [
    [2, f.state.pairs[0].boundary, "continue"],
    [0, null, "continue"],
  ]);

  const c = nextStep(experiment([1, 2]), [...runs([1]), ...runs([2], "cancelled")], new Map());
  assert(c.kind === "stop");
  assertEquals(c.state.stopped?.reason, "cancelled");
  assertEquals(c.state.looks.length, 0);
});

Deno.test("until: a batch looked at but never queued (the process stopped) is queued again", () => {
  const e = experiment([1, 2]);
  const s1 = nextStep(e, runs([1, 2]), values([1, 2], [0.1, 0]), "t1");
  assert(s1.kind === "continue");
  const again = nextStep({ ...e, sequential: s1.state }, runs([1, 2]), new Map());
  assert(again.kind === "continue");
  assertEquals(again.seeds, [3, 4]);
  assertEquals(again.state, s1.state, "no second look at the same batch");
  // A last batch is cut to maxSeeds.
  const e5 = experiment([1, 2, 3, 4, 5]);
  const s = nextStep(e5, runs([1, 2, 3, 4, 5]), values([1, 2, 3, 4, 5], [0.001, 0], 0.05));
  assert(s.kind === "continue");
  assertEquals(s.seeds, [6]);
});

const TINY = { data: "synthetic", trainLimit: 200, testLimit: 100, batchSize: 50, epochs: 1 };

/** SciPy's repeated CI at the recorded nominal level: mean ± t_{n−1}(1 − p/2) · sd / √n. */
async function scipyRci(d: number[], nominal: number): Promise<[number, number]> {
  const script = `
import json, sys
import numpy as np
from scipy import stats
d, p = json.load(sys.stdin)
d = np.array(d)
h = stats.t.ppf(1 - p / 2, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
print(json.dumps([d.mean() - h, d.mean() + h]))
`;
  return await scipy(script, [d, nominal]);
}

Deno.test("until: over HTTP, seeds are added in paired batches until decided, and the stop is saved", async () => {
  const srv = await startServer();
  const base = srv.url;
  try {
    // Bad `until` input: 400 naming the field, nothing queued.
    const bad = await api(base, "POST", "api/experiments", {
      ...TINY,
      losses: [{ loss: "ce" }, { loss: "l1" }],
      repeats: 3,
      until: { decided: true, maxSeeds: 2 },
    });
    assertEquals(bad.status, 400);
    assert(bad.json.error.startsWith("until.maxSeeds"), bad.json.error);
    const bad2 = await api(base, "POST", "api/experiments", {
      ...TINY,
      repeats: 2,
      until: { decided: true, maxSeeds: 6, every: 0 },
    });
    assertEquals(bad2.status, 400);
    assert(bad2.json.error.includes("until.every"), bad2.json.error);
    assertEquals((await api(base, "GET", "api/experiments")).json.experiments.length, 0);

    // ce vs l1 on tiny data, margin ±40 points: the RCI fits inside once n is large enough.
    const created = await api(base, "POST", "api/experiments", {
      ...TINY,
      losses: [{ loss: "ce" }, { loss: "l1" }],
      repeats: 2,
      until: { decided: true, maxSeeds: 8, every: 2, delta: 0.4 },
    });
    assertEquals(created.status, 201, JSON.stringify(created.json));
    const id = created.json.id;
    assertEquals(created.json.until, {
      decided: true,
      maxSeeds: 8,
      every: 2,
      metric: "testAcc",
      delta: 0.4,
      alpha: 0.05,
    });
    assertEquals(created.json.sequential.status, "running");
    assertEquals(created.json.sequential.familySize, 1);

    // deno-lint-ignore no-explicit-any
    let exp: any;
    for (let i = 0; i < 600; i++) {
      exp = (await api(base, "GET", `api/experiments/${id}`)).json;
      if (exp.sequential.status === "stopped") break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const st = exp.sequential;
    assertEquals(st.status, "stopped", JSON.stringify(st));
    // Seeds came in paired batches of 2 after the first 2, one look per batch.
    const used = exp.seeds.length;
    assertEquals(exp.seeds, Array.from({ length: used }, (_, i) => i + 1));
    assert(used > 2, `only ${used} seeds: no batch was added`);
    assertEquals(
      st.looks.map((l: { seeds: number }) => l.seeds),
      [2, 4, 6, 8].filter((n) => n <= used),
    );
    assertEquals(exp.runs.length, 2 * used);
    assert(exp.runs.every((r: Run) => r.status === "done"));
    assertEquals(st.stopped.seedsUsed, used);
    assertEquals(st.stopped.seedsSaved, 8 - used);
    assertEquals(st.stopped.runsSaved, 2 * (8 - used));
    const pair = st.pairs[0];
    assertEquals(st.stopped.reason, pair.decision === "inconclusive" ? "maxSeeds" : "decided");
    assertEquals(pair.n, used);

    // The last look's interval, recomputed with SciPy from the runs' own final test accuracy.
    const ce = exp.cells.find((c: { loss: string }) => c.loss === "ce").key;
    const acc = (key: string) =>
      new Map<number, number>(
        exp.runs.filter((r: Run) => r.cellKey === key)
          .map((r: Run): [number, number] => [r.config.seed, r.last!.testAcc!]),
      );
    const a = acc(pair.a), b = acc(pair.b);
    const d = [...a.keys()].sort((x, y) => x - y).map((s) => a.get(s)! - b.get(s)!);
    const [lo, hi] = await scipyRci(d, pair.nominalAlpha);
    assert(
      Math.abs(pair.rci[0] - lo) < 1e-9 && Math.abs(pair.rci[1] - hi) < 1e-9,
      `${pair.rci} vs ${[lo, hi]}`,
    );
    assert(pair.a === ce || pair.b === ce);
    // What the dashboard's experiment view says about it (static/js/sequential-view.js).
    const lines = sequentialLines(exp);
    assert(lines[0].includes("Lan–DeMets") && lines[0].includes("δ = 0.4"), lines[0]);
    assertEquals(
      lines[1],
      `Stopped (${st.stopped.reason}) after ${used} of 8 seeds: ${8 - used} seeds ` +
        `(${2 * (8 - used)} runs) saved.`,
    );
    assert(lines[2].startsWith(`${pair.labelA} vs ${pair.labelB}: `), lines[2]);
    assertEquals(sequentialLines({ ...exp, until: undefined }), []);
    // The export says the same, one row per compared pair.
    const csv = await (await fetch(`${base}api/experiments/${id}/sequential.csv`)).text();
    const [head, row, ...rest] = parseCsv(csv);
    assertEquals(rest, []);
    const rec = Object.fromEntries(head.map((k, i) => [k, row[i]]));
    assertEquals(rec.design, st.design);
    assertEquals(
      [rec.decision, rec.stop_reason, Number(rec.seeds_used), Number(rec.seeds_saved)],
      [pair.decision, st.stopped.reason, used, 8 - used],
    );
    assertEquals([Number(rec.rci_low), Number(rec.rci_high)], [
      Number(pair.rci[0].toPrecision(9)),
      Number(pair.rci[1].toPrecision(9)),
    ]);
    console.log(
      `until: stopped after ${used} of 8 seeds (${st.stopped.reason}): ${pair.labelA} − ` +
        `${pair.labelB} ${pair.decision}, RCI [${lo.toFixed(4)}, ${hi.toFixed(4)}]`,
    );
  } finally {
    await srv.stop();
  }
});
