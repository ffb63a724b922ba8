// LOSSBENCH_TOKEN: when set, every route needs it except a bare
// `GET /api/health` and the sign-in page. API clients send
// `Authorization: Bearer <token>`; the dashboard signs in once at /login and
// then holds an HttpOnly, SameSite=Strict cookie (EventSource cannot send
// headers) with a random session id, kept server-side with its expiry
// (service/sessions.ts): signing out revokes it, and a new token ends every
// session. Tokens are compared through SHA-256 digests with timingSafeEqual,
// so the time taken says nothing about the token, not even its length. Wrong
// tokens are throttled per address and per target (sign_in_throttle.ts).
import { createHash, timingSafeEqual } from "node:crypto";
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import { getConnInfo } from "hono/deno";
import { z } from "zod";
import { SessionStore } from "../service/sessions.ts";
import { err, plain, router, text } from "./contract/route.ts";
import { SignInThrottle, throttledMessage, type ThrottleLimits } from "./sign_in_throttle.ts";

const COOKIE = "lossbench_session";
/** A month: the dashboard signs in once per browser, not once per visit. */
const COOKIE_MAX_AGE_S = 30 * 24 * 3600;
const LOGIN_PAGE = new URL("../static/login.html", import.meta.url);

export type AuthKind = "bearer" | "cookie";
const authOf = new WeakMap<Request, AuthKind>();

/** How the request authenticated (set by requireToken), or undefined. */
export function authenticated(req: Request): AuthKind | undefined {
  return authOf.get(req);
}

function sameSecret(a: string, b: string): boolean {
  const h = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(h(a), h(b));
}

/**
 * The cookie's name carries the port of the Host header, so two services on
 * one machine (cookies ignore ports) do not sign each other out.
 */
export function cookieName(host: string | undefined): string {
  const port = /:(\d{1,5})$/.exec(host ?? "")?.[1];
  return port ? `${COOKIE}_${port}` : COOKIE;
}

