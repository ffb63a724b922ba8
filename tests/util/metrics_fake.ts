// The metric registry as GET /api/metrics serves it (the contract the page
// codes against: {metrics: [{name, title, unit, direction, stats, csv}]}),
// written out for the page's pure helpers, and served to a browser page while
// the service under test has no such route yet (branch `metrics` adds it; once
// merged, usePageMetrics serves nothing and returns the service's own answer).
// deno-lint-ignore no-import-prefix -- a dev-only package: kept out of what serving installs
import type { Page } from "npm:puppeteer-core@^25.16.0";

export interface MetricInfo {
  name: string;
  title: string;
  unit: "fraction" | "value";
  direction: "higher" | "lower";
  stats: boolean;
  csv: string;
}

const m = (
  name: string,
  title: string,
  unit: MetricInfo["unit"],
  direction: MetricInfo["direction"],
  csv: string,
): MetricInfo => ({ name, title, unit, direction, stats: true, csv });

/** Titles and directions as stats/metric_info.ts, columns as ml/csv.ts, order as STAT_METRICS. */
export const FAKE_METRICS: { metrics: MetricInfo[] } = {
  metrics: [
    m("testAcc", "test accuracy", "fraction", "higher", "test_acc"),
    m("f1", "macro F1", "fraction", "higher", "f1"),
    m("testLoss", "test loss", "value", "lower", "test_loss"),
    m("balancedAcc", "balanced accuracy", "fraction", "higher", "balanced_acc"),
    m("worstClassAcc", "worst-class accuracy", "fraction", "higher", "worst_class_acc"),
    m("ece", "ECE", "value", "lower", "ece"),
    m("trainLoss", "train loss", "value", "lower", "train_loss"),
    m("trainAcc", "train accuracy", "fraction", "higher", "train_acc"),
    m("valAcc", "validation accuracy", "fraction", "higher", "val_acc"),
    m("valF1", "validation macro F1", "fraction", "higher", "val_f1"),
    m("valLoss", "validation loss", "value", "lower", "val_loss"),
    m("trainAccClean", "train accuracy on clean labels", "fraction", "higher", "train_acc_clean"),
    m("trainAccNoisy", "train accuracy on flipped labels", "fraction", "lower", "train_acc_noisy"),
  ],
};

/**
 * The registry the page at `base` will read: the service's GET /api/metrics,
 * or, while the service answers 404 there, FAKE_METRICS, answered to the
 * page's own fetch of /api/metrics (set up before any of its scripts run).
 */
export async function usePageMetrics(
  page: Page,
  base: string,
  token?: string,
): Promise<{ metrics: MetricInfo[] }> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const res = await fetch(new URL("api/metrics", base), { headers });
  if (res.ok) return await res.json();
  await res.body?.cancel();
  if (res.status !== 404) throw new Error(`GET /api/metrics: ${res.status}`);
  await page.evaluateOnNewDocument((body: string) => {
    const real = globalThis.fetch;
    globalThis.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(input instanceof Request ? input.url : String(input), location.href);
      return url.pathname === "/api/metrics"
        ? Promise.resolve(new Response(body, { headers: { "content-type": "application/json" } }))
        : real(input, init);
    };
  }, JSON.stringify(FAKE_METRICS));
  return FAKE_METRICS;
}

/** "Test accuracy": a metric's title as a heading, as the page writes it. */
export const heading = (m: MetricInfo) => m.title.charAt(0).toUpperCase() + m.title.slice(1);
