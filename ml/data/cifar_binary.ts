// CIFAR-10 from the official binary archive (cifar-10-binary.tar.gz): fetched
// once into the cache with its MD5 checked, parsed from the expected members
// only, and kept decoded in the decoded-data cache for fast warm starts.
import type { Dataset, Split } from "../types.ts";
import { decodedCachePath, readDecoded, writeDecoded } from "./cache.ts";
import { download, DownloadError } from "./download.ts";
import { md5File } from "./hash.ts";
import { readTar } from "./tar.ts";
import { type LoadOptions, showPath } from "./options.ts";

export const CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz";
export const CIFAR10_MD5 = "c32a1d4ab5d03f1284b67883e8d87530";
export const CIFAR10_FILE = "cifar-10-binary.tar.gz";
const CIFAR10_BYTES = 170_052_171;

const SIDE = 32;
const PLANE = SIDE * SIDE;
const IMAGE = 3 * PLANE;
/** One label byte, then the red, green and blue planes, rows top to bottom. */
export const RECORD_BYTES = 1 + IMAGE;

const DIR = "cifar-10-batches-bin";
const TRAIN_MEMBERS = [1, 2, 3, 4, 5].map((i) => `${DIR}/data_batch_${i}.bin`);
const TEST_MEMBER = `${DIR}/test_batch.bin`;
const META_MEMBER = `${DIR}/batches.meta.txt`;

/** Where the archive comes from: a URL or local path (CIFAR10_URL), and its MD5 (CIFAR10_MD5). */
export interface CifarSource {
  url?: string;
  md5?: string;
}

/**
 * Converts one batch file's records to HWC images in place (the output of each
 * record never overtakes its input), returning views of the converted bytes.
 */
export function parseBatch(bytes: Uint8Array, member: string, numClasses: number): Split {
  if (bytes.length === 0 || bytes.length % RECORD_BYTES !== 0) {
    throw new Error(
      `${member}: ${bytes.length} bytes is not a whole number of ${RECORD_BYTES}-byte records`,
    );
  }
  const count = bytes.length / RECORD_BYTES;
  const labels = new Uint8Array(count);
  const chw = new Uint8Array(IMAGE);
  for (let r = 0; r < count; r++) {
    const src = r * RECORD_BYTES;
    const label = bytes[src];
    if (label >= numClasses) {
      throw new Error(
        `${member}: record ${r} has label ${label}, but there are ${numClasses} classes`,
      );
    }
    labels[r] = label;
    chw.set(bytes.subarray(src + 1, src + RECORD_BYTES));
    const dst = r * IMAGE;
    for (let p = 0; p < PLANE; p++) {
      bytes[dst + 3 * p] = chw[p];
      bytes[dst + 3 * p + 1] = chw[PLANE + p];
      bytes[dst + 3 * p + 2] = chw[2 * PLANE + p];
    }
  }
  return { images: bytes.subarray(0, count * IMAGE), labels, count };
}

function concatSplits(parts: Split[]): Split {
  const count = parts.reduce((n, p) => n + p.count, 0);
  const images = new Uint8Array(count * IMAGE);
  const labels = new Uint8Array(count);
  let n = 0;
  for (const p of parts) {
    images.set(p.images, n * IMAGE);
    labels.set(p.labels, n);
    n += p.count;
  }
  return { images, labels, count };
}

