// The decoded-data cache: one file per source content, holding the uint8
// arrays exactly as a Dataset carries them, so a warm start is one sequential
// read. Files are written to a temp name and renamed, so a crash or an error
// never leaves a half-written entry under the final name.
import type { Dataset, Split } from "../types.ts";
import { sha256Hex } from "./hash.ts";

const MAGIC = "LBDS";
/** Bump when the layout or the decoding rules change: old entries are then ignored. */
const FORMAT_VERSION = 1;

interface Header {
  /** The JPEG decoder's identity (jpeg.ts jpegDecoderId) for image folders; absent otherwise. */
  decoder?: string;
  name: string;
  classes: string[];
  height: number;
  width: number;
  channels: number;
  trainCount: number;
  testCount: number;
  /** Image folders: each train image's path (Dataset.trainFiles). */
  trainFiles?: string[];
}

/**
 * `<cacheDir>/decoded/<kind>-<hash>.lbds`, keyed by the source content's hash
 * and, where the pixels depend on it, the decoder's identity and version: a
 * set decoded by another decoder (or another version of it) is another entry.
 */
export function decodedCachePath(
  cacheDir: string,
  kind: string,
  contentKey: string,
  decoder?: string,
): string {
  const what = `${FORMAT_VERSION}\0${kind}\0${contentKey}${decoder ? `\0${decoder}` : ""}`;
  return `${cacheDir}/decoded/${kind}-${sha256Hex(what).slice(0, 32)}.lbds`;
}

/** Writes through `fill` into a temp file beside `path`, then renames it into place. */
export async function writeAtomic(
  path: string,
  fill: (file: Deno.FsFile) => Promise<void>,
): Promise<void> {
  const dir = path.slice(0, path.lastIndexOf("/")) || ".";
  await Deno.mkdir(dir, { recursive: true });
  const tmp = `${path}.tmp-${crypto.randomUUID()}`;
  try {
    {
      using file = await Deno.open(tmp, { write: true, createNew: true });
      await fill(file);
      await file.syncData();
    }
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}

export async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  for (let off = 0; off < bytes.length;) off += await file.write(bytes.subarray(off));
}

async function readExactly(file: Deno.FsFile, n: number): Promise<Uint8Array | null> {
  const buf = new Uint8Array(n);
  for (let off = 0; off < n;) {
    const r = await file.read(buf.subarray(off));
    if (r === null) return null;
    off += r;
  }
  return buf;
}

export async function writeDecoded(path: string, ds: Dataset, decoder?: string): Promise<void> {
  const header: Header = {
    ...(decoder ? { decoder } : {}),
    name: ds.name,
    classes: ds.classes,
    height: ds.height,
    width: ds.width,
    channels: ds.channels,
    trainCount: ds.train.count,
    testCount: ds.test.count,
    ...(ds.trainFiles ? { trainFiles: ds.trainFiles } : {}),
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const prefix = new Uint8Array(12);
  prefix.set(new TextEncoder().encode(MAGIC));
  const view = new DataView(prefix.buffer);
  view.setUint32(4, FORMAT_VERSION, true);
  view.setUint32(8, json.length, true);
  await writeAtomic(path, async (file) => {
    for (
      const part of [prefix, json, ds.train.images, ds.train.labels, ds.test.images, ds.test.labels]
    ) await writeAll(file, part);
  });
}

/**
 * Reads a cache entry into standalone arrays (each with its own buffer, so
 * posting a split to a worker copies only that split). Returns null when the
 * entry is missing, from another format version or decoder, or not the expected size.
 */
export async function readDecoded(path: string, decoder?: string): Promise<Dataset | null> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
  using _ = file;
  const prefix = await readExactly(file, 12);
  if (!prefix || new TextDecoder().decode(prefix.subarray(0, 4)) !== MAGIC) return null;
  const view = new DataView(prefix.buffer);
  if (view.getUint32(4, true) !== FORMAT_VERSION) return null;
  const jsonBytes = await readExactly(file, view.getUint32(8, true));
  if (!jsonBytes) return null;
  let h: Header;
  try {
    h = JSON.parse(new TextDecoder().decode(jsonBytes));
  } catch {
    return null; // damaged entry: decode again and overwrite it
  }
  if (h.decoder !== decoder) return null; // the path says so already; the header makes sure
  const pixels = h.height * h.width * h.channels;
  const size = (await file.stat()).size;
  if (size !== 12 + jsonBytes.length + (h.trainCount + h.testCount) * (pixels + 1)) return null;
  const split = async (count: number): Promise<Split> => ({
    images: (await readExactly(file, count * pixels))!,
    labels: (await readExactly(file, count))!,
    count,
  });
  const train = await split(h.trainCount);
  const test = await split(h.testCount);
  return {
    name: h.name,
    classes: h.classes,
    height: h.height,
    width: h.width,
    channels: h.channels,
    train,
    test,
    ...(Array.isArray(h.trainFiles) && h.trainFiles.length === h.trainCount
      ? { trainFiles: h.trainFiles }
      : {}),
  };
}

