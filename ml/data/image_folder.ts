// Image-folder data sets: train/<class>/* and test/<class>/* PNG or JPEG files
// of one size, from a directory, a .tar.gz/.tgz (or .tar), or an http(s) URL
// of an archive. Decoded once; the result is cached under a hash of the
// source's content and the JPEG decoder's identity.
import type { Dataset, Split } from "../types.ts";
import { decodedCachePath, readDecoded, writeAll, writeAtomic, writeDecoded } from "./cache.ts";
import { download } from "./download.ts";
import { hashFiles, sha256File, sha256Hex } from "./hash.ts";
import { decodeImageInto, type ImageInfo, probeImage, sniffFormat } from "./image_codec.ts";
import { DEFAULT_JPEG_DECODER, jpegDecoderId, loadJpegDecoder } from "./jpeg.ts";
import { type LoadOptions, MAX_LABELS } from "./options.ts";
import {
  byName,
  isJunk,
  readArchiveTree,
  readDirectoryTree,
  type SourceTree,
} from "./source_tree.ts";
import { looksLikeTar } from "./tar.ts";

const SPLITS = ["train", "test"] as const;
const IMAGE_EXT = /\.(png|jpe?g)$/i;

/** Drops one wrapping folder (e.g. "mydata/train/...") when train/ and test/ are not at the root. */
function stripWrapper(tree: SourceTree): SourceTree {
  const paths = [...tree.files.map((f) => f.path), ...tree.dirs].filter((p) => !isJunk(p));
  const tops = new Set(paths.map((p) => p.split("/")[0]));
  if (tops.has("train") || tops.has("test") || tops.size !== 1) return tree;
  const [top] = tops;
  const strip = (p: string) => p.startsWith(`${top}/`) ? p.slice(top.length + 1) : "";
  return {
    files: tree.files.map((f) => ({ path: strip(f.path), data: f.data })).filter((f) => f.path),
    dirs: tree.dirs.map(strip).filter((d) => d),
  };
}

interface Item {
  path: string;
  data: Uint8Array;
  info: ImageInfo;
}

/**
 * Decodes a source tree into a Dataset. `label` names the source in errors.
 * Classes are the sorted train/ folder names; files within a class are sorted
 * by name, so the order is deterministic.
 */
