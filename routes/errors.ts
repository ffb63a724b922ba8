// JSON errors everywhere: `{"error": "..."}` with a 4xx/5xx status. Storage
// failures (a full disk, a locked KV file) are 507 with what to do, and mark
// storage as failing for /api/health; other unexpected errors are 500 with
// the message minus any server path (the log keeps the whole error).
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { redactPaths } from "../service/redact.ts";
import { storageFailure, type StorageHealth } from "../service/storage_health.ts";

/** Throw from a handler to answer `{"error": message}` with `status`. */
export function apiError(status: ContentfulStatusCode, message: string): HTTPException {
  return new HTTPException(status, { message });
}

/** The 507 message for a storage failure's reason. */
export function storageMessage(reason: string): string {
  return `storage failure: the server could not save this change (${reason}); nothing was ` +
    `changed. Free disk space on the server (or stop the other process using its KV file) ` +
    `and retry`;
}

/** The app's error handler; `storage` learns of storage failures. */
export function errorHandler(storage?: StorageHealth): ErrorHandler {
  return async (err, c) => {
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
    const reason = storageFailure(err);
    if (reason) {
      storage?.failed(reason);
      return c.json({ error: storageMessage(reason) }, 507);
    }
    const message = (err as Error)?.message ?? String(err);
    return c.json({ error: `internal error: ${redactPaths(message)}` }, 500);
  };
}

export const onError: ErrorHandler = errorHandler();

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
