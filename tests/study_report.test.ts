// The study page's compute table: wall time is the time any run trained (the union of the runs'
// spans), so seeds added to an experiment days later do not count the days in between.
import { busyMs } from "../tools/study/report.ts";
import { claimStatus } from "../tools/study/findings.ts";
import { assertEquals } from "./util/assert.ts";

Deno.test("study wall time: overlapping runs count once, gaps between sessions not at all", () => {
  const h = 3_600_000;
  assertEquals(busyMs([]), 0);
  // Two at a time for an hour, then (a day later) two more overlapping by half.
  const spans = [
    { start: 0, end: h },
    { start: 0.1 * h, end: 0.9 * h },
    { start: 25 * h, end: 25.5 * h },
    { start: 25.25 * h, end: 26 * h },
  ];
  assertEquals(busyMs(spans), 2 * h);
  // Order does not matter; a span inside another adds nothing.
  assertEquals(busyMs([...spans].reverse()), 2 * h);
  assertEquals(busyMs([{ start: 5, end: 10 }, { start: 10, end: 12 }]), 7);
});

Deno.test("study claims: held, refuted or untested at this n, never just 'does not hold'", () => {
  const x = (name: string, diff: number, holm: number) => ({ name, diff, holm });
  assertEquals(
    claimStatus([x("mae", -0.34, 0.067), x("gce", -0.01, 0.47), x("nce_rce", -0.43, 0.0014)]),
    "is refuted for nce_rce and is untested at this n for mae, gce",
  );
  assertEquals(claimStatus([x("cb", 0.07, 0.027), x("bs", 0.11, 0.012)]), "holds");
  assertEquals(
    claimStatus([x("gce", 0.026, 0.0039), x("sce", 0.01, 0.3)]),
    "holds for gce and is untested at this n for sce",
  );
});
