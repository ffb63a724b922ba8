// /api/health: is it up, on what, and how busy. Always 200 (the dashboard
// shows the body); `status` says "ok", "degraded" (no worker ready) or "stopping".
import { Hono } from "hono";
import type { Deps } from "./deps.ts";

const started = Date.now();

export function healthRoutes(deps: Deps): Hono {
  const r = new Hono();
  r.get("/", async (c) => {
    const h = deps.health();
    const names = deps.datasets.names();
    const ready = await Promise.all(names.map((n) => deps.datasets.ready(n)));
    return c.json({
      ...h,
      queue: { length: deps.store.queueLength, max: deps.store.maxQueue },
      subscribers: deps.bus.size,
      datasets: names,
      datasetInfo: names.map((name, i) => ({ name, ready: ready[i] })),
      uptimeSeconds: Math.round((Date.now() - started) / 1000),
    });
  });
  return r;
}