/** Parses an archive of the official layout (members may come in any order). */
export async function readCifarArchive(
  path: string,
  label: string,
  signal?: AbortSignal,
): Promise<Dataset> {
  const wanted = new Set([...TRAIN_MEMBERS, TEST_MEMBER, META_MEMBER]);
  const found = new Map<string, Uint8Array>();
  for await (const e of readTar(path, label, { want: (name) => wanted.has(name), signal })) {
    if (e.data) found.set(e.name, e.data);
  }
  const missing = [...wanted].filter((m) => !found.has(m));
  if (missing.length) throw new Error(`${label}: missing member(s) ${missing.join(", ")}`);

  const classes = new TextDecoder().decode(found.get(META_MEMBER)).split(/\r?\n/)
    .map((s) => s.trim()).filter((s) => s.length > 0);
  if (classes.length === 0 || classes.length > 256) {
    throw new Error(`${label}: ${META_MEMBER} lists ${classes.length} class names`);
  }
  const batch = (m: string) => parseBatch(found.get(m)!, `${label}: ${m}`, classes.length);
  const trainParts = TRAIN_MEMBERS.map(batch);
  const test = batch(TEST_MEMBER);
  found.clear();
  return {
    name: "cifar10",
    classes,
    height: SIDE,
    width: SIDE,
    channels: 3,
    train: concatSplits(trainParts),
    // Copy so the test split owns a buffer of its own size (workers get posted splits).
    test: concatSplits([test]),
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

function isHttp(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

/** Loads CIFAR-10: decoded cache, else the cached/local archive, else a download. */
export async function loadCifar10(opts: LoadOptions, source: CifarSource = {}): Promise<Dataset> {
  const md5 = (source.md5 ?? CIFAR10_MD5).toLowerCase();
  const say = opts.onProgress ?? (() => {});
  const decodedPath = decodedCachePath(opts.cacheDir, "cifar10", md5);
  const cached = await readDecoded(decodedPath);
  if (cached) {
    say(`cifar10: loaded from decoded cache ${decodedPath}`);
    return cached;
  }

  const cachedArchive = `${opts.cacheDir}/${CIFAR10_FILE}`;
  const url = source.url ?? CIFAR10_URL;
  let archive: string;
  if (!isHttp(url) && source.url) {
    // A local copy is used in place; it must still be the expected file.
    archive = url.startsWith("file://") ? new URL(url).pathname : url;
    if (!(await exists(archive))) {
      throw new Error(`cifar10: CIFAR10_URL file${showPath(opts, ` ${archive}`, "")} not found`);
    }
    await checkMd5(archive, showPath(opts, archive, "the CIFAR10_URL file"), md5, opts.signal);
  } else if (await exists(cachedArchive)) {
    archive = cachedArchive;
    await checkMd5(archive, showPath(opts, archive, "the cached archive"), md5, opts.signal);
  } else {
    archive = cachedArchive;
    try {
      await download(url, cachedArchive, {
        md5,
        onProgress: say,
        signal: opts.signal,
        connectTimeoutMs: 15_000,
      });
    } catch (e) {
      if (!(e instanceof DownloadError)) throw e;
      throw new Error(
        `cifar10: ${e.message}. This machine may be offline. Provide the official archive ` +
          `(${CIFAR10_FILE}, ${CIFAR10_BYTES.toLocaleString("en-US")} bytes, MD5 ${CIFAR10_MD5}) ` +
          `by setting CIFAR10_URL to a local copy or a reachable mirror, or by putting the file ` +
          `${showPath(opts, `at ${cachedArchive}`, "in the data cache (LOSSBENCH_CACHE)")}.`,
        { cause: e },
      );
    }
  }

  say(`cifar10: reading ${archive}`);
  const ds = await readCifarArchive(archive, showPath(opts, archive, "cifar10"), opts.signal);
  await writeDecoded(decodedPath, ds);
  say(`cifar10: ${ds.train.count} train, ${ds.test.count} test; decoded cache ${decodedPath}`);
  return ds;
}

async function checkMd5(
  path: string,
  shown: string,
  md5: string,
  signal?: AbortSignal,
): Promise<void> {
  const got = await md5File(path, signal);
  if (got !== md5) {
    throw new Error(
      `cifar10: ${shown} has MD5 ${got}, expected ${md5}: it is not the official ` +
        `${CIFAR10_FILE} (replace or delete it)`,
    );
  }
}
