// The tuning stage's pure parts: the samplers against SciPy and by seed, the
// space's mapping and checks, successive halving on scripted curves, and the
// expected best score against NumPy (tools/make_tune_fixtures.py).
import { assert, assertEquals, assertThrows } from "./util/assert.ts";
import { haltonPoint, sobolPoint, unitPoints } from "../ml/tune/sampler.ts";
import {
  applyTrial,
  checkSpace,
  mapDimension,
  SpaceError,
  trialValues,
  tuneSchema,
} from "../ml/tune/space.ts";
import { searchLabel, trialLabel, tunedLabel } from "../ml/cell.ts";
import { promote, rank, rungEpochs, successiveHalving, valueAt } from "../stats/asha.ts";
import { expectedMax } from "../stats/expected_max.ts";

const ref = JSON.parse(
  await Deno.readTextFile(new URL("./fixtures/tune_reference.json", import.meta.url)),
);

Deno.test("Sobol and Halton points equal SciPy's unscrambled sequences (64 points, 12 dims)", () => {
  ref.sobol.forEach((p: number[], i: number) => assertEquals(sobolPoint(i, 12), p));
  ref.halton.forEach((p: number[], i: number) => {
    const q = haltonPoint(i, 12);
    p.forEach((x, d) => assert(Math.abs(x - q[d]) < 1e-15, `halton ${i},${d}`));
  });
});

Deno.test("samplers: seeded, reproducible, in [0,1), and different seeds differ", () => {
  for (const s of ["sobol", "halton", "random"] as const) {
    const a = unitPoints(s, 12, 3, 7);
    assertEquals(unitPoints(s, 12, 3, 7), a);
    assert(a.flat().every((x) => x >= 0 && x < 1));
    assert(JSON.stringify(unitPoints(s, 12, 3, 8)) !== JSON.stringify(a), s);
  }
  // The shift keeps Sobol's balance: 8 points put exactly one in each eighth of every axis.
  const p = unitPoints("sobol", 8, 3, 5);
  for (let d = 0; d < 3; d++) {
    assertEquals(new Set(p.map((x) => Math.floor(x[d] * 8))).size, 8);
  }
});

const tune = (over: Record<string, unknown> = {}) =>
  tuneSchema.parse({
    space: { lr: { logUniform: [0.001, 0.3] }, "params.q": { uniform: [0.1, 0.9] } },
    trials: 6,
    seeds: [101],
    ...over,
  });

Deno.test("space: mapping, trial k the same for every cell, params only where the loss has them", () => {
  assertEquals(mapDimension({ logUniform: [0.001, 0.1] }, 0.5), 0.01);
  assertEquals(mapDimension({ uniform: [0, 2] }, 0.25), 0.5);
  assertEquals(mapDimension({ int: [1, 3] }, 0.999), 3);
  assertEquals(mapDimension({ choice: [0, 0.9, 0.99] }, 0.5), 0.9);
  const t = tune();
  const values = trialValues(t);
  assertEquals(values.length, 6);
  assertEquals(trialValues(t), values); // reproducible
  for (const v of values) {
    assert((v.lr as number) >= 0.001 && (v.lr as number) <= 0.3);
    assert((v["params.q"] as number) >= 0.1 && (v["params.q"] as number) <= 0.9);
  }
  const settings = { lr: 0.01, momentum: 0.9 };
  const gce = applyTrial(settings, "gce", { q: 0.7 }, values[2]);
  const ce = applyTrial(settings, "ce", {}, values[2]);
  assertEquals(gce.settings.lr, values[2].lr);
  assertEquals(ce.settings.lr, values[2].lr);
  assertEquals(gce.params, { q: values[2]["params.q"] as number });
  assertEquals(ce.params, {}); // ce has no q: it keeps its own (none)
  const sce = applyTrial(settings, "sce", { alpha: 0.1, beta: 1 }, values[2]);
  assertEquals(sce.params, { alpha: 0.1, beta: 1 }); // not in the space: declared values kept
});

Deno.test("space: bad keys and values name the field", () => {
  const bad = (space: Record<string, unknown>, losses: string[], field: RegExp) => {
    const e = assertThrows(() => checkSpace(tune({ space }), losses));
    assert(e instanceof SpaceError && field.test(e.message), e.message);
  };
  bad({ epochs: { choice: [5] } }, ["ce"], /^tune\.space\.epochs: not a tunable setting/);
  bad({ nope: { choice: [5] } }, ["ce"], /^tune\.space\.nope: not a tunable/);
  bad({ "params.q": { uniform: [0.1, 0.9] } }, ["ce", "focal"], /no loss of this experiment/);
  bad({ "params.q": { uniform: [0.1, 1.5] } }, ["gce"], /tune\.space\.params\.q: 1\.5 .*gce/);
  bad({ lr: { logUniform: [0, 0.1] } }, ["ce"], /tune\.space\.lr\.logUniform: need 0 < low/);
  bad({ momentum: { uniform: [0.5, 1.2] } }, ["ce"], /tune\.space\.momentum: 1\.2/);
  bad({ stepSize: { uniform: [2, 9] } }, ["ce"], /tune\.space\.stepSize: .* expected int/);
  checkSpace(tune({ space: { stepSize: { int: [2, 9] }, momentum: { choice: [0, 0.9] } } }), [
    "ce",
  ]);
  const r = tuneSchema.safeParse({
    space: { lr: { uniform: [0, 1], int: [1, 2] } },
    trials: 2,
    seeds: [1],
  });
  assert(!r.success);
});

