// The contract check (LOSSBENCH_CONTRACT_CHECK=1, on for every test server):
// it must fail on each kind of violation (deliberately bad responses here),
// pass conforming ones, and its log line must be what tests/util/server.ts
// fails a test on. And the contracts keep the API's error messages.
import { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { createApp } from "../routes/app.ts";
import { contractCheck, type Violation } from "../routes/contract/check.ts";
import type { ContractOptions } from "../routes/contract/document.ts";
import { err, json, route, router } from "../routes/contract/route.ts";
import { runViewSchema, sseEventSchema } from "../routes/contract/schemas.ts";
import type { Deps } from "../routes/deps.ts";
import { errorHandler, notFound } from "../routes/errors.ts";
import { assert, assertEquals } from "./util/assert.ts";
import { contractViolations } from "./util/server.ts";

const OPTS: ContractOptions = { token: false, hosts: false, storage: false, maxBodyBytes: 1024 };

/** Runs `fn` with console.error captured. */
async function capturingErrors<T>(fn: () => Promise<T>): Promise<[T, string[]]> {
  const lines: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => lines.push(args.map(String).join(" "));
  try {
    return [await fn(), lines];
  } finally {
    console.error = original;
  }
}

/** A small app with one route per kind of (mis)behaviour. */
function testApp() {
  const app = new OpenAPIHono();
  app.onError(errorHandler());
  app.notFound(notFound);
  const violations: Violation[] = [];
  app.use(contractCheck(app, OPTS, (v) => violations.push(v)));
  const r = router();
  const thing = z.strictObject({ n: z.number() });
  const bodies: Record<string, unknown> = {
    good: { n: 1 },
    wrongType: { n: "1" },
    missing: {},
    extra: { n: 1, secret: true },
  };
  r.openapi(
    route({
      method: "get",
      path: "/thing/{kind}",
      request: { params: z.object({ kind: z.string() }) },
      responses: { 200: json(thing, "A thing"), 404: err("None") },
    }),
    // deno-lint-ignore no-explicit-any
    (c): any => {
      const kind = c.req.valid("param").kind;
      if (kind === "teapot") return c.json({ error: "short and stout" }, 418);
      if (kind === "text") return c.text("n=1", 200);
      if (kind === "gone") return c.json({ error: "no such thing" }, 404);
      if (kind === "gone-badly") return c.json({ message: "no such thing" }, 404);
      return c.json(bodies[kind], 200);
    },
  );
  r.openapi(
    route({
      method: "get",
      path: "/moved",
      responses: { 302: { description: "Elsewhere" } },
    }),
    (c) =>
      c.req.query("chatty")
        ? new Response("it moved", { status: 302, headers: { location: "/" } })
        : c.redirect("/", 302),
  );
  r.openapi(
    route({
      method: "get",
      path: "/events",
      responses: {
        200: {
          description: "Events",
          content: { "text/event-stream": { schema: sseEventSchema } },
        },
      },
    }),
    (c) => {
      const events = c.req.query("bad")
        ? `id: 3\nevent: progress\ndata: {"runId":"r","epoch":1}\n\n`
        : `id: 3\nevent: progress\ndata: {"runId":"r","epoch":1,"batch":2,"batches":9,` +
          `"loss":0.5,"imgPerSec":100,"etaSeconds":null}\n\n`;
      const body = `retry: 2000\n: hello\n\n${events}: heartbeat\n\n`;
      return new Response(body, { headers: { "content-type": "text/event-stream" } });
    },
  );
  app.route("/", r);
  return { app, violations };
}

Deno.test("the contract check passes conforming responses", async () => {
  const { app, violations } = testApp();
  const [, logged] = await capturingErrors(async () => {
    const ok = await app.request("/thing/good");
    assertEquals([ok.status, await ok.json()], [200, { n: 1 }]);
    const gone = await app.request("/thing/gone");
    assertEquals(gone.status, 404);
    await gone.body?.cancel();
    assertEquals((await app.request("/moved")).status, 302);
    assertEquals((await app.request("/nowhere")).status, 404); // the app's own 404
    const events = await app.request("/events");
    assert((await events.text()).includes("event: progress"));
  });
  assertEquals(violations, []);
  assertEquals(logged, []);
});

Deno.test("the contract check fails every kind of violation, and says so in the log", async () => {
  const { app, violations } = testApp();
  const cases: [string, RequestInit, string][] = [
    ["/thing/wrongType", {}, "body: n: Invalid input: expected number, received string"],
    ["/thing/missing", {}, "body: n: Invalid input: expected number, received undefined"],
    ["/thing/extra", {}, "body: unknown field(s): secret"],
    ["/thing/teapot", {}, "status 418 is not declared (declared: 200, 404)"],
    ["/thing/text", {}, 'content-type "text/plain" is not declared (application/json)'],
    [
      "/thing/gone-badly",
      {},
      "body: error: Invalid input: expected string, received undefined; unknown field(s): message",
    ],
    ["/moved?chatty=1", {}, "status 302 declares no body, but one was sent"],
  ];
  const [, logged] = await capturingErrors(async () => {
    for (const [path, init, problem] of cases) {
      const res = await app.request(path, init);
      // The request itself fails: a 500 naming the problem.
      assertEquals(res.status, 500, path);
      const error = (await res.json()).error;
      assert(error.startsWith(`contract violation: ${problem}`), `${path}: ${error}`);
    }
  });
  assertEquals(violations.map((v) => v.problem.slice(0, 40)), cases.map((c) => c[2].slice(0, 40)));
  assertEquals(contractViolations(logged).length, cases.length);
  assert(logged[0].includes("GET /thing/wrongType (/thing/{kind}) → 200"), logged[0]);
});

Deno.test("the contract check reads server-sent events as they stream", async () => {
  const { app, violations } = testApp();
  const [, logged] = await capturingErrors(async () => {
    const res = await app.request("/events?bad=1");
    assertEquals(res.status, 200); // under way: the log (and server.ts) catch it
    await res.text();
  });
  assertEquals(violations.length, 1);
  assert(violations[0].problem.startsWith("event progress: data.batch: Invalid input"));
  assertEquals(contractViolations(logged).length, 1);
});

// A store that returns a run the API does not declare (no label, a numeric status).
const brokenRun = { id: "0mx15sryq0001us11z", status: 3, config: {}, createdAt: "now" };
const stubDeps = {
  store: { listRuns: () => Promise.resolve([brokenRun]) },
  scheduler: { progress: () => undefined },
} as unknown as Deps;

Deno.test("the real app, contract check on: a response that breaks the contract fails", async () => {
  const app = createApp({ ...stubDeps, contractCheck: true });
  const [res, logged] = await capturingErrors(async () => await app.request("/api/runs"));
  assertEquals(res.status, 500);
  const error = (await res.json()).error as string;
  assert(error.startsWith("contract violation: body: runs.0.status: Invalid option"), error);
  assert(error.includes("runs.0.label: Invalid input"), error);
  assertEquals(contractViolations(logged).length, 1, logged.join("\n"));
  // Off (the default outside tests): the same response goes out as it is.
  const off = await createApp({ ...stubDeps, contractCheck: false }).request("/api/runs");
  assertEquals([off.status, (await off.json()).runs[0].status], [200, 3]);
});

Deno.test("the contracts keep the API's error messages", async () => {
  const app = createApp({ ...stubDeps, contractCheck: true });
  const post = (body: string, type = "application/json") =>
    app.request("/api/runs", { method: "POST", headers: { "content-type": type }, body });
  const cases: [Response, number, string][] = [
    [
      await post("{}", "text/plain"),
      415,
      'content-type must be application/json (got "text/plain")',
    ],
    [await post("{not json"), 400, "body is not valid JSON: "],
    [await post(""), 400, "body is not valid JSON: "],
    [await post('{"loss":"ce","epochs":0}'), 400, "epochs: Too small: expected number to be >=1"],
    [await post('{"loss":"ce","learningRate":1}'), 400, "unknown field(s): learningRate"],
    [await post('{"loss":"nope"}'), 400, 'loss: unknown loss "nope"; use one of: '],
    [await post("[1,2]"), 400, "Invalid input: expected object, received array"],
    [
      await app.request("/api/experiments/x?metric=nope&point=top&k=0&on=x"),
      400,
      'metric: unknown metric "nope"; use one of: trainLoss, trainAcc, testLoss, testAcc, f1, ' +
      "balancedAcc, worstClassAcc, ece, valLoss, valAcc, valF1, trainAccClean, trainAccNoisy, " +
      'nll, brier; point: "final", "lastK" or "best" (got "top"); k: an integer from 1 to 500; ' +
      'on: "valAcc" or "valLoss"',
    ],
    [
      await app.request("/api/experiments/x/seeds", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"seeds":[]}',
      }),
      400,
      "seeds: Too small: expected array to have >=1 items",
    ],
  ];
  for (const [res, status, message] of cases) {
    const body = await res.json();
    assertEquals(res.status, status, JSON.stringify(body));
    assert(body.error.startsWith(message), `${body.error} !~ ${message}`);
  }
});

Deno.test("response schemas: a run view as the service builds it passes", () => {
  const run = {
    id: "0mx15sryq0001us11z",
    status: "running",
    config: {
      loss: "focal",
      params: { gamma: 2 },
      condition: {},
      valFraction: 0,
      epochs: 2,
      batchSize: 64,
      lr: 0.01,
      momentum: 0.9,
      stepSize: 10,
      stepGamma: 0.5,
      seed: 1,
      data: "synthetic",
      backend: "auto",
      model: "convnet",
    },
    label: "focal γ=2",
    cellKey: "{}",
    createdAt: "2026-11-29T01:27:14.066Z",
    epochsDone: 0,
    progress: {
      runId: "0mx15sryq0001us11z",
      epoch: 1,
      batch: 3,
      batches: 79,
      loss: null, // NaN, as JSON sends it
      imgPerSec: 1480,
      etaSeconds: 3.1,
    },
  };
  assert(runViewSchema.safeParse(run).success);
  assert(!runViewSchema.safeParse({ ...run, config: { ...run.config, model: "nope" } }).success);
});
