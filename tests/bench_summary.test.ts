// The bench's round summaries (median, quartiles, extremes) against numpy's
// (tests/fixtures/bench_summary.json, written by bench/make_summary_fixture.py).
import { quantile, summarize } from "../bench/summary.ts";
import { assert, assertAlmostEquals, assertEquals } from "./util/assert.ts";

const ref = JSON.parse(
  await Deno.readTextFile(new URL("./fixtures/bench_summary.json", import.meta.url)),
) as {
  cases: { values: number[]; median: number; q1: number; q3: number; min: number; max: number }[];
};

Deno.test("summarize matches numpy's median, linear quartiles and extremes", () => {
  assert(ref.cases.length >= 5);
  for (const c of ref.cases) {
    const s = summarize(c.values);
    assertEquals(s.n, c.values.length);
    for (const k of ["median", "q1", "q3", "min", "max"] as const) {
      assertAlmostEquals(s[k], c[k], 1e-12, `${k} of ${c.values}`);
    }
  }
});

Deno.test("summarize leaves its input in order; quantile of nothing is NaN", () => {
  const xs = [3, 1, 2];
  summarize(xs);
  assertEquals(xs, [3, 1, 2]);
  assert(Number.isNaN(quantile([], 0.5)));
});
