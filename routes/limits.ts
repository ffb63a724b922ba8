// Request bodies declared larger than the limit. Deno's server keeps reading
// a refused body to its declared end before it drops the connection, and it
// ignores a handler's `Connection: close`; so a client that declares
// `Content-Length: 999999999` and sends 13 bytes would hold the socket
// indefinitely. The 413 is sent at once and then its body stream fails, which
// makes the server drop the connection. The client has the status and the
// JSON by then, but the response's chunked framing ends abruptly: a client
// that insists on a complete body (fetch's text()) sees a read error.
import type { MiddlewareHandler } from "hono";

/** How long the error body gets to reach the socket before the connection is dropped. */
const FLUSH_MS = 50;

/** The error that ends a closing response's body (main.ts keeps it out of the log). */
export class ConnectionClose extends Error {
  override name = "ConnectionClose";
}

/** A JSON error response after which the server drops the connection. */
export function closingResponse(status: number, body: unknown): Response {
  const bytes = new TextEncoder().encode(JSON.stringify(body));
  let sent = false;
  const stream = new ReadableStream<Uint8Array>({
    async pull(ctrl) {
      if (!sent) {
        sent = true;
        ctrl.enqueue(bytes);
        return;
      }
      await new Promise((r) => setTimeout(r, FLUSH_MS));
      ctrl.error(new ConnectionClose("closing the connection after a refused body"));
    },
  });
  return new Response(stream, {
    status,
    headers: { "content-type": "application/json; charset=utf-8", connection: "close" },
  });
}

/** 413 and a dropped connection for a Content-Length over `maxSize`, before anything reads it. */
export function declaredSizeLimit(maxSize: number): MiddlewareHandler {
  return async (c, next) => {
    const declared = c.req.header("content-length");
    if (declared !== undefined && /^\d+$/.test(declared.trim()) && Number(declared) > maxSize) {
      return closingResponse(413, { error: `request body is larger than ${maxSize} bytes` });
    }
    await next();
  };
}