export async function decodeImageFolder(
  tree: SourceTree,
  name: string,
  label: string,
  opts: Omit<LoadOptions, "cacheDir"> = {},
): Promise<Dataset> {
  const { files, dirs } = stripWrapper(tree);
  const classesBySplit = { train: new Map<string, Item[]>(), test: new Map<string, Item[]>() };
  const seenSplit = { train: false, test: false };
  for (const d of dirs) {
    if (isJunk(d)) continue;
    const [split, cls, extra] = d.split("/");
    if (split !== "train" && split !== "test") continue;
    seenSplit[split] = true;
    if (cls && extra === undefined && !classesBySplit[split].has(cls)) {
      classesBySplit[split].set(cls, []);
    }
  }
  for (const f of files) {
    if (isJunk(f.path)) continue;
    const parts = f.path.split("/");
    const split = parts[0];
    if (split !== "train" && split !== "test") continue; // README and the like at the root
    seenSplit[split] = true;
    if (parts.length < 3) continue; // loose files beside the class folders
    const format = sniffFormat(f.data);
    if (!format) {
      // Never skipped silently: a stray file may be a mislabelled image.
      const why = IMAGE_EXT.test(f.path) ? "is not a PNG or JPEG file despite its name" : (
        "is not a PNG or JPEG image (a class folder may hold only images; hidden files, " +
        "Thumbs.db and desktop.ini are skipped)"
      );
      throw new Error(`${label}: ${f.path} ${why}`);
    }
    if (parts.length > 3) {
      throw new Error(
        `${label}: ${f.path}: images must sit directly in ${split}/<class>/ (no nested folders)`,
      );
    }
    let info: ImageInfo;
    try {
      info = probeImage(f.data);
    } catch (e) {
      throw new Error(`${label}: ${f.path}: cannot read image header: ${(e as Error).message}`);
    }
    const cls = parts[1];
    const list = classesBySplit[split].get(cls) ?? [];
    list.push({ path: f.path, data: f.data, info });
    classesBySplit[split].set(cls, list);
  }

  for (const split of SPLITS) {
    if (!seenSplit[split]) {
      throw new Error(
        `${label}: no ${split}/ folder (expected train/<class>/* and test/<class>/* images)`,
      );
    }
    if (classesBySplit[split].size === 0) {
      throw new Error(`${label}: ${split}/ has no class folders`);
    }
    for (const [cls, items] of classesBySplit[split]) {
      if (items.length === 0) throw new Error(`${label}: class ${split}/${cls}/ has no images`);
      items.sort((a, b) => byName(a.path, b.path));
    }
  }
  const classes = [...classesBySplit.train.keys()].sort(byName);
  for (const cls of classesBySplit.test.keys()) {
    if (!classesBySplit.train.has(cls)) {
      throw new Error(
        `${label}: test/${cls}/ is not a class in train/ (train classes: ${classes.join(", ")})`,
      );
    }
  }
  for (const cls of classes) {
    if (!classesBySplit.test.has(cls)) {
      throw new Error(`${label}: train/${cls}/ has no matching test/${cls}/ folder`);
    }
  }
  const limit = opts.classLimit ?? { max: MAX_LABELS, why: "labels are stored one byte each" };
  if (classes.length > Math.min(limit.max, MAX_LABELS)) {
    throw new Error(`${label}: ${classes.length} classes; at most ${limit.max} (${limit.why})`);
  }

  // One image size for the whole set; gray only if every image is gray.
  const ordered = SPLITS.map((split) => classes.map((c) => classesBySplit[split].get(c)!));
  const first = ordered[0][0][0];
  let allGray = true;
  for (const perClass of ordered) {
    for (const items of perClass) {
      for (const it of items) {
        if (it.info.width !== first.info.width || it.info.height !== first.info.height) {
          throw new Error(
            `${label}: mixed image sizes: ${it.path} is ${it.info.width}×${it.info.height}, ` +
              `${first.path} is ${first.info.width}×${first.info.height}`,
          );
        }
        allGray &&= it.info.gray;
      }
    }
  }
  const { width, height } = first.info;
  const channels = allGray ? 1 : 3;
  const pixels = width * height * channels;
  const total = ordered.flat(2).length;
  opts.onProgress?.(
    `${name}: decoding ${total} images (${height}×${width}×${channels}, ${classes.length} classes)`,
  );

  const jpeg = await loadJpegDecoder(opts.jpegDecoder);
  let done = 0;
  let nextReport = 0.25;
  let lastYield = performance.now();
  const splits: Split[] = [];
  for (const perClass of ordered) {
    const count = perClass.reduce((n, items) => n + items.length, 0);
    const images = new Uint8Array(count * pixels);
    const labels = new Uint8Array(count);
    let i = 0;
    for (let c = 0; c < perClass.length; c++) {
      for (const it of perClass[c]) {
        try {
          decodeImageInto(
            it.data,
            it.info,
            channels,
            images.subarray(i * pixels, (i + 1) * pixels),
            jpeg,
          );
        } catch (e) {
          throw new Error(
            `${label}: ${it.path}: cannot decode ${it.info.format}: ${(e as Error).message}`,
          );
        }
        labels[i++] = c;
        done++;
        // Yield now and then so a server decoding on its main thread keeps answering.
        if (performance.now() - lastYield > 50) {
          await new Promise((r) => setTimeout(r, 0));
          opts.signal?.throwIfAborted();
          lastYield = performance.now();
        }
        if (done / total >= nextReport && done < total) {
          opts.onProgress?.(`${name}: decoded ${done} of ${total} images`);
          nextReport += 0.25;
        }
      }
    }
    splits.push({ images, labels, count });
  }
  const trainFiles = ordered[0].flat().map((it) => it.path);
  return { name, classes, height, width, channels, train: splits[0], test: splits[1], trainFiles };
}

function isHttp(spec: string): boolean {
  return /^https?:\/\//i.test(spec);
}

