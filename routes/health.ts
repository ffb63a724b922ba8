// /api/health: is it up, on what, and how busy. Always 200 (the dashboard
// shows the body); `status` says "ok", "degraded" (no worker ready, or
// storage failing, with `reason`) or "stopping". With a token set, a client
// that has not authenticated gets only `status`: it is open so that load
// balancers and uptime checks need no secret, and says nothing more.
import type { OpenAPIHono } from "@hono/zod-openapi";
import { authenticated } from "./auth.ts";
import { json, route, router } from "./contract/route.ts";
import { healthSchema } from "./contract/schemas.ts";
import type { Deps } from "./deps.ts";

const started = Date.now();

export function healthRoutes(deps: Deps): OpenAPIHono {
  const r = router();
  const spec = route({
    method: "get",
    path: "/",
    tags: ["service"],
    summary: "Is it up, on what, and how busy",
    description: "Always 200. With LOSSBENCH_TOKEN set and no credentials: only `status`.",
    responses: { 200: json(healthSchema, "`status`: ok, degraded (with `reason`) or stopping") },
  });
  r.openapi(spec, async (c) => {
    const h = deps.health();
    const storage = deps.storage?.state ?? { ok: true };
    if (!storage.ok && h.status === "ok") {
      h.status = "degraded";
      h.reason = `storage: ${storage.reason} (since ${storage.since})`;
    }
    if (deps.token && !authenticated(c.req.raw)) return c.json({ status: h.status }, 200);
    const names = deps.datasets.names();
    const ready = await Promise.all(names.map((n) => deps.datasets.ready(n)));
    return c.json({
      ...h,
      storage: storage.ok
        ? { status: "ok" }
        : { status: "failing", reason: storage.reason, since: storage.since },
      queue: { length: deps.store.queueLength, max: deps.store.maxQueue },
      subscribers: deps.bus.size,
      datasets: names,
      datasetInfo: names.map((name, i) => ({ name, ready: ready[i] })),
      uptimeSeconds: Math.round((Date.now() - started) / 1000),
      session: deps.token ? authenticated(c.req.raw) ?? "none" : "none",
    }, 200);
  });
  return r;
}
