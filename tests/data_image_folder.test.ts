import assert from "node:assert/strict";
import { loadDataset } from "../ml/data/mod.ts";
import type { Dataset } from "../ml/types.ts";
import {
  brokenBody,
  jpg,
  listFiles,
  pixels,
  png,
  serve,
  tarGz,
  type TarMember,
  tempDataDir,
  writeTree,
} from "./fixtures/data/make.ts";

const W = 4;
const H = 3;
/** Distinct, exactly checkable pixels for image k. */
const rgb = (k: number) => pixels(W, H, 3, (x, y, c) => (x * 13 + y * 29 + c * 71 + k * 37) & 255);
const gray = (k: number) => pixels(W, H, 1, (x, y) => (x * 31 + y * 17 + k * 11) & 255);
const text = (s: string) => new TextEncoder().encode(s);

const tempDir = () => tempDataDir("lb-imgs-");

function image(ds: Dataset, split: "train" | "test", i: number) {
  const n = ds.height * ds.width * ds.channels;
  return ds[split].images.subarray(i * n, (i + 1) * n);
}

/** A PNG set with RGB, RGBA and gray images, plus the junk real folders carry. */
const pngSet: TarMember[] = [
  { name: "train/cat/b.png", data: png(W, H, 3, rgb(2)) },
  { name: "train/cat/a.png", data: png(W, H, 1, gray(1)) }, // gray in a colour set: expanded
  { name: "train/ant/x.jpg", data: png(W, H, 3, rgb(3)) }, // a PNG despite its name
  {
    name: "test/ant/y.png",
    data: png(W, H, 4, pixels(W, H, 4, (x, y, c) => (c === 3 ? 7 : rgb(4)[(y * W + x) * 3 + c]))),
  },
  { name: "test/cat/z", data: png(W, H, 3, rgb(5)) }, // no extension: found by magic bytes
  { name: ".DS_Store", data: text("junk") },
  { name: "train/cat/.DS_Store", data: text("junk") },
  { name: "__MACOSX/train/cat/._a.png", data: text("junk") },
  { name: "README.md", data: text("# my data") },
  { name: "train/cat/Thumbs.db", data: text("junk") },
  { name: "train/LICENSE", data: text("loose file beside the class folders") },
];

function checkPngSet(ds: Dataset) {
  assert.deepEqual(ds.classes, ["ant", "cat"]);
  assert.deepEqual([ds.height, ds.width, ds.channels], [H, W, 3]);
  assert.equal(ds.train.count, 3);
  assert.equal(ds.test.count, 2);
  // Classes sorted, files sorted by name within a class.
  assert.deepEqual([...ds.train.labels], [0, 1, 1]);
  assert.deepEqual([...ds.test.labels], [0, 1]);
  assert.deepEqual(image(ds, "train", 0), rgb(3));
  const g = gray(1);
  assert.deepEqual(image(ds, "train", 1), pixels(W, H, 3, (x, y) => g[y * W + x]));
  assert.deepEqual(image(ds, "train", 2), rgb(2));
  assert.deepEqual(image(ds, "test", 0), rgb(4)); // alpha dropped
  assert.deepEqual(image(ds, "test", 1), rgb(5));
}

Deno.test("image folder: directory of PNGs decoded exactly, sorted, junk ignored", async () => {
  await using t = await tempDir();
  await writeTree(`${t.dir}/pngs`, pngSet);
  const ds = await loadDataset(`${t.dir}/pngs`, { cacheDir: t.cacheDir });
  checkPngSet(ds);
  assert.equal(ds.name, "pngs");
});

Deno.test("image folder: .tar.gz with unsorted and directory entries, and a wrapping folder", async () => {
  await using t = await tempDir();
  const members: TarMember[] = [
    { name: "set/test/" },
    ...pngSet.slice().reverse().map((m) => ({ ...m, name: `set/${m.name}` })),
    { name: "set/train/" },
    { name: "set/train/ant/" },
  ];
  await Deno.writeFile(`${t.dir}/set.tar.gz`, await tarGz(members));
  checkPngSet(await loadDataset(`${t.dir}/set.tar.gz`, { cacheDir: t.cacheDir }));
});

Deno.test("image folder: an all-gray set has one channel", async () => {
  await using t = await tempDir();
  await writeTree(`${t.dir}/g`, [
    { name: "train/a/1.png", data: png(W, H, 1, gray(1)) },
    {
      name: "train/b/1.png",
      data: png(W, H, 2, pixels(W, H, 2, (x, y, c) => (c ? 9 : gray(2)[y * W + x]))),
    },
    { name: "test/a/1.png", data: png(W, H, 1, gray(3)) },
    { name: "test/b/1.png", data: png(W, H, 1, gray(4)) },
  ]);
  const ds = await loadDataset(`${t.dir}/g`, { cacheDir: t.cacheDir });
  assert.equal(ds.channels, 1);
  assert.deepEqual(image(ds, "train", 0), gray(1));
  assert.deepEqual(image(ds, "train", 1), gray(2));
  assert.deepEqual(image(ds, "test", 1), gray(4));
});