/** "…/cifar10-jpg.tar.gz" → "cifar10-jpg". */
function baseName(spec: string): string {
  const last = spec.replace(/[?#].*$/, "").replace(/\/+$/, "").split("/").pop() || spec;
  return last.replace(/\.(tar\.gz|tgz|tar)$/i, "") || last;
}

async function loadOrDecode(
  kind: string,
  contentKey: string,
  name: string,
  opts: LoadOptions,
  decode: () => Promise<Dataset>,
): Promise<Dataset> {
  const decoder = jpegDecoderId(opts.jpegDecoder ?? DEFAULT_JPEG_DECODER);
  const path = decodedCachePath(opts.cacheDir, kind, contentKey, decoder);
  const hit = await readDecoded(path, decoder);
  // An entry from before trainFiles were kept is decoded again (same pixels, now with names).
  if (hit?.trainFiles) {
    opts.onProgress?.(`${name}: loaded from decoded cache ${path}`);
    return { ...hit, name }; // the same content may come under another name
  }
  const ds = await decode();
  await writeDecoded(path, ds, decoder);
  opts.onProgress?.(`${name}: wrote decoded cache ${path}`);
  return ds;
}

async function loadArchive(path: string, label: string, name: string, opts: LoadOptions) {
  const head = new Uint8Array(512);
  {
    using f = await Deno.open(path);
    await f.read(head);
  }
  if (!looksLikeTar(head)) {
    throw new Error(`${label}: not a .tar.gz, .tgz or .tar archive (nor a directory)`);
  }
  const sha = await sha256File(path, opts.signal);
  return loadOrDecode("images", sha, name, opts, async () => {
    const tree = await readArchiveTree(path, label, opts.signal);
    return decodeImageFolder(tree, name, label, opts);
  });
}

/**
 * A URL is downloaded once: after a successful decode, a small index maps the
 * URL to its content hash, so a warm start neither downloads nor decodes.
 */
async function loadUrl(url: string, opts: LoadOptions): Promise<Dataset> {
  const name = baseName(url);
  const label = opts.label ?? url;
  const indexPath = `${opts.cacheDir}/urls/${sha256Hex(url).slice(0, 32)}.json`;
  try {
    const { sha256 } = JSON.parse(await Deno.readTextFile(indexPath));
    const decoder = jpegDecoderId(opts.jpegDecoder ?? DEFAULT_JPEG_DECODER);
    const hit = await readDecoded(
      decodedCachePath(opts.cacheDir, "images", sha256, decoder),
      decoder,
    );
    if (hit?.trainFiles) {
      opts.onProgress?.(`${name}: loaded from decoded cache (downloaded from ${url})`);
      return hit;
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound) && !(e instanceof SyntaxError)) throw e;
  }
  const tmp = `${opts.cacheDir}/downloads/${crypto.randomUUID()}.download`;
  try {
    let got;
    try {
      got = await download(url, tmp, { onProgress: opts.onProgress, signal: opts.signal });
    } catch (e) {
      if (opts.label === undefined) throw e;
      const why = (e as Error).message.split(url).join("its URL");
      throw new Error(`${label}: download failed: ${why}`, { cause: e });
    }
    const ds = await loadArchive(tmp, label, name, opts);
    const index = new TextEncoder().encode(JSON.stringify({ url, sha256: got.sha256 }));
    await writeAtomic(indexPath, (f) => writeAll(f, index));
    return ds;
  } finally {
    await Deno.remove(tmp).catch(() => {});
  }
}

/** Loads an image-folder data set from a directory, an archive file, or an http(s) URL. */
export async function loadImageFolder(spec: string, opts: LoadOptions): Promise<Dataset> {
  if (isHttp(spec)) return loadUrl(spec, opts);
  const path = spec.startsWith("file://") ? decodeURIComponent(new URL(spec).pathname) : spec;
  let stat: Deno.FileInfo;
  try {
    stat = await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      if (opts.label !== undefined) {
        throw new Error(`${opts.label}: the data set's source is missing on the server`);
      }
      throw new Error(
        `data set ${spec} not found (expected cifar10, synthetic, or the path or URL of an ` +
          `image-folder directory or .tar.gz)`,
      );
    }
    throw e;
  }
  const name = baseName(path);
  if (stat.isDirectory) {
    const tree = await readDirectoryTree(path, opts.signal, opts.label ?? path);
    return loadOrDecode(
      "images",
      `dir:${hashFiles(tree.files)}:${sha256Hex(tree.dirs.join("\n"))}`,
      name,
      opts,
      () => decodeImageFolder(tree, name, opts.label ?? path, opts),
    );
  }
  return loadArchive(path, opts.label ?? path, name, opts);
}
