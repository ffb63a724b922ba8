// Streaming reader for .tar.gz (or plain .tar) files: tar-stream parses, node:zlib
// gunzips, and nothing but the wanted members is ever held in memory.
import { createReadStream } from "node:fs";
import { createGunzip } from "node:zlib";
import tarStream from "tar-stream";

export interface TarEntry {
  /** Member path with any leading "./" removed; directories keep no trailing "/". */
  name: string;
  type: "file" | "directory" | "other";
  size: number;
  /** The member's bytes (a standalone copy), or null when `want` declined it. */
  data: Uint8Array | null;
}

export interface ReadTarOptions {
  /** Whether to keep a file member's bytes; others are skipped without copying. */
  want?: (name: string, size: number) => boolean;
  signal?: AbortSignal;
}

const GZIP_MAGIC = [0x1f, 0x8b];

/** True when the first bytes look like a gzip stream or a ustar/v7 tar header. */
export function looksLikeTar(head: Uint8Array): boolean {
  if (head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1]) return true;
  const magic = new TextDecoder().decode(head.subarray(257, 262));
  return magic === "ustar";
}

async function readHead(path: string, n: number): Promise<Uint8Array> {
  using file = await Deno.open(path);
  const buf = new Uint8Array(n);
  let got = 0;
  while (got < n) {
    const r = await file.read(buf.subarray(got));
    if (r === null) break;
    got += r;
  }
  return buf.subarray(0, got);
}

function normalize(name: string): string {
  return name.replace(/^(\.\/)+/, "").replace(/\/+$/, "");
}

/**
 * Yields the members of the archive at `path` in archive order. A corrupt or
 * truncated archive throws an Error naming `label` and the member being read.
 */
export async function* readTar(
  path: string,
  label: string,
  opts: ReadTarOptions = {},
): AsyncGenerator<TarEntry> {
  const head = await readHead(path, 2);
  const gzipped = head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  const source = createReadStream(path);
  const gunzip = gzipped ? createGunzip() : null;
  const extract = tarStream.extract();
  const fail = (e: Error) => extract.destroy(e);
  source.on("error", fail);
  gunzip?.on("error", fail);
  if (gunzip) source.pipe(gunzip).pipe(extract);
  else source.pipe(extract);

  let current = "";
  try {
    for await (const entry of extract) {
      opts.signal?.throwIfAborted();
      const h = entry.header;
      const name = normalize(h.name);
      current = name;
      const type = h.type === "file" || h.type === "contiguous-file"
        ? "file"
        : h.type === "directory"
        ? "directory"
        : "other";
      const size = h.size ?? 0;
      let data: Uint8Array | null = null;
      if (type === "file" && (opts.want?.(name, size) ?? true)) {
        // Copy out of tar-stream's chunks: a view would pin the whole gunzip chunk.
        data = new Uint8Array(size);
        let off = 0;
        for await (const chunk of entry) {
          data.set(chunk as Uint8Array, off);
          off += (chunk as Uint8Array).length;
        }
        if (off !== size) throw new Error(`member ${name} is truncated (${off} of ${size} bytes)`);
      } else {
        entry.resume();
        await new Promise<void>((resolve, reject) => {
          entry.on("end", resolve);
          entry.on("error", reject);
        });
      }
      current = "";
      yield { name, type, size, data };
    }
  } catch (e) {
    if ((e as Error).name === "AbortError") throw e;
    const at = current ? ` while reading member ${current}` : "";
    throw new Error(`${label}: corrupt or truncated archive${at}: ${(e as Error).message}`, {
      cause: e,
    });
  } finally {
    source.destroy();
    gunzip?.destroy();
    extract.destroy();
  }
}
