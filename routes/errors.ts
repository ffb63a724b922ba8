// JSON errors everywhere: `{"error": "..."}` with a 4xx/5xx status.
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** Throw from a handler to answer `{"error": message}` with `status`. */
export function apiError(status: ContentfulStatusCode, message: string): HTTPException {
  return new HTTPException(status, { message });
}

export const onError: ErrorHandler = async (err, c) => {
  if (err instanceof HTTPException) {
    const res = err.getResponse();
    // Middleware (bearerAuth, bodyLimit) may build its own response: keep its
    // headers (WWW-Authenticate) but make the body JSON.
    const headers = new Headers(res.headers);
    headers.set("content-type", "application/json; charset=utf-8");
    const own = err.res ? await err.res.clone().text() : "";
    const message = err.message || jsonError(own) || own || res.statusText || "error";
    return new Response(JSON.stringify({ error: message }), { status: err.status, headers });
  }
  console.error(`${c.req.method} ${c.req.path}:`, err);
  return c.json({ error: `internal error: ${(err as Error).message ?? String(err)}` }, 500);
};

function jsonError(text: string): string | undefined {
  try {
    const v = JSON.parse(text);
    return typeof v?.error === "string" ? v.error : undefined;
  } catch {
    return undefined;
  }
}

export const notFound: NotFoundHandler = (c: Context) =>
  c.json({ error: `not found: ${c.req.method} ${c.req.path}` }, 404);
