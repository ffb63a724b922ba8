// Declaring a route: `route({...})` is @hono/zod-openapi's createRoute (path
// in OpenAPI form, `{id}`), and `router().openapi(route, handler)` registers
// it. Its zod schemas validate params, query and a JSON body (a failure is a
// 400 naming each field, as everywhere else) and become the OpenAPI document;
// its response schemas are what LOSSBENCH_CONTRACT_CHECK=1 holds responses to
// (check.ts). A handler that reads the request itself (a form, a file) is
// declared with `plain(router, config, handler)`: documented and checked, not
// validated. Responses every route shares (401, 421, 500, ...) are added once,
// in document.ts. Adding an endpoint is one declaration.
import { createRoute, OpenAPIHono, type RouteConfig } from "@hono/zod-openapi";
import type { Handler } from "hono";
import { z } from "zod";
import { describeIssues } from "../../ml/config.ts";
import { requireJson } from "../body.ts";
import { apiError } from "../errors.ts";
import { errorSchema } from "./schemas.ts";

/** A router whose validation failures are `{"error": "field: problem; ..."}` with 400. */
export function router(): OpenAPIHono {
  return new OpenAPIHono({
    defaultHook: (result) => {
      if (!result.success) throw apiError(400, describeIssues(result.error as z.ZodError));
    },
  });
}

/**
 * A route's contract. A JSON body gets `requireJson` first (415 and "body is
 * not valid JSON" before the schema runs).
 */
export function route<const R extends RouteConfig>(r: R) {
  const body = r.request?.body?.content?.["application/json"];
  if (!body) return createRoute(r);
  return createRoute({
    ...r,
    request: { ...r.request, body: { ...r.request!.body!, required: true } },
    middleware: [requireJson, ...[r.middleware ?? []].flat()],
    responses: {
      400: err("Invalid body: each problem names its field"),
      415: err("The content-type is not application/json"),
      ...r.responses,
    },
  } as R);
}

/**
 * A route whose handler reads the request itself (a form, a file): its
 * contract is documented and checked, but not validated on the way in.
 * `honoPath` is the router's path when it needs more than `{param}` (a regex).
 */
export function plain(
  r: OpenAPIHono,
  config: RouteConfig,
  handler: Handler,
  honoPath = config.path.replace(/\{(\w+)\}/g, ":$1"),
): void {
  r.openAPIRegistry.registerPath(config);
  r.on(config.method.toUpperCase(), honoPath, handler);
}

/** A JSON response. */
export const json = <S extends z.ZodType>(schema: S, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

/** An error response (`{"error": "..."}`). */
export const err = (description: string) => json(errorSchema, description);

/** A response of another media type, its body described in words (and a string schema). */
export const text = (type: string, description: string) => ({
  description,
  content: { [type]: { schema: { type: "string" as const } } },
});

/** The `{id}` path parameter (any string: an unknown or malformed id is a 404, not a 400). */
export const idParam = (what: string) => ({
  params: z.object({ id: z.string().describe(`The ${what}'s id`) }),
});