Deno.test("image folder: JPEG and PNG in a .tgz, JPEG pixels within tolerance", async () => {
  await using t = await tempDir();
  const S = 16;
  const smooth = (k: number) => pixels(S, S, 3, (x, y, c) => 20 + 5 * x + 3 * y + 30 * c + 8 * k);
  const members: TarMember[] = [
    { name: "test/b/0.jpg", data: jpg(S, S, smooth(3)) },
    { name: "train/b/1.jpeg", data: jpg(S, S, smooth(2)) },
    { name: "train/a/0.jpg", data: jpg(S, S, smooth(0)) },
    { name: "train/a/1.png", data: png(S, S, 3, smooth(1)) },
    { name: "test/a/0.jpg", data: jpg(S, S, smooth(4)) },
  ];
  await Deno.writeFile(`${t.dir}/mixed.tgz`, await tarGz(members));
  const ds = await loadDataset(`${t.dir}/mixed.tgz`, { cacheDir: t.cacheDir });
  assert.deepEqual([ds.height, ds.width, ds.channels, ds.train.count, ds.test.count], [
    S,
    S,
    3,
    3,
    2,
  ]);
  assert.deepEqual([...ds.train.labels, ...ds.test.labels], [0, 0, 1, 0, 1]);
  assert.deepEqual(image(ds, "train", 1), smooth(1)); // the PNG is exact
  for (
    const [split, i, k] of [["train", 0, 0], ["train", 2, 2], ["test", 0, 4], [
      "test",
      1,
      3,
    ]] as const
  ) {
    const want = smooth(k);
    const got = image(ds, split, i);
    let sum = 0;
    for (let j = 0; j < want.length; j++) {
      const d = Math.abs(got[j] - want[j]);
      assert.ok(d <= 12, `${split}[${i}] sample ${j}: ${got[j]} vs ${want[j]}`);
      sum += d;
    }
    assert.ok(sum / want.length < 3, `${split}[${i}] mean error ${sum / want.length}`);
  }
});

Deno.test("image folder: second load comes from the decoded cache", async () => {
  await using t = await tempDir();
  const bytes = await tarGz(pngSet);
  await Deno.writeFile(`${t.dir}/a.tar.gz`, bytes);
  const log: string[] = [];
  const opts = { cacheDir: t.cacheDir, onProgress: (m: string) => log.push(m) };
  const first = await loadDataset(`${t.dir}/a.tar.gz`, opts);
  assert.ok(log.some((m) => m.includes("decoding")));
  assert.equal((await listFiles(`${t.cacheDir}/decoded`)).length, 1);

  log.length = 0;
  const second = await loadDataset(`${t.dir}/a.tar.gz`, opts);
  assert.ok(log.some((m) => m.includes("loaded from decoded cache")), log.join("\n"));
  assert.ok(!log.some((m) => m.includes("decoding")));
  assert.deepEqual(second, first);
  assert.equal(second.train.images.buffer.byteLength, second.train.images.length);

  // Keyed by content: a renamed copy hits, a changed archive decodes again.
  await Deno.copyFile(`${t.dir}/a.tar.gz`, `${t.dir}/b.tgz`);
  log.length = 0;
  assert.equal((await loadDataset(`${t.dir}/b.tgz`, opts)).name, "b");
  assert.ok(!log.some((m) => m.includes("decoding")));
  await Deno.writeFile(`${t.dir}/a.tar.gz`, await tarGz(pngSet.slice(0, 5)));
  log.length = 0;
  await loadDataset(`${t.dir}/a.tar.gz`, opts);
  assert.ok(log.some((m) => m.includes("decoding")));

  // Directories too: same files, same key.
  await writeTree(`${t.dir}/d`, pngSet);
  await loadDataset(`${t.dir}/d`, opts);
  log.length = 0;
  await loadDataset(`${t.dir}/d`, opts);
  assert.ok(log.some((m) => m.includes("loaded from decoded cache")));
});

