// ml/metrics/confusion.ts against sklearn's numbers (tests/fixtures/reference_metrics.json,
// written by tools/make_fixtures.py) and a few hand-worked cases.
import {
  accumulateConfusion,
  accuracy,
  confusionMatrix,
  emptyConfusion,
  macroF1,
  perClassF1,
} from "../ml/metrics/confusion.ts";
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "./util/assert.ts";

const ref = JSON.parse(
  await Deno.readTextFile(new URL("./fixtures/reference_metrics.json", import.meta.url)),
) as {
  classes: number;
  labels: number[];
  preds: number[];
  confusion: number[][];
  accuracy: number;
  f1_macro: number;
  f1_macro_all_labels: number;
  f1_per_class: number[];
};

Deno.test("metrics: confusion matrix equals sklearn's (rows true, cols predicted)", () => {
  assertEquals(confusionMatrix(ref.preds, ref.labels, ref.classes), ref.confusion);
});

Deno.test("metrics: accuracy and per-class F1 equal sklearn's, zero where undefined", () => {
  const m = confusionMatrix(ref.preds, ref.labels, ref.classes);
  assertAlmostEquals(accuracy(m), ref.accuracy, 1e-12);
  const f1 = perClassF1(m);
  for (let c = 0; c < ref.classes; c++) {
    assertAlmostEquals(f1[c], ref.f1_per_class[c], 1e-12, `class ${c}`);
  }
});

Deno.test("metrics: macro F1 equals sklearn's f1_score(average='macro')", () => {
  const m = confusionMatrix(ref.preds, ref.labels, ref.classes);
  assertAlmostEquals(macroF1(m), ref.f1_macro, 1e-12);
  // The fixture has a class in neither labels nor predictions, so the two ways of
  // averaging differ there: this pins which one we follow.
  assert(Math.abs(ref.f1_macro - ref.f1_macro_all_labels) > 1e-3, "fixture does not pin it");
});

Deno.test("metrics: batch-wise accumulation equals the whole-set matrix", () => {
  const m = emptyConfusion(ref.classes);
  for (let i = 0; i < ref.preds.length; i += 4) {
    accumulateConfusion(m, ref.preds.slice(i, i + 4), ref.labels.slice(i, i + 4));
  }
  assertEquals(m, ref.confusion);
  // Typed arrays, as the trainer hands them over.
  const t = confusionMatrix(Int32Array.from(ref.preds), Uint8Array.from(ref.labels), ref.classes);
  assertEquals(t, ref.confusion);
});

Deno.test("metrics: hand cases", () => {
  // Perfect predictions: everything 1.
  const perfect = confusionMatrix([0, 1, 2, 2], [0, 1, 2, 2], 3);
  assertEquals(accuracy(perfect), 1);
  assertEquals(macroF1(perfect), 1);
  // Class 0: tp 1, fn 1, fp 0 → 2/3; class 1: tp 1, fp 1, fn 0 → 2/3.
  const m = confusionMatrix([0, 1, 1], [0, 0, 1], 2);
  assertEquals(m, [[1, 1], [0, 1]]);
  assertAlmostEquals(accuracy(m), 2 / 3, 1e-15);
  assertAlmostEquals(macroF1(m), 2 / 3, 1e-15);
  // All predicted as one class: the never-predicted class scores 0, not NaN.
  const lazy = confusionMatrix([1, 1, 1, 1], [0, 1, 0, 1], 2);
  assertEquals(perClassF1(lazy), [0, 2 / 3]);
  assertAlmostEquals(macroF1(lazy), 1 / 3, 1e-15);
  // Empty: defined as 0 rather than NaN (the dashboard plots it).
  assertEquals(accuracy(emptyConfusion(10)), 0);
  assertEquals(macroF1(emptyConfusion(10)), 0);
});

Deno.test("metrics: bad input is an error, not a skewed metric", () => {
  assertThrows(() => confusionMatrix([0, 3], [0, 1], 3), "out of range");
  assertThrows(() => confusionMatrix([0, -1], [0, 1], 3), "out of range");
  assertThrows(() => confusionMatrix([0, 1], [0], 3), "predictions for");
});
