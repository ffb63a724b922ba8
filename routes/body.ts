// JSON request bodies. Requiring `content-type: application/json` keeps
// cross-site HTML forms (which can't send it without a CORS preflight) from
// starting runs on a loopback service. The body's schema is validated by the
// route's contract (contract/route.ts), whose failures become a 400 naming
// each field (describeIssues).
import type { MiddlewareHandler } from "hono";
import { apiError } from "./errors.ts";

export const JSON_TYPE = /^application\/json\s*(;|$)/i;

/** 415 without a JSON content-type, 400 for a body that isn't JSON; before the schema runs. */
export const requireJson: MiddlewareHandler = async (c, next) => {
  const type = c.req.header("content-type") ?? "";
  if (!JSON_TYPE.test(type)) {
    throw apiError(415, `content-type must be application/json (got "${type.slice(0, 100)}")`);
  }
  // Hono caches the text, so the schema's validator reads it again without a second read.
  const text = await c.req.text();
  try {
    JSON.parse(text);
  } catch (e) {
    throw apiError(400, `body is not valid JSON: ${(e as Error).message}`);
  }
  await next();
};
