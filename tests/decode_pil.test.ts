// Decoding gives exactly PIL's pixels: the SHA-256 of what PIL decodes from
// each file of tests/fixtures/decode/ (JPEGs of every quality, subsampling,
// progressive, gray and odd sizes, and PNGs of every colour type, all written by
// PIL) is recorded by tools/make_decode_fixtures.py; lossbench's decode of the
// same bytes must hash the same. jpeg-js, the former decoder, must not: that is
// the near miss the test has to catch.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { decodeImageInto, probeImage } from "../ml/data/image_codec.ts";
import { type JpegDecoder, loadJpegDecoder } from "../ml/data/jpeg.ts";

const DIR = new URL("./fixtures/decode/", import.meta.url);
interface Entry {
  width: number;
  height: number;
  gray: boolean;
  subsampling?: string;
  rgb: string;
  l?: string;
}
const { files } = JSON.parse(await Deno.readTextFile(new URL("pil.json", DIR))) as {
  files: Record<string, Entry>;
};
const names = Object.keys(files);
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** SHA-256 of the decoded pixels with 3 channels, or 1 for a gray file (else null). */
async function decodedHash(name: string, channels: 1 | 3, jpeg: JpegDecoder) {
  const bytes = await Deno.readFile(new URL(name, DIR));
  const info = probeImage(bytes);
  const out = new Uint8Array(info.width * info.height * channels);
  decodeImageInto(bytes, info, channels, out, jpeg);
  return sha(out);
}

Deno.test("decode fixtures: a few dozen JPEGs and PNGs of every kind", () => {
  const jpegs = names.filter((n) => n.endsWith(".jpg"));
  assert.ok(jpegs.length >= 30 && names.length - jpegs.length >= 5);
  const kinds = new Set(jpegs.map((n) => files[n].subsampling ?? "gray"));
  assert.deepEqual([...kinds].sort(), ["4:2:0", "4:2:2", "4:4:4", "gray"]);
  assert.ok(jpegs.some((n) => n.includes("progressive")));
});

Deno.test("decode: every fixture gives PIL's exact pixels, RGB and gray", async () => {
  const jpeg = await loadJpegDecoder();
  assert.equal(jpeg.name, "libjpeg-turbo");
  const wrong: string[] = [];
  for (const name of names) {
    const e = files[name];
    if ((await decodedHash(name, 3, jpeg)) !== e.rgb) wrong.push(`${name} (RGB)`);
    if (e.gray && (await decodedHash(name, 1, jpeg)) !== e.l) wrong.push(`${name} (L)`);
  }
  assert.deepEqual(wrong, []);
});

Deno.test("decode: jpeg-js (no fancy upsampling, another IDCT) misses PIL's pixels", async () => {
  const jpegJs = await loadJpegDecoder("jpeg-js");
  const yuv420 = names.filter((n) => files[n].subsampling === "4:2:0");
  assert.ok(yuv420.length >= 10);
  for (const name of yuv420) {
    assert.notEqual(await decodedHash(name, 3, jpegJs), files[name].rgb, name);
  }
});

Deno.test("decode: a truncated or damaged JPEG fails with libjpeg's reason, and the next decodes", async () => {
  const jpeg = await loadJpegDecoder();
  const good = await Deno.readFile(new URL("q75_420.jpg", DIR));
  const info = probeImage(good);
  const out = new Uint8Array(info.width * info.height * 3);
  assert.throws(
    () => decodeImageInto(good.subarray(0, good.length - 200), info, 3, out, jpeg),
    /Premature end of JPEG file \(truncated\)/,
  );
  const damaged = good.slice();
  for (let i = 400; i < damaged.length - 2; i++) damaged[i] = (i * 37) & 0xff;
  assert.throws(() => decodeImageInto(damaged, info, 3, out, jpeg), /Huffman/);
  // A fatal error breaks the WebAssembly instance; a spare takes over at once, so a good file
  // right after (say, another data set loading meanwhile) still decodes, exactly.
  out.fill(0);
  decodeImageInto(good, info, 3, out, jpeg);
  assert.equal(sha(out), files["q75_420.jpg"].rgb);
  // And again once a new spare is ready (loading the decoder waits for it).
  assert.equal(await loadJpegDecoder(), jpeg);
  assert.throws(() => decodeImageInto(damaged, info, 3, out, jpeg), /Huffman/);
  out.fill(0);
  decodeImageInto(good, info, 3, out, jpeg);
  assert.equal(sha(out), files["q75_420.jpg"].rgb);
});
