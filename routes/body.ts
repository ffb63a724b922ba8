// Reads a JSON request body and validates it with a zod schema; every problem
// becomes a 4xx naming the field. Requiring `content-type: application/json`
// keeps cross-site HTML forms (which can't send it without a CORS preflight)
// from starting runs on a loopback service.
import type { Context } from "hono";
import type { z } from "zod";
import { describeIssues } from "../ml/config.ts";
import { apiError } from "./errors.ts";

export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw apiError(415, `content-type must be application/json (got "${type.slice(0, 100)}")`);
  }
  const text = await c.req.text();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw apiError(400, `body is not valid JSON: ${(e as Error).message}`);
  }
  const r = schema.safeParse(value);
  if (!r.success) throw apiError(400, describeIssues(r.error));
  return r.data;
}
