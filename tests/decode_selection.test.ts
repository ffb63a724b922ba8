// Which decoder a load uses: the exact one (libjpeg-turbo) unless the operator
// names the former (LOSSBENCH_JPEG_DECODER=jpeg-js, to serve or check runs
// recorded with it); and the published study says which one its numbers came from.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { jpegDecoderId } from "../ml/data/jpeg.ts";
import { readConfig } from "../service/config.ts";
import { Datasets } from "../service/datasets.ts";
import { pixelsNote } from "../tools/study/report.ts";
import { PUBLISHED_DECODER } from "../tools/study/settings.ts";

const DIR = new URL("./fixtures/decode/", import.meta.url);
const { files } = JSON.parse(await Deno.readTextFile(new URL("pil.json", DIR)));
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

Deno.test("LOSSBENCH_JPEG_DECODER: libjpeg-turbo by default, jpeg-js on request, else an error naming it", () => {
  assert.equal(readConfig({}).jpegDecoder, "libjpeg-turbo");
  assert.equal(readConfig({ LOSSBENCH_JPEG_DECODER: "jpeg-js" }).jpegDecoder, "jpeg-js");
  assert.throws(
    () => readConfig({ LOSSBENCH_JPEG_DECODER: "pil" }),
    /^Error: LOSSBENCH_JPEG_DECODER must be one of libjpeg-turbo, jpeg-js, got "pil"$/,
  );
});

Deno.test("the service's data sets decode with the configured decoder", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lb-decode-sel-" });
  try {
    for (const [name, src] of [["train/a/0.jpg", "q90_420.jpg"], ["test/a/0.jpg", "q50_420.jpg"]]) {
      await Deno.mkdir(`${dir}/set/${name.slice(0, name.lastIndexOf("/"))}`, { recursive: true });
      await Deno.copyFile(new URL(src, DIR), `${dir}/set/${name}`);
    }
    const load = (decoder?: "jpeg-js") =>
      new Datasets(new Map([["mine", `${dir}/set`]]), `${dir}/cache`, () => {}, decoder).get(
        "mine",
      );
    const exact = await load();
    assert.equal(sha(new Uint8Array(exact.train.images)), files["q90_420.jpg"].rgb);
    const old = await load("jpeg-js");
    assert.notEqual(sha(new Uint8Array(old.train.images)), files["q90_420.jpg"].rgb);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the published study names the decoder of its pixels, and it is the one --check uses", async () => {
  assert.equal(PUBLISHED_DECODER, "jpeg-js");
  const page = await Deno.readTextFile(new URL("../docs/results.md", import.meta.url));
  assert.ok(page.includes(pixelsNote(PUBLISHED_DECODER)), "docs/results.md lacks its pixels note");
  assert.ok(page.includes(`decoded with ${jpegDecoderId("jpeg-js")}`));
  assert.ok(!page.includes(pixelsNote("libjpeg-turbo")));
});
