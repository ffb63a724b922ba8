// GET /api/workers: the training processes sharing this KV, from their
// heartbeats (any process answers, whichever processes train): host, pid,
// backend and adapter, data sets, cores, current runs, last heartbeat.
import { Hono } from "hono";
import type { Deps } from "./deps.ts";

export function workerRoutes(deps: Deps): Hono {
  const r = new Hono();
  r.get("/", async (c) => {
    const now = Date.now();
    const workers = (await deps.store.listWorkers(now)).map(({ until: _, ...w }) => ({
      ...w,
      heartbeatSecondsAgo: Math.max(0, Math.round((now - Date.parse(w.heartbeatAt)) / 100) / 10),
    }));
    return c.json({ workers });
  });
  return r;
}
