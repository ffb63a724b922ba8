// The Host-header allow-list. A DNS-rebinding page runs on the attacker's
// name but reaches this server's address, so the browser sends that name in
// Host: answering only to names the operator expects keeps such a page from
// reading or starting runs on a loopback service. On by default.
//
// Accepted: localhost, 127.0.0.1 and [::1]; the bound address (HOST); on a
// wildcard bind (0.0.0.0 or ::) any IP-address literal too (a page cannot
// rebind an IP literal: its origin would be that address itself); and names in
// LOSSBENCH_ALLOWED_HOSTS. These match without a port or with the bound port;
// an allow-list entry without a port matches any port (for reverse proxies),
// one with a port only that port. `*` in the list turns the check off.
import type { MiddlewareHandler } from "hono";

const LOOPBACK = ["localhost", "127.0.0.1", "[::1]"];
const WILDCARD = new Set(["0.0.0.0", "::", "[::]"]);

/** A Host header split into a lowercased name (IPv6 in brackets) and its port. */
export function parseHost(v: string): { name: string; port?: number } | null {
  const s = v.trim().toLowerCase();
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9_.-]+)(?::(\d{1,5}))?$/.exec(s);
  if (!m) return null;
  const name = m[1].replace(/\.$/, "");
  return { name, port: m[2] === undefined ? undefined : Number(m[2]) };
}

/** `HOST` as it appears in a Host header: IPv6 gets brackets. */
function hostName(bind: string): string {
  const h = bind.trim().toLowerCase();
  return h.includes(":") && !h.startsWith("[") ? `[${h}]` : h;
}

/** Parses LOSSBENCH_ALLOWED_HOSTS ("name,name:port,*"); throws naming a malformed entry. */
export function parseAllowedHosts(env: string | undefined): string[] {
  const out: string[] = [];
  for (const part of (env ?? "").split(",").map((s) => s.trim()).filter(Boolean)) {
    if (part === "*") {
      out.push("*");
      continue;
    }
    const h = parseHost(part);
    if (!h) throw new Error(`LOSSBENCH_ALLOWED_HOSTS: "${part}" is not a host name or host:port`);
    out.push(h.port === undefined ? h.name : `${h.name}:${h.port}`);
  }
  return out;
}

const isIpLiteral = (name: string) =>
  /^\d{1,3}(\.\d{1,3}){3}$/.test(name) || /^\[[0-9a-f:.]+\]$/.test(name);

export class HostAllowList {
  readonly any: boolean;
  readonly wildcard: boolean;
  #names: Set<string>;
  #listed: Set<string>;
  /** The bound port, once known (PORT=0 picks one at listen time). */
  port?: number;

  constructor(bindHost: string, allowed: string[] = []) {
    this.any = allowed.includes("*");
    this.wildcard = WILDCARD.has(hostName(bindHost));
    this.#names = new Set([...LOOPBACK, ...(this.wildcard ? [] : [hostName(bindHost)])]);
    this.#listed = new Set(allowed.filter((a) => a !== "*"));
  }

  /** Whether a request with this Host header may be answered (absent: not a browser). */
  allows(host: string | undefined): boolean {
    if (this.any || host === undefined) return true;
    const h = parseHost(host);
    if (!h) return false;
    if (h.port !== undefined && this.#listed.has(`${h.name}:${h.port}`)) return true;
    if (this.#listed.has(h.name)) return true;
    const ours = this.#names.has(h.name) || (this.wildcard && isIpLiteral(h.name));
    return ours && (h.port === undefined || this.port === undefined || h.port === this.port);
  }

  /** What is accepted, for the start-up log and the 421 message. */
  describe(): string {
    if (this.any) return "any host (LOSSBENCH_ALLOWED_HOSTS=*)";
    const names = [...this.#names, ...(this.wildcard ? ["any IP address"] : []), ...this.#listed];
    return names.join(", ");
  }
}

/** Answers 421 to a request whose Host header is not on the list. */
export function hostCheck(list: HostAllowList): MiddlewareHandler {
  return async (c, next) => {
    const host = c.req.header("host");
    if (!list.allows(host)) {
      return c.json({
        error: `host "${host!.slice(0, 100)}" is not allowed (this server answers to ` +
          `${list.describe()}); to allow it, add it to LOSSBENCH_ALLOWED_HOSTS (comma-separated)`,
      }, 421);
    }
    await next();
  };
}
