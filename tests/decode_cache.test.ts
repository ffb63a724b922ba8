// The decoded cache is keyed by the JPEG decoder's identity and version: a
// set decoded by one decoder is never served to a load that asks for another,
// nor is an entry written before the key held the decoder.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { decodedCachePath, readDecoded, writeDecoded } from "../ml/data/cache.ts";
import { sha256File } from "../ml/data/hash.ts";
import { jpegDecoderId } from "../ml/data/jpeg.ts";
import { loadDataset } from "../ml/data/mod.ts";
import { tarGz } from "./fixtures/data/make.ts";

const DIR = new URL("./fixtures/decode/", import.meta.url);
const { files } = JSON.parse(await Deno.readTextFile(new URL("pil.json", DIR)));
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const LAYOUT = {
  "train/a/0.jpg": "q50_420.jpg",
  "train/a/1.jpg": "q75_420.jpg",
  "train/b/0.jpg": "q90_420.jpg",
  "test/a/0.jpg": "progressive_420.jpg",
  "test/b/0.jpg": "optimized_420.jpg",
};

async function fixtureArchive() {
  const dir = await Deno.makeTempDir({ prefix: "lb-decode-cache-" });
  const members = await Promise.all(
    Object.entries(LAYOUT).map(async ([name, src]) => ({
      name,
      data: await Deno.readFile(new URL(src, DIR)),
    })),
  );
  const archive = `${dir}/set.tar.gz`;
  await Deno.writeFile(archive, await tarGz(members));
  return {
    dir,
    archive,
    cacheDir: `${dir}/cache`,
    async [Symbol.asyncDispose]() {
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Loads with a decoder; returns the data set and whether it came from the cache. */
async function load(archive: string, cacheDir: string, jpegDecoder?: "libjpeg-turbo" | "jpeg-js") {
  const msgs: string[] = [];
  const ds = await loadDataset(archive, { cacheDir, jpegDecoder, onProgress: (m) => msgs.push(m) });
  return { ds, cached: msgs.some((m) => m.includes("loaded from decoded cache")) };
}

const image = (ds: Awaited<ReturnType<typeof load>>["ds"], i: number) =>
  ds.train.images.subarray(i * 32 * 32 * 3, (i + 1) * 32 * 32 * 3);

Deno.test("decoded cache: one entry per decoder, each with its own pixels", async () => {
  await using t = await fixtureArchive();
  const first = await load(t.archive, t.cacheDir);
  assert.equal(first.cached, false);
  // The new default gives PIL's pixels, in the loader's order (train/a/0 first).
  assert.equal(sha(image(first.ds, 0)), files["q50_420.jpg"].rgb);
  assert.equal((await load(t.archive, t.cacheDir)).cached, true);

  // The former decoder is not served the default's entry: it decodes, differently.
  const old = await load(t.archive, t.cacheDir, "jpeg-js");
  assert.equal(old.cached, false);
  assert.notDeepEqual(image(old.ds, 0), image(first.ds, 0));
  const oldAgain = await load(t.archive, t.cacheDir, "jpeg-js");
  assert.equal(oldAgain.cached, true);
  assert.deepEqual(oldAgain.ds.train.images, old.ds.train.images);
  // …and the default's entry is still there, unchanged.
  const again = await load(t.archive, t.cacheDir);
  assert.equal(again.cached, true);
  assert.deepEqual(again.ds.train.images, first.ds.train.images);
  const entries = [...Deno.readDirSync(`${t.cacheDir}/decoded`)].map((e) => e.name);
  assert.equal(entries.filter((n) => n.endsWith(".lbds")).length, 2);
});

Deno.test("decoded cache: the key holds the decoder's version; a mismatched or unkeyed entry is ignored", async () => {
  await using t = await fixtureArchive();
  const content = await sha256File(t.archive);
  const id = jpegDecoderId("libjpeg-turbo");
  assert.match(id, /^libjpeg-turbo\/@jsquash\/jpeg@\d+\.\d+\.\d+$/);
  assert.match(jpegDecoderId("jpeg-js"), /^jpeg-js@0\.4\.4$/);
  const path = decodedCachePath(t.cacheDir, "images", content, id);
  assert.notEqual(path, decodedCachePath(t.cacheDir, "images", content, `${id}-next`));
  assert.notEqual(path, decodedCachePath(t.cacheDir, "images", content)); // the pre-key layout

  const { ds } = await load(t.archive, t.cacheDir);
  assert.ok(await readDecoded(path, id));
  // An entry whose header names another decoder (say, renamed into place by hand) is not read.
  const bogus = { ...ds, train: { ...ds.train, images: ds.train.images.map((v) => 255 - v) } };
  await writeDecoded(path, bogus, "jpeg-js@0.4.4");
  assert.equal(await readDecoded(path, id), null);
  const fresh = await load(t.archive, t.cacheDir);
  assert.equal(fresh.cached, false);
  assert.deepEqual(fresh.ds.train.images, ds.train.images);
  // Nor one without a decoder in its header (what this cache wrote before it was keyed).
  await writeDecoded(path, bogus);
  assert.equal(await readDecoded(path, id), null);
  assert.equal((await load(t.archive, t.cacheDir)).cached, false);
});
