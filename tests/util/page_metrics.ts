// The metric registry as the service under test serves it (GET /api/metrics):
// what the page must show for each metric, so the browser tests check the
// page against the service's own titles, units and order.

export interface MetricInfo {
  name: string;
  title: string;
  unit: "fraction" | "value";
  direction: "higher" | "lower";
  stats: boolean;
  csv: string;
}

/** GET /api/metrics of the service at `base` (a 200, or this throws). */
export async function serviceMetrics(base: string, token?: string): Promise<MetricInfo[]> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const res = await fetch(new URL("api/metrics", base), { headers });
  if (!res.ok) throw new Error(`GET /api/metrics: ${res.status} ${await res.text()}`);
  return (await res.json()).metrics;
}

/** "Test accuracy": a metric's title as a heading, as the page writes it. */
export const heading = (m: MetricInfo) => m.title.charAt(0).toUpperCase() + m.title.slice(1);
