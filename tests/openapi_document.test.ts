// GET /api/openapi.json: a valid OpenAPI 3.1 document (by a real validator)
// that lists every route the app has and nothing else; the SSE routes with
// their event types and Last-Event-ID; behind the token like the rest of the
// API; and the interactive reference at /api/docs, served from npm (no CDN).
// deno-lint-ignore no-import-prefix -- dev-only
import { Validator } from "npm:@seriousme/openapi-schema-validator@^2.11.0";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { createApp } from "../routes/app.ts";
import type { Deps } from "../routes/deps.ts";
import { assert, assertEquals } from "./util/assert.ts";

// Building the app and its document touches no dependency: requests below need none.
const app = (extra: Partial<Deps> = {}) => createApp({ ...extra } as Deps);

// deno-lint-ignore no-explicit-any
type Doc = any;

async function documentOf(a: OpenAPIHono, headers: Record<string, string> = {}): Promise<Doc> {
  const res = await a.request("/api/openapi.json", { headers });
  assertEquals(res.status, 200);
  return await res.json();
}

/** Routes the app answers that the document doesn't list, and the reverse. */
function compareRoutes(a: OpenAPIHono, doc: Doc) {
  const routed = new Set(
    a.routes.filter((r) => r.method !== "ALL")
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)(\{[^}]*\})?/g, "{$1}")}`),
  );
  const documented = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths as Record<string, object>)) {
    for (const method of Object.keys(item)) documented.add(`${method.toUpperCase()} ${path}`);
  }
  return {
    undocumented: [...routed].filter((r) => !documented.has(r)).sort(),
    unrouted: [...documented].filter((r) => !routed.has(r)).sort(),
  };
}

Deno.test("the document is valid OpenAPI 3.1", async () => {
  for (const extra of [{}, { token: "secret" }]) {
    const a = app(extra);
    const doc = await documentOf(a, { authorization: "Bearer secret" });
    assertEquals(doc.openapi, "3.1.0");
    const validator = new Validator();
    const result = await validator.validate(doc);
    assertEquals(validator.version, "3.1");
    assert(result.valid, JSON.stringify(result.errors, null, 2)?.slice(0, 4000));
  }
  // The validator does reject a broken document (this test can fail).
  const broken = await documentOf(app());
  broken.paths["/api/runs"].get.responses["200"] = { content: {} };
  assert(!(await new Validator().validate(broken)).valid);
});

Deno.test("the document lists every route the app answers, and only those", async () => {
  const a = app();
  const doc = await documentOf(a);
  assertEquals(compareRoutes(a, doc), { undocumented: [], unrouted: [] });
  for (
    const path of ["/api/runs", "/api/experiments/{id}", "/api/events", "/api/docs", "/{file}"]
  ) {
    assert(doc.paths[path], path);
  }
  // A route added without its contract is caught.
  const b = app();
  b.get("/api/undeclared", (c) => c.json({}));
  assertEquals(compareRoutes(b, await documentOf(b)).undocumented, ["GET /api/undeclared"]);
});

Deno.test("requests, responses and errors come from the schemas", async () => {
  const doc = await documentOf(app());
  const post = doc.paths["/api/runs"].post;
  const body = post.requestBody.content["application/json"].schema;
  // The run schema (ml/config.ts) as JSON Schema: bounds, defaults, unknown fields refused.
  assertEquals(body.properties.epochs.maximum, 500);
  assertEquals(body.properties.epochs.default, 20);
  assertEquals(body.additionalProperties, false);
  assert(!body.required?.includes("epochs"));
  assertEquals(Object.keys(post.responses).sort(), [
    "201",
    "400",
    "403",
    "409",
    "413",
    "415",
    "422",
    "429",
    "500",
  ]);
  // Retries: the Idempotency-Key header is part of both queueing routes' contracts.
  for (const path of ["/api/runs", "/api/experiments"]) {
    const key = doc.paths[path].post.parameters.find((p: Doc) => p.name === "idempotency-key");
    assertEquals([key?.in, key?.required ?? false], ["header", false], path);
    assert(doc.paths[path].post.responses["422"], path);
  }
  assertEquals(post.responses["201"].content["application/json"].schema, {
    $ref: "#/components/schemas/RunView",
  });
  assertEquals(post.responses["415"].content["application/json"].schema, {
    $ref: "#/components/schemas/Error",
  });
  assertEquals(doc.components.schemas.Error.required, ["error"]);
  // Query parameters of the statistics.
  const params = doc.paths["/api/experiments/{id}"].get.parameters;
  const metric = params.find((p: Doc) => p.name === "metric");
  assertEquals(metric.in, "query");
  assert(metric.schema.enum.includes("testAcc") && metric.schema.enum.includes("ece"));
  assert(params.some((p: Doc) => p.name === "id" && p.in === "path" && p.required));
  // A run's stored config: every field present (defaults applied).
  const config = doc.components.schemas.TrainConfig;
  for (const k of ["loss", "params", "condition", "model", "seed", "epochs", "valFraction"]) {
    assert(config.required.includes(k), k);
  }
});

Deno.test("SSE routes: event types with their payloads, and Last-Event-ID", async () => {
  const doc = await documentOf(app());
  for (const path of ["/api/events", "/api/runs/{id}/events"]) {
    const get = doc.paths[path].get;
    const last = get.parameters.find((p: Doc) => p.name === "last-event-id");
    assertEquals(last?.in, "header", path);
    const schema = get.responses["200"].content["text/event-stream"].schema;
    assertEquals(schema, { $ref: "#/components/schemas/ServerSentEvent" });
    assert(get.responses["429"] && get.responses["503"], path);
  }
  const events = doc.components.schemas.ServerSentEvent.oneOf;
  const byType = Object.fromEntries(events.map((e: Doc) => [e.properties.event.enum[0], e]));
  assertEquals(Object.keys(byType).sort(), ["epoch", "progress", "status"]);
  // status carries a run, or the deletion notice.
  const status = byType.status.properties.data.anyOf.map((s: Doc) => s.$ref).sort();
  assertEquals(status, ["#/components/schemas/Run", "#/components/schemas/RunDeleted"]);
  assertEquals(doc.components.schemas.RunDeleted.properties.status.enum, ["deleted"]);
  assertEquals(byType.progress.properties.data, { $ref: "#/components/schemas/Progress" });
  assert(byType.epoch.properties.data.required.includes("runId"));
  assert(byType.epoch.properties.data.required.includes("trainLoss"));
  // Test-split metrics are optional: a tuning trial's epochs have none.
  assert("testAcc" in byType.epoch.properties.data.properties);
  assert(!byType.epoch.properties.data.required.includes("testAcc"));
});

Deno.test("with a token: the document and the reference follow the API's rules", async () => {
  const a = app({ token: "secret" });
  for (const path of ["/api/openapi.json", "/api/docs", "/api/docs/swagger-ui-bundle.js"]) {
    const res = await a.request(path);
    assertEquals(res.status, 401, path);
    assert((await res.json()).error.includes("bearer token"));
  }
  // A browser opening the reference is sent to sign in, as for the dashboard.
  const page = await a.request("/api/docs", { headers: { accept: "text/html" } });
  assertEquals([page.status, page.headers.get("location")], [302, "/login"]);

  const doc = await documentOf(a, { authorization: "Bearer secret", host: "127.0.0.1:8123" });
  assertEquals(doc.components.securitySchemes.bearer, {
    type: "http",
    scheme: "bearer",
    description: "Authorization: Bearer <LOSSBENCH_TOKEN>",
  });
  assertEquals(doc.components.securitySchemes.cookie.name, "lossbench_session_8123");
  assertEquals(doc.paths["/api/runs"].get.security, [{ bearer: [] }, { cookie: [] }]);
  assert(doc.paths["/api/runs"].get.responses["401"]);
  // Open routes: health (says more with credentials) and signing in.
  assertEquals(doc.paths["/api/health"].get.security, [{}, { bearer: [] }, { cookie: [] }]);
  assert(!doc.paths["/api/health"].get.responses["401"]);
  assert(!doc.paths["/api/login"].post.responses["401"].description.includes("LOSSBENCH"));
  assert(doc.paths["/{file}"].get.responses["302"]);
  // Without a token: no security and no 401 anywhere.
  const open = await documentOf(app());
  assertEquals(open.components.securitySchemes, undefined);
  assert(!JSON.stringify(open.paths).includes('"security"'));
  assert(!open.paths["/api/runs"].get.responses["401"]);
});

Deno.test("the reference is served from the swagger-ui-dist package, with no CDN", async () => {
  const a = app();
  const page = await a.request("/api/docs");
  assertEquals(page.status, 200);
  const html = await page.text();
  const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
  assertEquals(refs, [
    "data:,",
    "docs/swagger-ui.css",
    "docs/swagger-ui-bundle.js",
    "docs/init.js",
  ]);
  for (const ref of refs.slice(1)) {
    const res = await a.request(new URL(ref, "http://x/api/docs").pathname);
    assertEquals(res.status, 200, ref);
    assert(/^text\/(css|javascript)/.test(res.headers.get("content-type")!), ref);
    const body = await res.text();
    assert(body.length > 0);
    if (ref.endsWith("init.js")) {
      assert(body.includes('url: "openapi.json"') && body.includes("validatorUrl: null"));
    }
  }
  assertEquals((await a.request("/api/docs/index.html")).status, 404);
  assertEquals((await a.request("/api/docs/..%2Fpackage.json")).status, 404);
});
