// HTTP downloads that cannot poison the cache: bytes stream into a temp file
// while being hashed; only a complete body (Content-Length matched, MD5 matched
// when one is expected) is renamed to its final name.
import { createHash } from "node:crypto";
import { writeAll } from "./cache.ts";

export interface DownloadOptions {
  /** Expected MD5 (hex); a mismatch discards the download. */
  md5?: string;
  onProgress?: (msg: string) => void;
  signal?: AbortSignal;
  /** How long to wait for the response headers: fail fast when offline. */
  connectTimeoutMs?: number;
  /** How long the body may stall before the download is abandoned. */
  stallTimeoutMs?: number;
}

export interface Downloaded {
  bytes: number;
  md5: string;
  sha256: string;
}

const MB = 1e6;

/** Network or HTTP failures, so callers can add advice (for example, how to work offline). */
export class DownloadError extends Error {
  override name = "DownloadError";
}

/** Downloads `url` to `dest` (temp file + rename). */
export async function download(
  url: string,
  dest: string,
  opts: DownloadOptions = {},
): Promise<Downloaded> {
  const timeout = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout.signal]) : timeout.signal;
  let timer = setTimeout(
    () =>
      timeout.abort(new DownloadError(`no response within ${opts.connectTimeoutMs ?? 15000} ms`)),
    opts.connectTimeoutMs ?? 15_000,
  );
  const stall = () => {
    clearTimeout(timer);
    const ms = opts.stallTimeoutMs ?? 60_000;
    timer = setTimeout(
      () => timeout.abort(new DownloadError(`no data received for ${ms} ms`)),
      ms,
    );
  };
  const dir = dest.slice(0, dest.lastIndexOf("/")) || ".";
  const tmp = `${dest}.part-${crypto.randomUUID()}`;
  try {
    let res: Response;
    try {
      res = await fetch(url, { signal });
    } catch (e) {
      opts.signal?.throwIfAborted();
      const reason = timeout.signal.aborted ? timeout.signal.reason : e;
      throw new DownloadError(`cannot fetch ${url}: ${(reason as Error).message ?? reason}`);
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new DownloadError(`cannot fetch ${url}: HTTP ${res.status} ${res.statusText}`);
    }
    const declared = Number(res.headers.get("content-length") ?? NaN);
    const total = Number.isFinite(declared) ? declared : undefined;
    const name = url.split("/").pop() || url;
    opts.onProgress?.(
      `downloading ${url}` + (total ? ` (${(total / MB).toFixed(1)} MB)` : ""),
    );
    await Deno.mkdir(dir, { recursive: true });
    const md5 = createHash("md5");
    const sha256 = createHash("sha256");
    let bytes = 0;
    let nextReport = 0.1;
    {
      using file = await Deno.open(tmp, { write: true, createNew: true });
      stall();
      try {
        for await (const chunk of res.body!) {
          stall();
          md5.update(chunk);
          sha256.update(chunk);
          await writeAll(file, chunk);
          bytes += chunk.length;
          if (total && bytes / total >= nextReport) {
            opts.onProgress?.(
              `downloading ${name}: ${Math.floor((100 * bytes) / total)}% ` +
                `(${(bytes / MB).toFixed(1)} of ${(total / MB).toFixed(1)} MB)`,
            );
            nextReport = Math.floor((10 * bytes) / total) / 10 + 0.1;
          }
        }
      } catch (e) {
        opts.signal?.throwIfAborted();
        const reason = timeout.signal.aborted ? timeout.signal.reason : e;
        throw new DownloadError(
          `download of ${url} failed after ${bytes} bytes: ${(reason as Error).message ?? reason}`,
        );
      }
    }
    if (total !== undefined && bytes !== total) {
      throw new DownloadError(`download of ${url} is truncated: ${bytes} of ${total} bytes`);
    }
    const got = { bytes, md5: md5.digest("hex"), sha256: sha256.digest("hex") };
    if (opts.md5 && got.md5 !== opts.md5.toLowerCase()) {
      throw new Error(
        `download of ${url} has MD5 ${got.md5}, expected ${opts.md5} (${bytes} bytes); discarded`,
      );
    }
    await Deno.rename(tmp, dest);
    return got;
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  } finally {
    clearTimeout(timer);
  }
}
