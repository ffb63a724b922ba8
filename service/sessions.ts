// Dashboard sessions (OWASP's session management guidance): each sign-in gets
// a random 256-bit id, the only thing its cookie holds. The server keeps the
// session under the id's SHA-256 (a copy of the KV file holds no usable id)
// with its expiry and a fingerprint of the token it was opened under:
// signing out deletes it, it lapses after `ttlMs` (the sweep in retention.ts
// removes the record later; no KV record expires by itself, see wal.ts), and
// a changed LOSSBENCH_TOKEN ends every session opened under the old one, also
// if the token is later changed back.
import { createHash } from "node:crypto";

interface Session {
  /** SHA-256 of "lossbench token v1" and the token, base64url. */
  token: string;
  created: number;
  expires: number;
}

const PREFIX = "session";

export function tokenFingerprint(token: string): string {
  return createHash("sha256").update("lossbench token v1\0").update(token).digest("base64url");
}

function keyOf(id: string): string {
  return createHash("sha256").update(id).digest("base64url");
}

export class SessionStore {
  /** Without a KV (app.request tests): kept in memory. */
  #memory = new Map<string, Session>();
  #ready?: Promise<void>;

  constructor(
    private readonly token: string,
    private readonly kv?: Deno.Kv,
    readonly ttlMs = 30 * 24 * 3600_000,
  ) {}

  /**
   * Once per process: when the token is not the one the stored sessions were opened under,
   * they are all deleted, so that changing the token back does not bring them back.
   */
  #sweep(): Promise<void> {
    const kv = this.kv;
    if (!kv) return Promise.resolve();
    return this.#ready ??= (async () => {
      const current = tokenFingerprint(this.token);
      const seen = await kv.get<string>([PREFIX + "_token"]);
      if (seen.value === current) return;
      const keys: Deno.KvKey[] = [];
      for await (const e of kv.list({ prefix: [PREFIX] })) keys.push(e.key);
      for (let i = 0; i < keys.length; i += 500) {
        const op = kv.atomic();
        for (const k of keys.slice(i, i + 500)) op.delete(k);
        await op.commit();
      }
      await kv.set([PREFIX + "_token"], current);
    })().catch(() => {
      // Storage failing: sessions of another token still fail their fingerprint; retry later.
      this.#ready = undefined;
    });
  }

  /** Opens a session; returns the id the cookie carries. */
  async open(now = Date.now()): Promise<string> {
    await this.#sweep();
    const id = crypto.getRandomValues(new Uint8Array(32));
    const sid = btoa(String.fromCharCode(...id)).replace(/\+/g, "-").replace(/\//g, "_")
      .replace(/=+$/, "");
    const s: Session = {
      token: tokenFingerprint(this.token),
      created: now,
      expires: now + this.ttlMs,
    };
    if (this.kv) await this.kv.set([PREFIX, keyOf(sid)], s);
    else this.#memory.set(keyOf(sid), s);
    return sid;
  }

  /** Whether `id` names a live session opened under the current token. */
  async valid(id: string, now = Date.now()): Promise<boolean> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(id)) return false;
    await this.#sweep();
    const s = this.kv
      ? (await this.kv.get<Session>([PREFIX, keyOf(id)])).value
      : this.#memory.get(keyOf(id));
    return s !== null && s !== undefined && s.expires > now &&
      s.token === tokenFingerprint(this.token);
  }

  /** Ends the session (sign-out); unknown ids are ignored. */
  async revoke(id: string): Promise<void> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(id)) return;
    if (this.kv) await this.kv.delete([PREFIX, keyOf(id)]);
    else this.#memory.delete(keyOf(id));
  }
}
