// HTTP/1.1 over a plain TCP socket, for what fetch won't do: set the Host
// header, declare a Content-Length it doesn't send, or show when the server
// closes the connection.
//
//   const r = await rawHttp(addr, "GET /api/health HTTP/1.1\r\nHost: evil.example");
//   r.status; r.json(); r.closedAfterMs   // null: still open at timeoutMs

export interface RawResponse {
  status: number;
  headers: Headers;
  /** The body, de-chunked (a truncated chunked body gives what arrived). */
  body: string;
  /** Milliseconds from sending to the server closing; null if open at the timeout. */
  closedAfterMs: number | null;
  raw: string;
  // deno-lint-ignore no-explicit-any
  json(): any;
}

/** `url`'s host and port, e.g. from startServer's `url`. */
export function addrOf(url: string): { hostname: string; port: number } {
  const u = new URL(url);
  return { hostname: u.hostname.replace(/^\[|\]$/g, ""), port: Number(u.port) };
}

/**
 * Sends `head` (request line and headers, no blank line) and `body`, then reads
 * until the server closes or `timeoutMs` passes. Add "Connection: close" to
 * `head` for a one-shot request.
 */
export async function rawHttp(
  addr: { hostname: string; port: number },
  head: string,
  body = "",
  timeoutMs = 5_000,
): Promise<RawResponse> {
  const conn = await Deno.connect(addr);
  const t0 = performance.now();
  await conn.write(new TextEncoder().encode(`${head}\r\n\r\n${body}`));
  const chunks: Uint8Array[] = [];
  let closedAfterMs: number | null = null;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    conn.close();
  }, timeoutMs);
  try {
    const buf = new Uint8Array(16 * 1024);
    while (true) {
      const n = await conn.read(buf);
      if (n === null) break;
      chunks.push(buf.slice(0, n));
    }
    closedAfterMs = performance.now() - t0;
  } catch (e) {
    // Reset by the server counts as closed; our own timeout does not.
    if (!timedOut) closedAfterMs = performance.now() - t0;
    else if (!(e instanceof Deno.errors.BadResource || e instanceof Deno.errors.Interrupted)) {
      throw e;
    }
  } finally {
    clearTimeout(timer);
    if (!timedOut) {
      try {
        conn.close();
      } catch {
        // already closed
      }
    }
  }
  const raw = new TextDecoder().decode(
    chunks.reduce((a, c) => {
      const out = new Uint8Array(a.length + c.length);
      out.set(a);
      out.set(c, a.length);
      return out;
    }, new Uint8Array()),
  );
  const end = raw.indexOf("\r\n\r\n");
  const lines = (end < 0 ? raw : raw.slice(0, end)).split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? "")?.[1] ?? 0);
  const headers = new Headers();
  for (const l of lines.slice(1)) {
    const i = l.indexOf(":");
    if (i > 0) headers.append(l.slice(0, i).trim(), l.slice(i + 1).trim());
  }
  let rest = end < 0 ? "" : raw.slice(end + 4);
  if (headers.get("transfer-encoding")?.includes("chunked")) {
    let out = "";
    while (true) {
      const nl = rest.indexOf("\r\n");
      if (nl < 0) break;
      const size = parseInt(rest.slice(0, nl), 16);
      if (!(size > 0)) break;
      out += rest.slice(nl + 2, nl + 2 + size);
      rest = rest.slice(nl + 2 + size + 2);
    }
    rest = out;
  }
  return { status, headers, body: rest, closedAfterMs, raw, json: () => JSON.parse(rest) };
}

/** One request on its own connection, with these headers (Host first, as browsers send it). */
export function oneRequest(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body = "",
): Promise<RawResponse> {
  const lines = [`${method} ${path} HTTP/1.1`];
  for (const [k, v] of Object.entries({ host: new URL(url).host, ...headers })) {
    lines.push(`${k}: ${v}`);
  }
  if (body) lines.push(`content-length: ${new TextEncoder().encode(body).length}`);
  lines.push("connection: close");
  return rawHttp(addrOf(url), lines.join("\r\n"), body);
}
