// The study's per-epoch metrics in ml/metrics/ (balanced and worst-class
// accuracy, per-class precision/recall/F1, ECE and the reliability diagram)
// against sklearn and Guo et al.'s ECE in numpy
// (tests/fixtures/reference_study_metrics.json, written by tools/make_metrics_fixtures.py).
import {
  balancedAccuracy,
  confusionMatrix,
  emptyConfusion,
  perClassPrecisionRecallF1,
  worstClassAccuracy,
} from "../ml/metrics/confusion.ts";
import {
  accumulateReliability,
  emptyReliabilityAcc,
  finishReliability,
} from "../ml/metrics/reliability.ts";
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "./util/assert.ts";

interface Case {
  name: string;
  classes: number;
  labels: number[];
  preds: number[];
  confidence: number[];
  correct: number[];
  confusion: number[][];
  balanced_accuracy: number;
  worst_class_accuracy: number;
  precision: number[];
  recall: number[];
  f1: number[];
  ece: number;
  bin_edges: number[];
  bin_count: number[];
  bin_confidence: number[];
  bin_accuracy: number[];
}

const ref = JSON.parse(
  await Deno.readTextFile(new URL("./fixtures/reference_study_metrics.json", import.meta.url)),
) as { bins: number; cases: Case[] };

const TOL = 1e-9;

function closeAll(actual: number[], expected: number[], what: string) {
  assertEquals(actual.length, expected.length, `${what} length`);
  for (let i = 0; i < expected.length; i++) {
    assertAlmostEquals(actual[i], expected[i], TOL, `${what}[${i}]`);
  }
}

for (const c of ref.cases) {
  Deno.test(`metrics (${c.name}): balanced and worst-class accuracy equal sklearn's`, () => {
    const m = confusionMatrix(c.preds, c.labels, c.classes);
    assertEquals(m, c.confusion);
    assertAlmostEquals(balancedAccuracy(m), c.balanced_accuracy, TOL);
    assertAlmostEquals(worstClassAccuracy(m), c.worst_class_accuracy, TOL);
  });

  Deno.test(`metrics (${c.name}): per-class precision, recall, F1 equal sklearn's`, () => {
    const r = perClassPrecisionRecallF1(confusionMatrix(c.preds, c.labels, c.classes));
    closeAll(r.precision, c.precision, "precision");
    closeAll(r.recall, c.recall, "recall");
    closeAll(r.f1, c.f1, "f1");
  });

  Deno.test(`metrics (${c.name}): ECE and reliability bins equal Guo et al.'s`, () => {
    const acc = emptyReliabilityAcc();
    assertEquals(acc.edges, c.bin_edges, "bin edges are numpy's linspace");
    // In uneven batches, typed arrays and booleans, as the trainer may hand them over.
    const conf = Float64Array.from(c.confidence);
    const ok = c.correct.map((x) => x === 1);
    for (let i = 0; i < conf.length; i += 7) {
      accumulateReliability(acc, conf.subarray(i, i + 7), ok.slice(i, i + 7));
    }
    const { ece, reliability } = finishReliability(acc);
    assertAlmostEquals(ece, c.ece, TOL);
    assertEquals(reliability.count, c.bin_count);
    closeAll(reliability.confidence, c.bin_confidence, "confidence");
    closeAll(reliability.accuracy, c.bin_accuracy, "accuracy");
  });
}

Deno.test("metrics: the fixture pins what it should", () => {
  const edges = ref.cases.find((c) => c.name === "edges")!;
  // A class only predicted (5) must be left out of balanced accuracy, not count as 0.
  assert(edges.preds.includes(5) && !edges.labels.includes(5));
  const m = confusionMatrix(edges.preds, edges.labels, edges.classes);
  const allClasses = perClassPrecisionRecallF1(m).recall.reduce((a, b) => a + b) / edges.classes;
  assert(Math.abs(allClasses - edges.balanced_accuracy) > 1e-3);
  // Confidences exactly on an edge belong to the lower bin ((lo, hi]).
  assert(edges.confidence.filter((p) => edges.bin_edges.includes(p)).length >= 5);
  assert(ref.cases.some((c) => c.bin_count.some((n) => n === 0)), "an empty bin");
});

Deno.test("metrics: hand cases for the study's metrics", () => {
  // Class 0: 1 of 2 right, class 1: 2 of 2 → balanced 0.75, worst 0.5 (accuracy 0.75 too).
  const m = confusionMatrix([0, 1, 1, 1], [0, 0, 1, 1], 2);
  assertEquals(balancedAccuracy(m), 0.75);
  assertEquals(worstClassAccuracy(m), 0.5);
  assertEquals(perClassPrecisionRecallF1(m), {
    precision: [1, 2 / 3],
    recall: [0.5, 1],
    f1: [2 / 3, 0.8],
  });
  // Imbalanced: 9 of 9 of class 0, 0 of 1 of class 1 → accuracy 0.9, balanced 0.5, worst 0.
  const lazy = confusionMatrix(new Array(10).fill(0), [0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 2);
  assertEquals(balancedAccuracy(lazy), 0.5);
  assertEquals(worstClassAccuracy(lazy), 0);
  // Empty: 0, not NaN.
  assertEquals(balancedAccuracy(emptyConfusion(3)), 0);
  assertEquals(worstClassAccuracy(emptyConfusion(3)), 0);
  assertEquals(perClassPrecisionRecallF1(emptyConfusion(2)), {
    precision: [0, 0],
    recall: [0, 0],
    f1: [0, 0],
  });
});

Deno.test("metrics: ECE hand cases and bad input", () => {
  // Two samples at 0.95 in bin 15, one right: |0.5 − 0.95| = 0.45.
  let r = finishReliability(accumulateReliability(emptyReliabilityAcc(), [0.95, 0.95], [1, 0]));
  assertAlmostEquals(r.ece, 0.45, 1e-15);
  assertEquals(r.reliability.count, [...new Array(14).fill(0), 2]);
  // Perfectly calibrated: 0.25 confident, 1 of 4 right → 0.
  r = finishReliability(accumulateReliability(emptyReliabilityAcc(4), [0.25, 0.25, 0.25, 0.25], [
    1,
    0,
    0,
    0,
  ]));
  assertEquals(r.ece, 0);
  assertEquals(r.reliability.count, [4, 0, 0, 0]);
  // A zero confidence goes to the first bin; no samples is ECE 0.
  r = finishReliability(accumulateReliability(emptyReliabilityAcc(), [0], [false]));
  assertEquals(r.reliability.count[0], 1);
  assertEquals(finishReliability(emptyReliabilityAcc()).ece, 0);
  assertThrows(() => accumulateReliability(emptyReliabilityAcc(), [1.5], [1]), "outside");
  assertThrows(() => accumulateReliability(emptyReliabilityAcc(), [NaN], [1]), "outside");
  assertThrows(() => accumulateReliability(emptyReliabilityAcc(), [0.5], [1, 0]), "confidences");
  assertThrows(() => emptyReliabilityAcc(0), "bins");
});