function readCookie(header: string | null, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export class TokenAuth {
  /** Wrong tokens per client address and per target (routes/sign_in_throttle.ts). */
  readonly throttle: SignInThrottle;
  readonly sessions: SessionStore;

  constructor(readonly token: string, opts: { limits?: ThrottleLimits; kv?: Deno.Kv } = {}) {
    this.throttle = new SignInThrottle(opts.limits);
    this.sessions = new SessionStore(token, opts.kv, COOKIE_MAX_AGE_S * 1000);
  }

  checkToken(candidate: string): boolean {
    return sameSecret(candidate, this.token);
  }

  /** The session id the request's cookie carries, if any. */
  sessionOf(req: Request): string | undefined {
    return readCookie(req.headers.get("cookie"), cookieName(req.headers.get("host") ?? ""));
  }

  /** "bearer" or "cookie" when the request carries valid credentials, else why not. */
  async check(req: Request): Promise<AuthKind | "missing" | "malformed" | "invalid"> {
    const header = req.headers.get("authorization");
    if (header !== null) {
      const m = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i.exec(header);
      if (!m) return "malformed";
      return this.checkToken(m[1]) ? "bearer" : "invalid";
    }
    const cookie = this.sessionOf(req);
    if (cookie === undefined) return "missing";
    return (await this.sessions.valid(cookie)) ? "cookie" : "invalid";
  }
}

/** Paths that stay open with a token: the sign-in page and its form, and a bare health check. */
export function isOpen(method: string, path: string): boolean {
  if (method === "GET" || method === "HEAD") return path === "/login" || path === "/api/health";
  return method === "POST" && (path === "/api/login" || path === "/api/logout");
}

/** A page a browser loads (sent to /login without credentials): not /api/*, but the API reference. */
export function isPage(method: string, path: string): boolean {
  return method === "GET" && (!path.startsWith("/api/") || path === "/api/docs");
}

const MESSAGES = {
  missing: "missing bearer token (Authorization: Bearer …) or sign-in cookie (sign in at /login)",
  malformed: "malformed Authorization header",
  invalid: "invalid bearer token",
};

/** The client's address, the throttle's key ("unknown" outside Deno.serve, as in app.request). */
function clientKey(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** 429 with Retry-After when `key` has failed too often, else undefined. */
function throttled(c: Context, auth: TokenAuth, key: string): Response | undefined {
  const wait = auth.throttle.retryAfter(key);
  if (wait === 0) return undefined;
  c.header("retry-after", String(wait));
  return c.json({ error: throttledMessage(wait) }, 429);
}

/**
 * Rejects unauthenticated requests: browsers' page loads go to /login, the rest get 401. A bearer
 * token from an address that sent too many wrong ones gets 429 before it is even compared.
 */
export function requireToken(auth: TokenAuth): MiddlewareHandler {
  return async (c, next) => {
    const key = clientKey(c);
    const bearer = c.req.header("authorization") !== undefined;
    if (bearer) {
      const blocked = throttled(c, auth, key);
      if (blocked) return blocked;
    }
    const result = await auth.check(c.req.raw);
    if (bearer && result === "invalid") auth.throttle.fail(key);
    if (result === "bearer") auth.throttle.succeed(key);
    if (result === "bearer" || result === "cookie") {
      authOf.set(c.req.raw, result);
    } else if (!isOpen(c.req.method, c.req.path)) {
      const page = isPage(c.req.method, c.req.path) &&
        (c.req.header("accept") ?? "").includes("text/html");
      if (page) return c.redirect("/login", 302);
      c.header("www-authenticate", 'Bearer realm="lossbench"');
      // An invalid cookie is reported as missing: the fix is the same, sign in again.
      const why = result === "invalid" && !c.req.header("authorization") ? "missing" : result;
      return c.json({ error: MESSAGES[why] }, 401);
    }
    await next();
  };
}

function setCookie(c: { req: { url: string; header(n: string): string | undefined } }, v: string) {
  const https = new URL(c.req.url).protocol === "https:" ||
    c.req.header("x-forwarded-proto")?.split(",")[0].trim() === "https";
  const age = v ? COOKIE_MAX_AGE_S : 0;
  return `${cookieName(c.req.header("host"))}=${v}; Path=/; HttpOnly; SameSite=Strict; ` +
    `Max-Age=${age}${https ? "; Secure" : ""}`;
}

/**
 * Where to go after signing in: a local path only. Browsers drop tabs and newlines from a
 * Location and read "\\" as "/", so "/\t/evil.example" would leave the site: any control
 * character, space, backslash or non-ASCII character sends the client to "/" instead.
 */
export function localPath(v: unknown): string {
  if (typeof v !== "string" || !/^\/(?!\/)[\x21-\x5b\x5d-\x7e]*$/.test(v)) return "/";
  const base = "http://lossbench.invalid";
  return new URL(v, base).origin === base ? v : "/";
}

/**
 * GET /login (the form), POST /api/login (form fields `token`, `next`, or JSON
 * `{"token"}`) and POST /api/logout. A form gets 303 redirects; JSON gets 204
 * or 401.
 */
export function authRoutes(auth: TokenAuth | undefined): OpenAPIHono {
  const r = router();
  const tags = ["service"];

  plain(r, {
    method: "get",
    path: "/login",
    tags,
    summary: "The sign-in page",
    responses: {
      200: text("text/html", "The form (with LOSSBENCH_TOKEN set)"),
      302: redirect("To the dashboard: no token is set"),
    },
  }, async (c) => {
    if (!auth) return c.redirect("/", 302);
    return c.body(await Deno.readFile(LOGIN_PAGE), 200, {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-cache",
      "x-content-type-options": "nosniff",
      "x-frame-options": "DENY",
    });
  });

  plain(r, {
    method: "post",
    path: "/api/login",
    tags,
    summary: "Sign in: sets the session cookie",
    description: "A form (`token`, `next`) gets 303 redirects: to `next` (a local path) or `/` " +
      "signed in, to `/login?failed` otherwise (`/login?throttled` after 5 wrong tokens from " +
      "one address within a minute: then every token it sends is refused for a minute, " +
      "doubling for repeated blocks; and after 50 wrong tokens a minute from all addresses " +
      "together, for addresses that have not signed in within a day). Each sign-in opens a new " +
      "random session (30 days). JSON gets 204, 401 or 429. Without LOSSBENCH_TOKEN it always " +
      "succeeds and sets no cookie.",
    request: {
      body: {
        content: {
          "application/json": { schema: z.object({ token: z.string() }) },
          "application/x-www-form-urlencoded": {
            schema: z.object({ token: z.string(), next: z.string().optional() }),
          },
        },
      },
    },
    responses: {
      204: { description: "Signed in (JSON); Set-Cookie holds the session", headers: cookie },
      303: redirect("Signed in or not (a form)"),
      401: err("Invalid token (JSON)"),
    },
  }, async (c) => {
    const json = /^application\/json\s*(;|$)/i.test(c.req.header("content-type") ?? "");
    let token: unknown;
    let next: unknown;
    try {
      if (json) ({ token } = await c.req.json());
      else ({ token, next } = await c.req.parseBody());
    } catch {
      token = undefined;
    }
    if (!auth) return json ? c.body(null, 204) : c.redirect("/", 303);
    const key = clientKey(c);
    if (auth.throttle.retryAfter(key) > 0) {
      if (json) return throttled(c, auth, key)!;
      return c.redirect("/login?throttled", 303);
    }
    if (typeof token !== "string" || !auth.checkToken(token.trim())) {
      auth.throttle.fail(key);
      if (json) return c.json({ error: "invalid token" }, 401);
      return c.redirect("/login?failed", 303);
    }
    auth.throttle.succeed(key);
    // A fresh id at every sign-in (no fixation); the old session, if any, ends.
    const old = auth.sessionOf(c.req.raw);
    if (old) await auth.sessions.revoke(old);
    c.header("set-cookie", setCookie(c, await auth.sessions.open()));
    return json ? c.body(null, 204) : c.redirect(localPath(next), 303);
  });

  plain(r, {
    method: "post",
    path: "/api/logout",
    tags,
    summary: "Sign out: ends the session and clears its cookie",
    description: "The session is revoked on the server, so a copy of its cookie no longer " +
      "works. 204 when the request sends or accepts JSON, else 303 to /login.",
    responses: {
      204: { description: "Signed out", headers: cookie },
      303: redirect("Signed out: to /login"),
    },
  }, async (c) => {
    // The session ends on the server too: a copy of the cookie is worthless from now on.
    const sid = auth?.sessionOf(c.req.raw);
    if (auth && sid) await auth.sessions.revoke(sid);
    c.header("set-cookie", setCookie(c, ""));
    const json = (c.req.header("accept") ?? "").includes("application/json") ||
      /^application\/json/i.test(c.req.header("content-type") ?? "");
    return json ? c.body(null, 204) : c.redirect("/login", 303);
  });

  return r;
}

const cookie = { "set-cookie": { schema: { type: "string" as const } } };
const redirect = (description: string) => ({
  description,
  headers: { location: { schema: { type: "string" as const } } },
});
