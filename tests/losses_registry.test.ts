// The loss registry: names, lookup errors, parameter validation and defaults,
// chart labels, and the checks on the run's train counts.
import * as tf from "../ml/tf.ts";
import {
  getLoss,
  LOSS_NAMES,
  LOSSES,
  lossFn,
  lossLabel,
  parseLossParams,
} from "../ml/losses/registry.ts";
import { classBalancedWeights, logClassPrior } from "../ml/losses/counts.ts";
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "./util/assert.ts";

await tf.setBackend("cpu");

Deno.test("losses registry: the fixed names, once each, in one list", () => {
  assertEquals([...LOSS_NAMES], [
    "ce",
    "l1",
    "focal",
    "label_smoothing",
    "gce",
    "sce",
    "nce_rce",
    "cb_ce",
    "cb_focal",
    "balanced_softmax",
    "mae",
  ]);
  for (const l of LOSSES) {
    assert(getLoss(l.name) === l, l.name);
    assert(l.title && l.description, `${l.name} lacks a title or description`);
  }
});

Deno.test("losses registry: an unknown name lists the known ones, with a close match", () => {
  const e = assertThrows(() => getLoss("gcee"), 'unknown loss "gcee"; did you mean "gce"?');
  assert(e.message.includes("known: ce, l1, focal,"), e.message);
  assertThrows(() => getLoss("label-smoothing"), 'did you mean "label_smoothing"');
  assertThrows(() => getLoss("NCE+RCE"), 'did you mean "nce_rce"');
  assertThrows(() => getLoss("balanced"), 'did you mean "balanced_softmax"');
  assertThrows(() => getLoss("focl"), 'did you mean "focal"');
  const far = assertThrows(() => getLoss("hinge"), 'unknown loss "hinge"');
  assert(!far.message.includes("did you mean"), far.message);
  assertThrows(() => lossFn("hinge", {}, { classes: 3, trainCounts: [1, 1, 1] }), "hinge");
  assertThrows(() => lossLabel("hinge"), "hinge");
});

Deno.test("losses registry: parameters get their defaults", () => {
  assertEquals(parseLossParams("gce", {}), { q: 0.7 });
  assertEquals(parseLossParams("gce", undefined), { q: 0.7 });
  assertEquals(parseLossParams("gce", null), { q: 0.7 });
  assertEquals(parseLossParams("focal", {}), { gamma: 2 });
  assertEquals(parseLossParams("focal", { gamma: 0.5 }), { gamma: 0.5 });
  assertEquals(parseLossParams("label_smoothing", {}), { epsilon: 0.1 });
  assertEquals(parseLossParams("sce", { beta: 2 }), { alpha: 0.1, beta: 2 });
  assertEquals(parseLossParams("nce_rce", {}), { alpha: 1, beta: 1 });
  assertEquals(parseLossParams("cb_ce", {}), { beta: 0.9999 });
  assertEquals(parseLossParams("cb_focal", {}), { beta: 0.9999, gamma: 2 });
  for (const name of ["ce", "l1", "mae", "balanced_softmax"]) {
    assertEquals(parseLossParams(name, {}), {});
  }
});

Deno.test("losses registry: bounds are enforced, naming params.<field>", () => {
  const bad: [string, unknown, string][] = [
    ["gce", { q: 0 }, "params.q"], // q ∈ (0, 1]
    ["gce", { q: 1.01 }, "params.q"],
    ["gce", { q: "0.7" }, "params.q"],
    ["gce", { q: NaN }, "params.q"],
    ["focal", { gamma: -0.1 }, "params.gamma"],
    ["focal", { gamma: 21 }, "params.gamma"],
    ["focal", { gamma: Infinity }, "params.gamma"],
    ["label_smoothing", { epsilon: 1 }, "params.epsilon"], // ε ∈ [0, 1)
    ["cb_ce", { beta: 1 }, "params.beta"], // β ∈ [0, 1)
    ["cb_focal", { beta: 0.9, gamma: -1 }, "params.gamma"],
    ["sce", { alpha: -1 }, "params.alpha"],
    ["nce_rce", { beta: 101 }, "params.beta"],
  ];
  for (const [name, params, field] of bad) {
    const e = assertThrows(() => parseLossParams(name, params), field);
    assert(e.message.startsWith(`${name}: `), e.message);
  }
  // The edges that are allowed.
  assertEquals(parseLossParams("gce", { q: 1 }), { q: 1 });
  assertEquals(parseLossParams("label_smoothing", { epsilon: 0 }), { epsilon: 0 });
  assertEquals(parseLossParams("cb_ce", { beta: 0 }), { beta: 0 });
  assertEquals(parseLossParams("focal", { gamma: 0 }), { gamma: 0 });
});

