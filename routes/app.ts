// The HTTP app: small routers composed with app.route(), and middleware for
// the cross-cutting parts, in this order: an over-long declared body is
// refused before anything else (limits.ts), then the contract check when on
// (contract/check.ts), the Host check (hosts.ts), the token (auth.ts), the
// cross-site check of state changes (origin.ts), the body size, and JSON errors. Every route declares its contract (see
// contract/route.ts); GET /api/openapi.json serves them as one document.
import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { catalogRoutes } from "./catalog.ts";
import { authRoutes, cookieName, requireToken, TokenAuth } from "./auth.ts";
import { contractCheck } from "./contract/check.ts";
import { type ContractOptions, finishContracts, openApiDocument } from "./contract/document.ts";
import { docsRoutes } from "./docs.ts";
import type { Deps } from "./deps.ts";
import { errorHandler, notFound } from "./errors.ts";
import { eventRoutes } from "./events.ts";
import { analysisRoutes } from "./analyses.ts";
import { experimentRoutes } from "./experiments.ts";
import { tuningRoutes } from "./tuning.ts";
import { healthRoutes } from "./health.ts";
import { hostCheck } from "./hosts.ts";
import { declaredSizeLimit } from "./limits.ts";
import { sameOrigin } from "./origin.ts";
import { runRoutes } from "./runs.ts";
import { staticRoutes } from "./static.ts";
import { workerRoutes } from "./workers.ts";

const MUTATING = ["POST", "PUT", "PATCH", "DELETE"];

/** LOSSBENCH_CONTRACT_CHECK=1 (without env access: off). */
function contractCheckEnv(): boolean {
  try {
    return Deno.env.get("LOSSBENCH_CONTRACT_CHECK") === "1";
  } catch {
    return false;
  }
}

export function createApp(deps: Deps): OpenAPIHono {
  const app = new OpenAPIHono();
  app.onError(errorHandler(deps.storage));
  app.notFound(notFound);

  const maxSize = deps.maxBodyBytes ?? 64 * 1024;
  const contract: ContractOptions = {
    token: Boolean(deps.token),
    hosts: Boolean(deps.hosts),
    storage: Boolean(deps.storage),
    maxBodyBytes: maxSize,
  };
  app.use(declaredSizeLimit(maxSize));
  if (deps.contractCheck ?? contractCheckEnv()) app.use(contractCheck(app, contract));
  if (deps.hosts) app.use(hostCheck(deps.hosts));
  const auth = deps.token ? new TokenAuth(deps.token, { kv: deps.store?.kv }) : undefined;
  if (auth) app.use(requireToken(auth));
  app.use(sameOrigin());
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
  app.route("/api/experiments", tuningRoutes(deps));
  app.route("/api/analyses", analysisRoutes(deps));
  app.route("/api/health", healthRoutes(deps));
  app.route("/api/workers", workerRoutes(deps));
  app.route("/api", catalogRoutes(deps));
  app.route("/api", eventRoutes(deps));
  app.route("/", staticRoutes);
  app.route("/", docsRoutes(document));
  finishContracts(app, contract);

  // Generated once; the sign-in cookie's name depends on the port the request came to.
  let doc: ReturnType<typeof openApiDocument> | undefined;
  function document(c: Context) {
    doc ??= openApiDocument(app, contract);
    const cookie = doc.components?.securitySchemes?.cookie;
    if (!cookie) return doc;
    const schemes = {
      ...doc.components!.securitySchemes,
      cookie: { ...cookie, name: cookieName(c.req.header("host")) },
    };
    return { ...doc, components: { ...doc.components, securitySchemes: schemes } };
  }
  return app;
}
