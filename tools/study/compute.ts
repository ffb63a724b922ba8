// The study page's shared number formats and its compute accounting: mean ± sd cells, durations,
// and the wall time, run time and images of a set of runs (read from the service).
import type { Api } from "./service.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

/** A screenshot of the figure page: where it goes, its query and its viewport. */
export type Shot = { path: string; query: string; width: number; height: number };

export const NAMES: Record<string, string> = {
  testAcc: "test accuracy (%)",
  f1: "macro F1 (%)",
  testLoss: "test loss",
  ece: "ECE (%)",
  balancedAcc: "balanced accuracy (%)",
  worstClassAcc: "worst-class accuracy (%)",
  trainAccNoisy: "train acc. on flipped labels (%)",
  trainAccClean: "train acc. on clean labels (%)",
};
export const isPercent = (m: string) => m !== "testLoss" && m !== "valLoss";

/** "56.12 ± 0.41 (5)" from a summary (without "(5)" when `n` is false); losses with 4 decimals. */
export function cellText(s: Json, metric: string, n = true): string {
  if (!s || s.mean === null) return "–";
  const k = isPercent(metric) ? 100 : 1;
  const d = isPercent(metric) ? 2 : 4;
  const sd = s.sd === null ? "" : ` ± ${(k * s.sd).toFixed(d)}`;
  return `${(k * s.mean).toFixed(d)}${sd}${n ? ` (${s.n})` : ""}`;
}

export function hours(ms: number): string {
  if (ms < 30_000) return `${Math.round(ms / 1000)} s`;
  const m = Math.round(ms / 60_000);
  return m >= 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : `${m} min`;
}

/**
 * Wall time while any of these runs trained: the union of their spans, so that seeds added in a
 * later session do not count the days in between.
 */
export function busyMs(spans: { start: number; end: number }[]): number {
  let total = 0, reach = -Infinity;
  for (const x of [...spans].sort((a, b) => a.start - b.start)) {
    if (x.end <= reach) continue;
    total += x.end - Math.max(x.start, reach);
    reach = x.end;
  }
  return total;
}

export type Throughput = Awaited<ReturnType<typeof throughput>>;

/**
 * Wall time, images trained and throughput of these runs (those that ended and trained: done,
 * or pruned at a rung). A run's own time is the sum of its epochs' seconds (a run resumed after
 * a restart, or promoted from a rung, gets a new startedAt), so it starts that long before it
 * finished.
 */
export async function throughput(api: Api, all: Json[]) {
  const runs = all.filter((r: Json) =>
    (r.status === "done" || r.status === "pruned") && r.finishedAt
  );
  const spans = await Promise.all(runs.map(async (r: Json) => {
    const { epochs } = await api.get(`/api/runs/${r.id}`);
    const seconds = epochs.reduce((a: number, e: Json) => a + e.epochSeconds, 0);
    const end = Date.parse(r.finishedAt);
    const n = (r.prepared?.trainCounts ?? []).reduce((a: number, b: number) => a + b, 0);
    return { start: end - 1000 * seconds, end, seconds, images: n * epochs.length };
  }));
  const wallMs = busyMs(spans);
  const images = spans.reduce((a, x) => a + x.images, 0);
  const perRun = runs.map((r: Json) => r.last?.trainImgPerSec ?? 0).sort((a: number, b: number) =>
    a - b
  );
  return {
    runs: runs.length,
    spans,
    wallMs,
    computeSeconds: spans.reduce((a, x) => a + x.seconds, 0),
    images,
    rate: images / (wallMs / 1000),
    medianRunRate: perRun[Math.floor(perRun.length / 2)] ?? 0,
  };
}

/** One row of the page's compute table. */
export function computeRow(title: string, t: Throughput): string {
  return `| ${title} | ${t.runs} | ${hours(t.wallMs)} | ${hours(1000 * t.computeSeconds)} | ` +
    `${(t.images / 1e6).toFixed(1)} M | ${Math.round(t.rate)} | ${Math.round(t.medianRunRate)} |`;
}
