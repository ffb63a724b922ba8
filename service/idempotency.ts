// Stored answers to requests made with an Idempotency-Key (the IETF httpapi
// draft, as payment APIs use it): a client that lost the acknowledgement of a
// POST retries with the same key and gets the first answer back instead of
// queueing the work twice. Kept in KV for `ttlMs` (24 h; a record past its
// `expires` counts as absent, and the sweep in retention.ts removes it: no KV
// record expires by itself, see wal.ts), keyed by route and
// the key's SHA-256, with the SHA-256 of the request they answered. A key is
// reserved (atomically) while its first request runs, so two concurrent
// requests with one key never both run. A response can outgrow a KV value
// (64 KiB): its body is kept in chunks beside the record.
import { createHash } from "node:crypto";

export interface StoredResponse {
  status: number;
  headers: [string, string][];
  body: string;
}

interface Record {
  /** SHA-256 of the request (method, path, body). */
  request: string;
  /** Epoch ms after which the record counts as absent. */
  expires?: number;
  state: "pending" | "done";
  status?: number;
  headers?: [string, string][];
  chunks?: number;
}

export type Claim =
  | { kind: "claimed" }
  | { kind: "replay"; response: StoredResponse }
  | { kind: "mismatch" }
  | { kind: "in-flight" };

const CHUNK = 60_000;
/** A pending reservation lapses after this, should its process die mid-request. */
const PENDING_MS = 120_000;

export const sha256 = (s: string) => createHash("sha256").update(s).digest("base64url");

export class IdempotencyStore {
  constructor(private readonly kv: Deno.Kv, readonly ttlMs = 24 * 3600_000) {}

  #key(scope: string, key: string): Deno.KvKey {
    return ["idem", scope, sha256(key)];
  }

  /** Reserves `key` for this request, or says what was answered before. */
  async claim(scope: string, key: string, request: string): Promise<Claim> {
    const k = this.#key(scope, key);
    for (let attempt = 0; attempt < 3; attempt++) {
      const seen = await this.kv.get<Record>(k);
      if (seen.value === null || (seen.value.expires ?? Infinity) <= Date.now()) {
        const rec: Record = { request, state: "pending", expires: Date.now() + PENDING_MS };
        const ok = await this.kv.atomic().check(seen).set(k, rec).commit();
        if (ok.ok) return { kind: "claimed" };
        continue; // someone else reserved it first: look again
      }
      if (seen.value.request !== request) return { kind: "mismatch" };
      if (seen.value.state === "pending") return { kind: "in-flight" };
      const parts: string[] = [];
      for (let i = 0; i < (seen.value.chunks ?? 0); i++) {
        parts.push((await this.kv.get<string>([...k, i])).value ?? "");
      }
      return {
        kind: "replay",
        response: {
          status: seen.value.status!,
          headers: seen.value.headers!,
          body: parts.join(""),
        },
      };
    }
    return { kind: "in-flight" };
  }

  /** Keeps the answer to a claimed key. */
  async complete(scope: string, key: string, request: string, res: StoredResponse): Promise<void> {
    const k = this.#key(scope, key);
    const chunks = Math.ceil(res.body.length / CHUNK);
    // Chunks first, in commits of a bounded size; then the record that points at them.
    for (let i = 0; i < chunks; i += 8) {
      const op = this.kv.atomic();
      for (let j = i; j < Math.min(chunks, i + 8); j++) {
        op.set([...k, j], res.body.slice(j * CHUNK, (j + 1) * CHUNK));
      }
      await op.commit();
    }
    const rec: Record = {
      request,
      state: "done",
      status: res.status,
      headers: res.headers,
      chunks,
      expires: Date.now() + this.ttlMs,
    };
    await this.kv.set(k, rec);
  }

  /** Gives a claimed key up (the request failed: a retry may run it again). */
  async release(scope: string, key: string): Promise<void> {
    await this.kv.delete(this.#key(scope, key));
  }
}
