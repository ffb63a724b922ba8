// Content hashes for cache keys and download checks (node:crypto, streamed).
import { createHash, type Hash } from "node:crypto";

/** Feeds the file at `path` through the given hashes, in 1 MiB reads. */
export async function hashFile(
  path: string,
  algorithms: string[],
  signal?: AbortSignal,
): Promise<string[]> {
  const hashes = algorithms.map((a) => createHash(a));
  using file = await Deno.open(path);
  const buf = new Uint8Array(1 << 20);
  for (;;) {
    signal?.throwIfAborted();
    const n = await file.read(buf);
    if (n === null) break;
    for (const h of hashes) h.update(buf.subarray(0, n));
  }
  return hashes.map((h) => h.digest("hex"));
}

export async function sha256File(path: string, signal?: AbortSignal): Promise<string> {
  return (await hashFile(path, ["sha256"], signal))[0];
}

export async function md5File(path: string, signal?: AbortSignal): Promise<string> {
  return (await hashFile(path, ["md5"], signal))[0];
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Hashes (path, bytes) pairs unambiguously: each path and length precede its bytes. */
export function hashFiles(files: { path: string; data: Uint8Array }[]): string {
  const h: Hash = createHash("sha256");
  for (const f of files) {
    h.update(`${f.path}\0${f.data.length}\0`);
    h.update(f.data);
  }
  return h.digest("hex");
}