Deno.test("ASHA: rungs, ranking with the tie rule, promotions on scripted curves", () => {
  assertEquals(rungEpochs(20, { reduction: 3, minEpochs: 2 }), [2, 6, 18, 20]);
  assertEquals(rungEpochs(8, { reduction: 2, minEpochs: 1 }), [1, 2, 4, 8]);
  assertEquals(rungEpochs(5), [5]);
  assertEquals(rank([0.5, 0.7, null, 0.7], "higher"), [1, 3, 0, 2]); // tie: lower index first
  assertEquals(rank([0.5, 0.7, null, 0.5], "lower"), [0, 3, 1, 2]);
  assertEquals(promote([4, 5, 6, 7, 8, 9], [1, 6, 3, 6, 2, 5], "higher", 3), [5, 7]);
  assertEquals(valueAt([0.2, 0.5, 0.4], 3, "best", "higher"), 0.5);
  assertEquals(valueAt([0.2, 0.5, 0.4], 3, "final", "higher"), 0.4);
  assertEquals(valueAt([0.2, 0.5, 0.4], 2, "final", "higher"), 0.5);
  assertEquals(valueAt([0.2], 2, "best", "higher"), null); // failed before the rung
  // Nine trials, rungs 1, 3, 9 (η = 3): a late bloomer (trial 8) is pruned at rung 0,
  // a trial that fails at epoch 2 (trial 0) is pruned at rung 1, and ties go low.
  const c = (...v: number[]) => v;
  const curves = [
    c(0.9, 0.1), // fails after epoch 2 (best at rung 0, no value at rung 1)
    c(0.1, 0.2, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3),
    c(0.5, 0.55, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6),
    c(0.5, 0.6, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.8),
    c(0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4),
    c(0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2),
    c(0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3),
    c(0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1),
    c(0.05, 0.9, 0.95, 0.99, 0.99, 0.99, 0.99, 0.99, 0.99),
  ];
  const r = successiveHalving(curves, [1, 3, 9], {
    reduction: 3,
    point: "final",
    direction: "higher",
  });
  assertEquals(r.decisions.map((d) => d.promoted), [[0, 2, 3], [3]]);
  assertEquals(r.decisions[1].values, [null, 0.6, 0.7]);
  assertEquals(r.chosen, { trial: 3, value: 0.8 });
  // Without pruning the late bloomer wins: the cost of halving, made visible.
  const flat = successiveHalving(curves, [9], {
    reduction: 3,
    point: "final",
    direction: "higher",
  });
  assertEquals(flat.chosen, { trial: 8, value: 0.99 });
});

Deno.test("expected best of n trials (Dodge et al. 2019) equals NumPy's, enumeration and closed form", () => {
  for (const c of ref.expectedMax) {
    const got = expectedMax(c.values);
    assertEquals(got.length, c.values.length);
    got.forEach((g, i) => {
      assert(Math.abs(g.mean - c.mean[i]) < 1e-12, `${c.method} n=${i + 1} mean`);
      assert(Math.abs(g.sd - c.sd[i]) < 1e-9, `${c.method} n=${i + 1} sd ${g.sd} ${c.sd[i]}`);
    });
  }
  // Lower-is-better: the expected minimum, the mirror image.
  const low = expectedMax([3, 1, 2], "lower");
  const high = expectedMax([-3, -1, -2]);
  low.forEach((l, i) => assert(Math.abs(l.mean + high[i].mean) < 1e-15));
});

Deno.test("labels: a trial names the values it tried, a tuned cell its chosen ones", () => {
  const noise = { labelNoise: { kind: "symmetric" as const, rate: 0.4 } };
  const sce = { model: "mlp", loss: "sce", params: { alpha: 0.5 }, condition: noise };
  const ce = { model: "convnet", loss: "ce", params: {}, condition: {} };
  // The space's order; params.q is not sce's, params.alpha not ce's.
  const v = { lr: 0.1472, "params.q": 0.1423, "params.alpha": 3.2, momentum: 0.8 };
  assertEquals(
    trialLabel(sce, v, 3),
    "sce α=3.2 β=1 lr=0.1472 momentum=0.8 · sym noise 40% · mlp · trial 3",
  );
  assertEquals(
    tunedLabel(sce, v),
    "sce β=1 · sym noise 40% · mlp · tuned: lr 0.1472, α 3.2, momentum 0.8",
  );
  assertEquals(searchLabel(sce, v), "sce β=1 · sym noise 40% · mlp");
  assertEquals(trialLabel(ce, v, 0), "ce lr=0.1472 momentum=0.8 · trial 0");
  assertEquals(tunedLabel(ce, v), "ce · tuned: lr 0.1472, momentum 0.8");
  // A space of only another loss's parameter: nothing of it applies to ce.
  assertEquals(tunedLabel(ce, { "params.q": 0.2 }), "ce · tuned");
  const focal = { ...ce, loss: "focal", params: { gamma: 2 } };
  assertEquals(tunedLabel(focal, { "params.gamma": 0.75 }), "focal · tuned: γ 0.75");
});
