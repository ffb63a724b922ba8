// The metrics computed from predictions (ml/metrics/nll.ts, brier.ts) against
// PyTorch in float64 (tests/fixtures/reference_prediction_metrics.json, written by
// tools/make_metrics_fixtures.py), fed in batches as the trainer feeds them.
import { findMetric } from "../ml/metrics/registry.ts";
import { assert, assertAlmostEquals, assertEquals } from "./util/assert.ts";

interface Case {
  name: string;
  classes: number;
  logits: number[];
  labels: number[];
  nll: number;
  brier: number;
  min_p_label_float32: number;
}

const ref = JSON.parse(
  await Deno.readTextFile(
    new URL("./fixtures/reference_prediction_metrics.json", import.meta.url),
  ),
) as { cases: Case[] };

/** The metric's value over the case, fed `batch` samples at a time. */
function run(name: string, c: Case, batch: number): number {
  const acc = findMetric(name)!.predictions!(c.classes);
  const logits = Float32Array.from(c.logits), labels = Int32Array.from(c.labels);
  for (let s = 0; s < labels.length; s += batch) {
    const e = Math.min(labels.length, s + batch);
    acc.add({
      logits: logits.subarray(s * c.classes, e * c.classes),
      labels: labels.subarray(s, e),
      classes: c.classes,
    });
  }
  return acc.finish();
}

for (const c of ref.cases) {
  Deno.test(`prediction metrics (${c.name}): NLL and Brier score equal PyTorch's`, () => {
    for (const batch of [1, 50, 500]) {
      const nll = run("nll", c, batch), brier = run("brier", c, batch);
      assertAlmostEquals(nll, c.nll, 1e-12 * c.nll, `nll, batches of ${batch}`);
      assertAlmostEquals(brier, c.brier, 1e-12 * c.brier, `brier, batches of ${batch}`);
    }
  });
}

Deno.test("prediction metrics: the fixture pins what it should", () => {
  const extreme = ref.cases.find((c) => c.name === "extreme")!;
  // float32 softmax gives p_y = 0 there: −log would be Infinity; float64 log-softmax is finite.
  assertEquals(extreme.min_p_label_float32, 0);
  assert(Number.isFinite(run("nll", extreme, 6)) && run("nll", extreme, 6) > 20);
  const uniform = ref.cases.find((c) => c.name === "uniform")!;
  assertAlmostEquals(run("nll", uniform, 4), Math.log(5), 1e-15);
  // Summed over classes: (1 − 1/K)² + (K − 1)/K² = 1 − 1/K (half of it would be sklearn's
  // binary convention, which this is not).
  assertAlmostEquals(run("brier", uniform, 4), 1 - 1 / 5, 1e-15);
});

Deno.test("prediction metrics: hand cases and an empty split", () => {
  const one = (name: string, logits: number[], label: number) => {
    const acc = findMetric(name)!.predictions!(logits.length);
    acc.add({
      logits: Float32Array.from(logits),
      labels: Int32Array.of(label),
      classes: logits.length,
    });
    return acc.finish();
  };
  // Certain and right: 0 and 0; certain and wrong: Brier 2 (1² + 1²).
  assertAlmostEquals(one("nll", [200, 0], 0), 0, 1e-300);
  assertAlmostEquals(one("brier", [200, 0], 0), 0, 1e-170);
  assertEquals(one("brier", [200, 0], 1), 2);
  assertEquals(one("nll", [200, 0], 1), 200);
  assert(Number.isNaN(findMetric("nll")!.predictions!(3).finish()), "no samples: NaN, not 0");
});
