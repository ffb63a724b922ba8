// Conditional GETs: a body named by an ETag, and a 304 for a client that
// already holds it (If-None-Match), declared once for the contract.
import type { Context } from "hono";

/** Whether an If-None-Match header matches `etag` (weak comparison, as for GET). */
export function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const bare = (t: string) => t.trim().replace(/^W\//, "");
  return header.split(",").some((t) => t.trim() === "*" || bare(t) === bare(etag));
}

/** The JSON body with its ETag (revalidated on every use), or a 304 when the client has it. */
export function conditionalJson(
  c: Context,
  body: { bytes: Uint8Array<ArrayBuffer>; etag: string },
) {
  const headers = { etag: body.etag, "cache-control": "no-cache" };
  if (matchesEtag(c.req.header("if-none-match"), body.etag)) return c.body(null, 304, headers);
  return c.body(body.bytes, 200, { ...headers, "content-type": "application/json; charset=utf-8" });
}

/** A 200 response declaration with the ETag headers, and its 304. */
export function withEtag<T extends object>(ok: T) {
  return {
    200: {
      ...ok,
      headers: {
        etag: { schema: { type: "string" as const }, description: "Names this body" },
        "cache-control": {
          schema: { type: "string" as const },
          description: "no-cache: revalidate",
        },
      },
    },
    304: { description: "Not modified: If-None-Match names the current body" },
  };
}
