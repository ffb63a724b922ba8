// The contract check (LOSSBENCH_CONTRACT_CHECK=1; every test server turns it
// on): each response is held to what the OpenAPI document declares for its
// route: a declared status, a declared media type, and a JSON body (or each
// server-sent event) that its zod schema accepts. A violation is logged as
// "contract violation: ..." (tests/util/server.ts fails the test on such a
// line) and, when the response is not yet under way, replaces it with a 500
// naming the problem, so the request that caused it fails too.
import type { OpenAPIHono, RouteConfig } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { z } from "zod";
import { describeIssues } from "../../ml/config.ts";
import { type ContractOptions, sharedResponses } from "./document.ts";
import { err } from "./route.ts";
import { VIOLATION } from "./violation.ts";

export { VIOLATION };

export interface Violation {
  method: string;
  path: string;
  status: number;
  problem: string;
}

interface Operation {
  method: string;
  path: string;
  re: RegExp;
  params: number;
  responses: RouteConfig["responses"];
}

function compile(app: OpenAPIHono): Operation[] {
  const ops: Operation[] = [];
  for (const def of app.openAPIRegistry.definitions) {
    if (def.type !== "route") continue;
    const { method, path, responses } = def.route;
    const parts = path.split(/\{[^}]+\}/);
    const re = new RegExp(
      `^${parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("[^/]+")}$`,
    );
    ops.push({ method, path, re, params: parts.length - 1, responses });
  }
  // A literal path wins over a parameter (/login before /{file}).
  return ops.sort((a, b) => a.params - b.params);
}

const essence = (type: string | null) => (type ?? "").split(";")[0].trim().toLowerCase();
const isZod = (s: unknown): s is z.ZodType => s instanceof z.ZodType;

function bodyProblems(schema: z.ZodType, value: unknown): string | null {
  const r = schema.safeParse(value);
  return r.success ? null : describeIssues(r.error);
}

/** Splits server-sent events out of a byte stream and checks each one's data. */
function eventChecker(schema: z.ZodType, report: (problem: string) => void) {
  const decoder = new TextDecoder();
  let buf = "";
  return (chunk: Uint8Array) => {
    buf += decoder.decode(chunk, { stream: true });
    let end;
    while ((end = buf.indexOf("\n\n")) >= 0) {
      const block = buf.slice(0, end);
      buf = buf.slice(end + 2);
      const fields: Record<string, string> = {};
      const data: string[] = [];
      for (const line of block.split("\n")) {
        const m = /^([a-z]+): ?(.*)$/.exec(line);
        if (!m) continue;
        if (m[1] === "data") data.push(m[2]);
        else fields[m[1]] = m[2];
      }
      if (fields.event === undefined && data.length === 0) continue; // retry:, comments
      let parsed: unknown;
      try {
        parsed = JSON.parse(data.join("\n"));
      } catch {
        report(`event ${fields.event}: data is not JSON: ${data.join("\n").slice(0, 200)}`);
        continue;
      }
      const problem = bodyProblems(schema, { event: fields.event, id: fields.id, data: parsed });
      if (problem) report(`event ${fields.event}: ${problem}`);
    }
  };
}

/**
 * The middleware. `onViolation` also hears of each violation (the log always
 * does). Operations are read from `app` at the first request, when every route
 * is registered.
 */
export function contractCheck(
  app: OpenAPIHono,
  opts: ContractOptions,
  onViolation: (v: Violation) => void = () => {},
): MiddlewareHandler {
  let ops: Operation[] | undefined;
  return async (c, next) => {
    await next();
    ops ??= compile(app);
    const method = c.req.method === "HEAD" ? "get" : c.req.method.toLowerCase();
    const path = c.req.path;
    const op = ops.find((o) => o.method === method && o.re.test(path));
    const responses: Record<string, unknown> = op?.responses ??
      { ...sharedResponses(method, path, opts), 404: err("No such route") };
    const res = c.res;
    const report = (problem: string) => {
      const v = { method: c.req.method, path, status: res.status, problem };
      console.error(
        `${VIOLATION} ${v.method} ${v.path} (${op?.path ?? "no route"}) → ${v.status}: ${problem}`,
      );
      onViolation(v);
    };
    const fail = (problem: string) => {
      report(problem);
      c.res = undefined;
      c.res = new Response(JSON.stringify({ error: `${VIOLATION} ${problem}` }), {
        status: 500,
        headers: { "content-type": "application/json; charset=utf-8" },
      });
    };

    const declared = responses[res.status] as { content?: unknown } | undefined;
    if (!declared) {
      return fail(
        `status ${res.status} is not declared (declared: ${Object.keys(responses).join(", ")})`,
      );
    }
    if (c.req.method === "HEAD") return;
    const content = declared.content as Record<string, { schema?: unknown }> | undefined;
    if (!content) {
      if (res.body !== null && (await res.clone().text()) !== "") {
        fail(`status ${res.status} declares no body, but one was sent`);
      }
      return;
    }
    const type = essence(res.headers.get("content-type"));
    const media = Object.entries(content).find(([k]) => essence(k) === type);
    if (!media) {
      return fail(`content-type "${type}" is not declared (${Object.keys(content).join(", ")})`);
    }
    const schema = media[1].schema;
    if (!isZod(schema)) return;
    if (type === "application/json") {
      let value: unknown;
      try {
        value = JSON.parse(await res.clone().text());
      } catch (e) {
        return fail(`body is not JSON: ${(e as Error).message}`);
      }
      const problem = bodyProblems(schema, value);
      if (problem) fail(`body: ${problem}`);
    } else if (type === "text/event-stream" && res.body) {
      // Checked as it streams, without buffering ahead of the client.
      const check = eventChecker(schema, report);
      const reader = res.body.getReader();
      const body = new ReadableStream<Uint8Array>({
        async pull(ctrl) {
          const { value, done } = await reader.read();
          if (done) return ctrl.close();
          check(value);
          ctrl.enqueue(value);
        },
        cancel: (reason) => reader.cancel(reason),
      }, { highWaterMark: 0 });
      c.res = undefined;
      c.res = new Response(body, { status: res.status, headers: res.headers });
    }
  };
}
