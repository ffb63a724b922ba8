// Cross-site request forgery: a state change (POST, PUT, PATCH, DELETE) must
// come from this site when a browser could have sent it on its own. The
// browser says where a request comes from in Sec-Fetch-Site (all current
// browsers) or Origin (sent with every POST); OWASP's CSRF guidance checks
// these headers. So:
// - a request that says it is cross-site or same-site-but-another-origin
//   (Sec-Fetch-Site other than same-origin or none, or an Origin whose host is
//   not the Host header's) is refused with 403, whatever its credentials: this
//   covers the sign-in form too, so another site cannot make a browser fail
//   sign-ins (and lock its address out);
// - one signed in with the session cookie must carry one of the two headers.
// Bearer clients (no cookie, no browser headers) are not affected: a page on
// another site cannot add an Authorization header without CORS, which this
// service does not grant.
import type { MiddlewareHandler } from "hono";
import { authenticated } from "./auth.ts";

const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Why the request is refused, or undefined when it may go on. */
export function crossSite(req: Request, cookie: boolean): string | undefined {
  if (!MUTATING.has(req.method)) return undefined;
  const site = req.headers.get("sec-fetch-site")?.trim().toLowerCase();
  if (site !== undefined) {
    if (site === "same-origin" || site === "none") return undefined;
    return `cross-site request refused (Sec-Fetch-Site: ${site.slice(0, 40)})`;
  }
  const origin = req.headers.get("origin");
  if (origin !== null) {
    let host: string | undefined;
    try {
      host = origin === "null" ? undefined : new URL(origin).host;
    } catch {
      host = undefined;
    }
    const own = req.headers.get("host")?.trim().toLowerCase();
    if (host !== undefined && own !== undefined && host.toLowerCase() === own) return undefined;
    return `cross-site request refused (Origin: ${origin.slice(0, 100)})`;
  }
  if (cookie) {
    return "a change made with the sign-in cookie must say where it comes from " +
      "(Origin or Sec-Fetch-Site, which browsers send); API clients use the bearer token";
  }
  return undefined;
}

/** 403 for a state change another site could have made (run after the token check). */
export function sameOrigin(): MiddlewareHandler {
  return async (c, next) => {
    const why = crossSite(c.req.raw, authenticated(c.req.raw) === "cookie");
    if (why) return c.json({ error: why }, 403);
    await next();
  };
}
