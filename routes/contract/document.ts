// The OpenAPI 3.1 document, generated from the routes' contracts. What every
// route shares follows the app's middleware (app.ts) and is added here once:
// the Host check's 421, the token's 401 and 429 (and the sign-in redirect for pages),
// the body limits, 507 for a change storage could not save, 500. The same
// finished contracts drive the contract check (check.ts).
import type { OpenAPIHono, RouteConfig } from "@hono/zod-openapi";
import { isOpen, isPage } from "../auth.ts";
import { err } from "./route.ts";

export interface ContractOptions {
  /** LOSSBENCH_TOKEN is set: routes need it (401), pages redirect to /login. */
  token: boolean;
  /** The Host check is on (421). */
  hosts: boolean;
  /** Storage failures are reported (507 on changes). */
  storage: boolean;
  /** Largest request body (413). */
  maxBodyBytes: number;
}

const MUTATING = new Set(["post", "put", "patch", "delete"]);

/** A route's path with its parameters in Hono's form, as isOpen and the router see it. */
const samplePath = (path: string) => path.replace(/\{[^}]+\}/g, "x");

/** The responses a route has because of the app's middleware. */
export function sharedResponses(method: string, path: string, opts: ContractOptions) {
  const out: RouteConfig["responses"] = {};
  const hasBody = MUTATING.has(method);
  if (opts.token && !isOpen(method.toUpperCase(), samplePath(path))) {
    out[401] = err("No valid token or sign-in cookie (only with LOSSBENCH_TOKEN set)");
    if (isPage(method.toUpperCase(), path)) {
      out[302] = {
        description: "Not signed in (only with LOSSBENCH_TOKEN set): to the sign-in page",
        headers: { location: { schema: { type: "string", const: "/login" } } },
      };
    }
  }
  if (opts.token) {
    out[429] = err(
      "Too many wrong tokens from this address, or from all addresses together for one that " +
        "has not signed in lately (only with LOSSBENCH_TOKEN set): every token it sends is " +
        "refused until Retry-After",
    );
  }
  if (opts.hosts) out[421] = err("The Host header is not on the allow-list");
  if (hasBody) {
    out[403] = err(
      "A cross-site state change (Sec-Fetch-Site or Origin not this site), or one made with the " +
        "sign-in cookie that names neither (routes/origin.ts)",
    );
    out[413] = err(`The body is larger than ${opts.maxBodyBytes} bytes`);
  }
  if (hasBody && opts.storage) out[507] = err("Storage failure: nothing was changed");
  out[500] = err("Unexpected error (the server log has the details)");
  return out;
}

/** Adds the shared responses (and, with a token, the security requirements) to every route. */
export function finishContracts(app: OpenAPIHono, opts: ContractOptions): void {
  for (const def of app.openAPIRegistry.definitions) {
    if (def.type !== "route") continue;
    const r = def.route;
    const shared = sharedResponses(r.method, r.path, opts);
    r.responses = sortStatuses({ ...shared, ...r.responses });
    if (opts.token) {
      const open = isOpen(r.method.toUpperCase(), samplePath(r.path));
      // An open route takes credentials when sent (GET /api/health then says more).
      r.security = open ? [{}, ...AUTH] : AUTH;
    }
  }
}

const AUTH: Record<string, string[]>[] = [{ bearer: [] }, { cookie: [] }];

function sortStatuses<T>(responses: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
}

/** The document for an app whose contracts are finished. */
export function openApiDocument(app: OpenAPIHono, opts: ContractOptions) {
  const doc = app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: "lossbench",
      version: "1",
      description: "Train a small ConvNet on CIFAR-10 with different loss functions and " +
        "compare them. This reference is generated from the schemas that validate requests " +
        "and check responses; docs/api.md has the narrative (semantics, replay, limits, " +
        'examples). Errors are `{"error": string}` with a 4xx/5xx status.',
    },
    tags: [
      { name: "runs", description: "One training run" },
      { name: "experiments", description: "Grids of runs and their statistics" },
      { name: "events", description: "Server-sent events" },
      { name: "catalog", description: "What a request may name" },
      { name: "service", description: "Health, sign-in and this reference" },
      { name: "dashboard", description: "The dashboard's files" },
    ],
  });
  if (opts.token) {
    doc.components = {
      ...doc.components,
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description: "Authorization: Bearer <LOSSBENCH_TOKEN>",
        },
        cookie: {
          type: "apiKey",
          in: "cookie",
          name: "lossbench_session_<port>",
          description: "Set by POST /api/login; what the dashboard and EventSource use",
        },
      },
    };
  }
  return doc;
}
