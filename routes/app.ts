// The HTTP app: small routers composed with app.route(), and middleware for
// the cross-cutting parts, in this order: an over-long declared body is
// refused before anything else (limits.ts), then the Host check (hosts.ts),
// the token (auth.ts), the body size, and JSON errors.
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { catalogRoutes } from "./catalog.ts";
import { authRoutes, requireToken, TokenAuth } from "./auth.ts";
import type { Deps } from "./deps.ts";
import { errorHandler, notFound } from "./errors.ts";
import { eventRoutes } from "./events.ts";
import { experimentRoutes } from "./experiments.ts";
import { healthRoutes } from "./health.ts";
import { hostCheck } from "./hosts.ts";
import { declaredSizeLimit } from "./limits.ts";
import { runRoutes } from "./runs.ts";
import { staticRoutes } from "./static.ts";
import { workerRoutes } from "./workers.ts";

const MUTATING = ["POST", "PUT", "PATCH", "DELETE"];

export function createApp(deps: Deps): Hono {
  const app = new Hono();
  app.onError(errorHandler(deps.storage));
  app.notFound(notFound);

  const maxSize = deps.maxBodyBytes ?? 64 * 1024;
  app.use(declaredSizeLimit(maxSize));
  if (deps.hosts) app.use(hostCheck(deps.hosts));
  const auth = deps.token ? new TokenAuth(deps.token) : undefined;
  if (auth) app.use(requireToken(auth));
  app.use(
    "/api/*",
    bodyLimit({
      maxSize,
      onError: (c) => c.json({ error: `request body is larger than ${maxSize} bytes` }, 413),
    }),
  );
  if (deps.storage) {
    // A change that went through means KV takes writes again.
    const storage = deps.storage;
    app.use("/api/*", async (c, next) => {
      await next();
      const account = c.req.path === "/api/login" || c.req.path === "/api/logout";
      if (MUTATING.includes(c.req.method) && c.res.status < 300 && !account) storage.succeeded();
    });
  }

  app.route("/", authRoutes(auth));
  app.route("/api/runs", runRoutes(deps));
  app.route("/api/experiments", experimentRoutes(deps));
  app.route("/api/health", healthRoutes(deps));
  app.route("/api/workers", workerRoutes(deps));
  app.route("/api", catalogRoutes(deps));
  app.route("/api", eventRoutes(deps));
  app.route("/", staticRoutes);
  return app;
}
