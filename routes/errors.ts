// JSON errors everywhere: `{"error": "..."}` with a 4xx/5xx status. The
// service's domain errors (service/errors.ts) get their status here, in one
// place. Storage failures (a full disk, a locked KV file) are 507 with what to
// do, and mark storage as failing for /api/health; any other error is a bug:
// logged, and a 500 with the message minus any server path.
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import {
  CapacityError,
  ConflictError,
  type DomainError,
  NotFoundError,
  ValidationError,
} from "../service/errors.ts";
import { redactPaths } from "../service/redact.ts";
import { storageFailure, type StorageHealth } from "../service/storage_health.ts";

/** Throw from a handler to answer `{"error": message}` with `status`. */
export function apiError(status: ContentfulStatusCode, message: string): HTTPException {
  return new HTTPException(status, { message });
}

/** Each domain error's HTTP status (a subclass takes its base class's). */
const STATUS: [new (...a: never[]) => DomainError, ContentfulStatusCode][] = [
  [ValidationError, 400],
  [NotFoundError, 404],
  [ConflictError, 409],
  [CapacityError, 429],
];

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
    const status = STATUS.find(([cls]) => err instanceof cls)?.[1];
    if (status) return c.json({ error: err.message }, status);
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
