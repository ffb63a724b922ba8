// Checks every image of an image-folder archive (default: the shared CIFAR-10
// JPEG copy) against PIL: the SHA-256 of lossbench's decode of each file must
// equal that of PIL's (tools/pil_decode_hashes.py, run with /usr/bin/python3).
// Then times the whole set's decode as a load does it (decodeImageFolder, the
// archive already read), for each decoder asked for.
//
//   deno run -A --lock=dev.lock tools/check_decode_copy.ts [ARCHIVE] [--decoder NAME]...
//
// --decoder: libjpeg-turbo (the default) and/or jpeg-js (the former decoder,
// to measure what it missed). Prints one JSON line per decoder; exits 1 when
// the default decoder misses PIL on any file. Not part of the test suite: it
// needs the data set and a minute or two.
import { createHash } from "node:crypto";
import { cpuUsage } from "node:process";
import { parseArgs } from "node:util";
import { decodeImageInto, probeImage } from "../ml/data/image_codec.ts";
import { decodeImageFolder, readArchiveTree } from "../ml/data/image_folder.ts";
import { type JpegDecoderName, loadJpegDecoder, parseJpegDecoder } from "../ml/data/jpeg.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: { decoder: { type: "string", multiple: true } },
  allowPositionals: true,
});
const archive = positionals[0] ?? "../shared/data/cifar10-jpg.tar.gz";
const decoders = (values.decoder ?? ["libjpeg-turbo"]).map((d) => parseJpegDecoder(d, "--decoder"));

console.error(`PIL: hashing every image of ${archive}…`);
const t0 = performance.now();
const py = await new Deno.Command("/usr/bin/python3", {
  args: [new URL("./pil_decode_hashes.py", import.meta.url).pathname, archive],
  stderr: "inherit",
}).output();
if (!py.success) throw new Error("tools/pil_decode_hashes.py failed");
const pil = new Map<string, string>();
for (const line of new TextDecoder().decode(py.stdout).split("\n")) {
  if (!line) continue;
  const [hash, name] = [line.slice(0, 64), line.slice(65).replace(/^(\.\/)+/, "")];
  pil.set(name, hash);
}
console.error(`PIL: ${pil.size} images in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const tree = await readArchiveTree(archive, archive);
const images = tree.files.filter((f) => pil.has(f.path));
if (images.length !== pil.size) {
  throw new Error(`lossbench read ${images.length} of PIL's ${pil.size} images from the archive`);
}

let failed = false;
for (const name of decoders as JpegDecoderName[]) {
  const jpeg = await loadJpegDecoder(name);
  let differ = 0;
  const examples: string[] = [];
  for (const f of images) {
    const info = probeImage(f.data);
    const out = new Uint8Array(info.width * info.height * 3);
    decodeImageInto(f.data, info, 3, out, jpeg);
    if (createHash("sha256").update(out).digest("hex") !== pil.get(f.path)) {
      differ++;
      if (examples.length < 3) examples.push(f.path);
    }
  }
  // The whole set as a load decodes it (probe, decode, labels), best of two; CPU
  // time too, which a machine shared with other work changes less than wall time.
  const seconds: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < 2; r++) {
    const t = performance.now();
    const c = cpuUsage();
    await decodeImageFolder(tree, "check", archive, { jpegDecoder: name });
    const used = cpuUsage(c);
    cpu.push((used.user + used.system) / 1e6);
    seconds.push((performance.now() - t) / 1000);
  }
  console.log(JSON.stringify({
    decoder: jpeg.id,
    files: images.length,
    differFromPil: differ,
    examples,
    decodeWholeSetSeconds: Number(Math.min(...seconds).toFixed(2)),
    decodeWholeSetCpuSeconds: Number(Math.min(...cpu).toFixed(2)),
    loadAverage: Deno.loadavg()[0],
  }));
  if (name === "libjpeg-turbo" && differ > 0) failed = true;
}
Deno.exit(failed ? 1 : 0);