/** Temp names: writeAtomic's `.tmp-<uuid>`, download's `.part-<uuid>`, loadUrl's `<uuid>.download`. */
const TEMP = /(\.(tmp|part)-[0-9a-f]{8}-[0-9a-f-]{27}|^[0-9a-f]{8}-[0-9a-f-]{27}\.download)$/;
/**
 * A temp file written to within this long may belong to another process that
 * shares the cache (a CLI run decoding, a download): writers touch theirs at
 * least every minute (the download stall timeout), so older ones are orphans.
 */
export const TEMP_GRACE_MS = 2 * 60_000;

/**
 * Removes temp files that an interrupted write left in `cacheDir` (a kill
 * during a decode-cache write or a download leaves up to the whole file):
 * those last modified before this process started and at least TEMP_GRACE_MS
 * ago. Returns the removed files' paths and total size. A missing cache is
 * empty; files that vanish meanwhile are skipped.
 */
export async function sweepStaleTemps(
  cacheDir: string,
  olderThan = Math.min(performance.timeOrigin, Date.now() - TEMP_GRACE_MS),
): Promise<{ removed: string[]; bytes: number }> {
  const removed: string[] = [];
  let bytes = 0;
  async function walk(dir: string, depth: number) {
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(dir));
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return;
      throw e;
    }
    for (const e of entries) {
      const path = `${dir}/${e.name}`;
      if (e.isDirectory && depth < 3) await walk(path, depth + 1);
      if (!e.isFile || !TEMP.test(e.name)) continue;
      try {
        const info = await Deno.stat(path);
        if ((info.mtime?.getTime() ?? Infinity) >= olderThan) continue;
        await Deno.remove(path);
        removed.push(path);
        bytes += info.size;
      } catch (err) {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
      }
    }
  }
  await walk(cacheDir, 0);
  return { removed, bytes };
}

const swept = new Map<string, ReturnType<typeof sweepStaleTemps>>();

/** sweepStaleTemps once per cache directory per process (the first load, or start-up). */
export function sweepStaleTempsOnce(
  cacheDir: string,
  log?: (msg: string) => void,
): ReturnType<typeof sweepStaleTemps> {
  let p = swept.get(cacheDir);
  if (!p) {
    p = sweepStaleTemps(cacheDir).then((r) => {
      if (r.removed.length) {
        log?.(
          `cache: removed ${r.removed.length} stale temp file(s), ` +
            `${(r.bytes / 1e6).toFixed(1)} MB, left by an interrupted write`,
        );
      }
      return r;
    }, (e) => {
      // Cleanup is housekeeping: it must never stop a data set from loading.
      log?.(`cache: could not look for stale temp files: ${(e as Error).message}`);
      return { removed: [], bytes: 0 };
    });
    swept.set(cacheDir, p);
  }
  return p;
}