Deno.test("losses registry: unknown parameters and non-objects are refused", () => {
  assertThrows(() => parseLossParams("gce", { q: 0.5, gamma: 2 }), "params.gamma: gce has no such");
  assertThrows(() => parseLossParams("ce", { gamma: 2 }), "params.gamma: ce has no such");
  const both = assertThrows(() => parseLossParams("focal", { gamma: -1, q: 1 }));
  assert(both.message.includes("params.gamma") && both.message.includes("params.q"), both.message);
  assertThrows(() => parseLossParams("gce", "q=0.7"), "gce: ");
  assertThrows(() => parseLossParams("gce", [0.7]), "gce: ");
  assertThrows(() => lossFn("gce", { q: 2 }, { classes: 3, trainCounts: [] }), "params.q");
});

Deno.test("losses registry: chart labels carry the parameters, defaults filled", () => {
  assertEquals(lossLabel("ce"), "ce");
  assertEquals(lossLabel("ce", {}), "ce");
  assertEquals(lossLabel("focal", { gamma: 2 }), "focal γ=2");
  assertEquals(lossLabel("focal"), "focal γ=2");
  assertEquals(lossLabel("focal", { gamma: 0.5 }), "focal γ=0.5");
  assertEquals(lossLabel("gce", { q: 0.7 }), "gce q=0.7");
  assertEquals(lossLabel("label_smoothing"), "label_smoothing ε=0.1");
  assertEquals(lossLabel("sce"), "sce α=0.1 β=1");
  assertEquals(lossLabel("nce_rce", { alpha: 10, beta: 0.1 }), "nce_rce α=10 β=0.1");
  assertEquals(lossLabel("cb_ce"), "cb_ce β=0.9999");
  assertEquals(lossLabel("cb_focal", { gamma: 1 }), "cb_focal β=0.9999 γ=1");
  // Left out (a tuned cell's searched parameters), and a name that is no parameter ignored.
  assertEquals(lossLabel("cb_focal", { gamma: 1 }, ["beta"]), "cb_focal γ=1");
  assertEquals(lossLabel("gce", { q: 0.7 }, ["q", "alpha"]), "gce");
  assertEquals(lossLabel("balanced_softmax"), "balanced_softmax");
  assertEquals(lossLabel("mae"), "mae");
  assertEquals(lossLabel("l1"), "l1");
  assertThrows(() => lossLabel("gce", { q: 5 }), "params.q");
});

Deno.test("losses registry: losses that read the train counts check them", () => {
  for (const name of ["cb_ce", "cb_focal", "balanced_softmax"]) {
    assertThrows(() => lossFn(name, {}, { classes: 3, trainCounts: [5, 5] }), "3 classes");
    assertThrows(() => lossFn(name, {}, { classes: 3, trainCounts: [0, 0, 0] }), "all zero");
    assertThrows(() => lossFn(name, {}, { classes: 2, trainCounts: [4, -1] }), "non-negative");
    assertThrows(() => lossFn(name, {}, { classes: 2, trainCounts: [4, 1.5] }), "integers");
  }
  // The others ignore them (the report's losses run without any).
  for (const name of ["ce", "l1", "focal", "gce", "sce", "nce_rce", "label_smoothing", "mae"]) {
    lossFn(name, {}, { classes: 3, trainCounts: [] });
  }
});

Deno.test("losses counts: class-balanced weights", () => {
  // Cui et al.: ∝ (1 − β)/(1 − β^n), summing to the number of present classes.
  const w = classBalancedWeights([100, 10, 0, 1], 0.9);
  assertEquals(w[2], 0);
  assertAlmostEquals(w[0] + w[1] + w[3], 3, 1e-12);
  const raw = [100, 10, 1].map((n) => (1 - 0.9) / (1 - 0.9 ** n));
  const s = raw.reduce((a, b) => a + b);
  assertAlmostEquals(w[0], 3 * raw[0] / s, 1e-12);
  assertAlmostEquals(w[3], 3 * raw[2] / s, 1e-12);
  assert(w[3] > w[1] && w[1] > w[0], "rarer classes weigh more");
  assertEquals(classBalancedWeights([7, 0, 7], 0.9999), [1, 0, 1]);
  assertEquals(classBalancedWeights([3, 50, 9], 0), [1, 1, 1]);
  // β = 0.9999 at CIFAR-10 scale stays finite and ordered.
  const big = classBalancedWeights([5000, 50], 0.9999);
  assert(big.every(Number.isFinite) && big[1] > 30 * big[0], `${big}`);
});

Deno.test("losses counts: the log prior floors an empty class at one image", () => {
  const p = logClassPrior([3, 0, 6]);
  assertAlmostEquals(p[0], Math.log(3 / 10), 1e-12);
  assertAlmostEquals(p[1], Math.log(1 / 10), 1e-12);
  assertAlmostEquals(p[2], Math.log(6 / 10), 1e-12);
});
