// `Idempotency-Key` on POST /api/runs and POST /api/experiments: the same key
// with the same body answers the first response again (with
// `Idempotency-Replayed: true`) and queues nothing; the same key with another
// body is 422; while the first request with a key is still running, 409. Only
// successes are kept: after an error the key is free, so a retry runs afresh.
// Without the header nothing changes. The store is service/idempotency.ts.
import type { MiddlewareHandler } from "hono";
import { z } from "zod";
import { IdempotencyStore, sha256 } from "../service/idempotency.ts";
import { err } from "./contract/route.ts";
import type { Deps } from "./deps.ts";
import { apiError } from "./errors.ts";

const HEADER = "idempotency-key";
/** Visible ASCII, as the draft's sf-string allows, and short enough to keep. */
const KEY_RE = /^[\x21-\x7e]{1,255}$/;

/** The header's declaration, for a route's `request.headers`. */
export const idempotencyHeader = z.object({
  [HEADER]: z.string().regex(KEY_RE).optional().describe(
    "A key of your choosing (1–255 visible ASCII characters, e.g. a UUID), kept for 24 hours: " +
      "a retry with the same key and body gets the first response back instead of queueing " +
      "again; the same key with another body is 422; a retry while the first is running, 409.",
  ),
});

/** The responses it adds to a route's contract. */
export const idempotencyResponses = {
  409: err("A seed is taken, or a request with this Idempotency-Key is still running"),
  422: err("This Idempotency-Key was used with another request body"),
};

const stores = new WeakMap<Deno.Kv, IdempotencyStore>();

export function idempotent(deps: Deps, scope: string): MiddlewareHandler {
  return async (c, next) => {
    const key = c.req.header(HEADER);
    const kv = deps.store?.kv;
    if (key === undefined || !kv) return await next();
    if (!KEY_RE.test(key)) {
      throw apiError(400, `${HEADER}: must be 1 to 255 visible ASCII characters`);
    }
    let store = stores.get(kv);
    if (!store) stores.set(kv, store = new IdempotencyStore(kv));
    const request = sha256(`${c.req.method} ${c.req.path}\n${await c.req.text()}`);
    const claim = await store.claim(scope, key, request);
    if (claim.kind === "mismatch") {
      throw apiError(422, `${HEADER}: this key was used with another request body`);
    }
    if (claim.kind === "in-flight") {
      c.header("retry-after", "1");
      throw apiError(409, `${HEADER}: a request with this key is still running; retry`);
    }
    if (claim.kind === "replay") {
      const headers = new Headers(claim.response.headers);
      headers.set("idempotency-replayed", "true");
      return new Response(claim.response.body, { status: claim.response.status, headers });
    }
    try {
      await next();
    } catch (e) {
      await store.release(scope, key).catch(() => {});
      throw e;
    }
    if (c.res.status >= 200 && c.res.status < 300) {
      const res = c.res.clone();
      const keep = ["content-type", "location"].flatMap((h) => {
        const v = res.headers.get(h);
        return v === null ? [] : [[h, v] as [string, string]];
      });
      // The work is queued either way: a failure to keep the answer must not turn it into an
      // error (the reservation then lapses, and a retry after that runs again).
      await store.complete(scope, key, request, {
        status: res.status,
        headers: keep,
        body: await res.text(),
      }).catch((e) => console.error(`${HEADER}: could not keep the answer: ${e}`));
    } else {
      await store.release(scope, key).catch(() => {});
    }
  };
}