/** Each bad set, the error it must raise, and no decoded file may be left behind. */
const good = (k: number) => png(W, H, 3, rgb(k));
const badSets: [string, TarMember[], RegExp][] = [
  [
    "mixed sizes",
    [
      { name: "train/a/1.png", data: good(1) },
      { name: "train/b/1.png", data: png(5, 5, 3, pixels(5, 5, 3, () => 1)) },
      { name: "test/a/1.png", data: good(2) },
      { name: "test/b/1.png", data: good(3) },
    ],
    /mixed image sizes: train\/b\/1\.png is 5×5, train\/a\/1\.png is 4×3/,
  ],
  [
    "empty class",
    [
      { name: "train/a/1.png", data: good(1) },
      { name: "train/b/" },
      { name: "test/a/1.png", data: good(2) },
      { name: "test/b/1.png", data: good(3) },
    ],
    /class train\/b\/ has no images/,
  ],
  [
    "missing test folder",
    [{ name: "train/a/1.png", data: good(1) }],
    /no test\/ folder/,
  ],
  [
    "class in test not in train",
    [
      { name: "train/a/1.png", data: good(1) },
      { name: "test/a/1.png", data: good(2) },
      { name: "test/zebra/1.png", data: good(3) },
    ],
    /test\/zebra\/ is not a class in train\//,
  ],
  [
    "undecodable PNG",
    [
      { name: "train/a/1.png", data: good(1) },
      { name: "test/a/1.png", data: good(2).slice(0, 40) },
    ],
    /test\/a\/1\.png: cannot decode png/,
  ],
  [
    "undecodable JPEG",
    [
      { name: "train/a/1.png", data: good(1) },
      { name: "test/a/1.jpg", data: jpg(W, H, rgb(2)).slice(0, 300) },
    ],
    /test\/a\/1\.jpg: cannot (decode jpeg|read image header)/,
  ],
  [
    "an image name with other content",
    [
      { name: "train/a/1.png", data: good(1) },
      { name: "test/a/1.png", data: text("hello") },
    ],
    /test\/a\/1\.png is not a PNG or JPEG file/,
  ],
];

for (const [what, members, error] of badSets) {
  Deno.test(`image folder: ${what} is a clear error (archive and directory)`, async () => {
    await using t = await tempDir();
    await Deno.writeFile(`${t.dir}/bad.tar.gz`, await tarGz(members));
    await assert.rejects(loadDataset(`${t.dir}/bad.tar.gz`, { cacheDir: t.cacheDir }), error);
    await writeTree(`${t.dir}/bad`, members);
    await assert.rejects(loadDataset(`${t.dir}/bad`, { cacheDir: t.cacheDir }), error);
    assert.deepEqual(await listFiles(t.cacheDir), []);
  });
}

Deno.test("image folder: corrupt, truncated, non-archive and missing sources", async () => {
  await using t = await tempDir();
  const bytes = await tarGz(pngSet);
  await Deno.writeFile(`${t.dir}/cut.tar.gz`, bytes.subarray(0, bytes.length - 200));
  await assert.rejects(
    loadDataset(`${t.dir}/cut.tar.gz`, { cacheDir: t.cacheDir }),
    /cut\.tar\.gz: corrupt or truncated archive/,
  );
  const corrupt = bytes.slice();
  for (let i = 200; i < 260; i++) corrupt[i] ^= 0xff;
  await Deno.writeFile(`${t.dir}/bad.tar.gz`, corrupt);
  await assert.rejects(
    loadDataset(`${t.dir}/bad.tar.gz`, { cacheDir: t.cacheDir }),
    /bad\.tar\.gz: corrupt or truncated archive/,
  );
  await Deno.writeFile(`${t.dir}/plain.zip`, text("PK not a tarball"));
  await assert.rejects(
    loadDataset(`${t.dir}/plain.zip`, { cacheDir: t.cacheDir }),
    /plain\.zip: not a \.tar\.gz/,
  );
  await assert.rejects(
    loadDataset(`${t.dir}/nothing`, { cacheDir: t.cacheDir }),
    /nothing not found/,
  );
  assert.deepEqual(await listFiles(t.cacheDir), []);
});

Deno.test("image folder: http URL downloaded once; a truncated response leaves no trace", async () => {
  await using t = await tempDir();
  const bytes = await tarGz(pngSet);
  let broken = true;
  const log: string[] = [];
  const opts = { cacheDir: t.cacheDir, onProgress: (m: string) => log.push(m) };
  let url: string;
  {
    await using srv = serve(() =>
      broken
        ? new Response(brokenBody(bytes, 100), {
          headers: { "content-length": String(bytes.length) },
        })
        : new Response(bytes)
    );
    url = `${srv.base}/sets/web.tar.gz`;
    await assert.rejects(loadDataset(url, opts), /web\.tar\.gz/);
    assert.deepEqual(await listFiles(t.cacheDir), []);

    broken = false;
    const ds = await loadDataset(url, opts);
    checkPngSet(ds);
    assert.equal(ds.name, "web");
    assert.ok(log.some((m) => m.startsWith("downloading")));
    assert.equal(srv.state.hits, 2);
  }
  // The server is gone: the warm start neither downloads nor decodes.
  log.length = 0;
  checkPngSet(await loadDataset(url, opts));
  assert.ok(log.some((m) => m.includes("loaded from decoded cache")), log.join("\n"));
  const files = await listFiles(t.cacheDir);
  assert.ok(!files.some((f) => f.startsWith("downloads/")), files.join(","));
});
