// GET /api/workers: the training processes sharing this KV, from their
// heartbeats (any process answers, whichever processes train): host, pid,
// backend and adapter, data sets, cores, current runs, last heartbeat.
import type { OpenAPIHono } from "@hono/zod-openapi";
import { json, route, router } from "./contract/route.ts";
import { workersSchema } from "./contract/schemas.ts";
import type { Deps } from "./deps.ts";

export function workerRoutes(deps: Deps): OpenAPIHono {
  const r = router();
  r.openapi(
    route({
      method: "get",
      path: "/",
      tags: ["workers"],
      summary: "The training processes sharing this KV, from their heartbeats",
      responses: { 200: json(workersSchema, "Live workers") },
    }),
    async (c) => {
      const now = Date.now();
      const workers = (await deps.store.listWorkers(now)).map(({ until: _, ...w }) => ({
        ...w,
        heartbeatSecondsAgo: Math.max(0, Math.round((now - Date.parse(w.heartbeatAt)) / 100) / 10),
      }));
      return c.json({ workers }, 200);
    },
  );
  return r;
}
