// The HTTP app: small routers composed with app.route(), and middleware for
// the cross-cutting parts (body size, bearer token, JSON errors).
import { Hono } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { bodyLimit } from "hono/body-limit";
import { catalogRoutes } from "./catalog.ts";
import type { Deps } from "./deps.ts";
import { notFound, onError } from "./errors.ts";
import { eventRoutes } from "./events.ts";
import { experimentRoutes } from "./experiments.ts";
import { healthRoutes } from "./health.ts";
import { runRoutes } from "./runs.ts";
import { staticRoutes } from "./static.ts";
import { workerRoutes } from "./workers.ts";

const MUTATING = ["POST", "PUT", "PATCH", "DELETE"];

export function createApp(deps: Deps): Hono {
  const app = new Hono();
  app.onError(onError);
  app.notFound(notFound);

  const maxSize = deps.maxBodyBytes ?? 64 * 1024;
  app.use(
    "/api/*",
    bodyLimit({
      maxSize,
      onError: (c) => c.json({ error: `request body is larger than ${maxSize} bytes` }, 413),
    }),
  );
  if (deps.token) {
    app.on(
      MUTATING,
      "/api/*",
      bearerAuth({
        token: deps.token,
        noAuthenticationHeader: {
          message: { error: "missing bearer token (Authorization: Bearer …)" },
        },
        invalidAuthenticationHeader: { message: { error: "malformed Authorization header" } },
        invalidToken: { message: { error: "invalid bearer token" } },
      }),
    );
  }

  app.route("/api/runs", runRoutes(deps));
  app.route("/api/experiments", experimentRoutes(deps));
  app.route("/api/health", healthRoutes(deps));
  app.route("/api/workers", workerRoutes(deps));
  app.route("/api", catalogRoutes(deps));
  app.route("/api", eventRoutes(deps));
  app.route("/", staticRoutes);
  return app;
}
