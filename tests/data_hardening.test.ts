// Data loading's hardening: a non-image file in a class folder is an error
// naming the file relative to the set (OS leftovers are skipped), errors name
// the label rather than the path when one is given, and the cache's stale
// temp files are swept.
import { sweepStaleTemps, TEMP_GRACE_MS } from "../ml/data/cache.ts";
import { loadDataset } from "../ml/data/mod.ts";
import { listFiles, tarGz, tinyPngSet as base, writeTree } from "./fixtures/data/make.ts";
import { assert, assertEquals, assertRejects } from "./util/assert.ts";

const text = (s: string) => new TextEncoder().encode(s);

Deno.test("image folder: a non-image file in a class folder is an error naming it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lb-stray-" });
  try {
    const stray = [...base, { name: "train/dog/notes.txt", data: text("a note") }];
    await writeTree(`${dir}/set`, stray);
    // The CLI names the folder; the service's label replaces it.
    const cli = await assertRejects(() => loadDataset(`${dir}/set`, { cacheDir: `${dir}/c` }));
    assertEquals(
      cli.message,
      `${dir}/set: train/dog/notes.txt is not a PNG or JPEG image (a class folder may hold ` +
        "only images; hidden files, Thumbs.db and desktop.ini are skipped)",
    );
    const svc = await assertRejects(() =>
      loadDataset(`${dir}/set`, { cacheDir: `${dir}/c`, label: "mine" })
    );
    assert(svc.message.startsWith("mine: train/dog/notes.txt is not"), svc.message);
    assert(!svc.message.includes(dir), svc.message);

    // In an archive with a wrapping folder, the path is relative to the set.
    const wrapped = stray.map((m) => ({ ...m, name: `wrap/${m.name}` }));
    await Deno.writeFile(`${dir}/set.tar.gz`, await tarGz(wrapped));
    const tar = await assertRejects(() =>
      loadDataset(`${dir}/set.tar.gz`, { cacheDir: `${dir}/c`, label: "arch" })
    );
    assert(tar.message.startsWith("arch: train/dog/notes.txt is not"), tar.message);
    // A misnamed file says so.
    await writeTree(`${dir}/named`, [...base, { name: "test/cat/e.jpg", data: text("no") }]);
    await assertRejects(
      () => loadDataset(`${dir}/named`, { cacheDir: `${dir}/c`, label: "n" }),
      "n: test/cat/e.jpg is not a PNG or JPEG file despite its name",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("image folder: OS leftovers in class folders are skipped", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lb-junk-" });
  try {
    await writeTree(`${dir}/set`, [
      ...base,
      { name: "train/cat/.DS_Store", data: text("junk") },
      { name: "train/cat/Thumbs.db", data: text("junk") },
      { name: "train/dog/desktop.ini", data: text("junk") },
      { name: "test/cat/._c.png", data: text("junk") },
      { name: "train/README.txt", data: text("loose beside the class folders") },
    ]);
    const ds = await loadDataset(`${dir}/set`, { cacheDir: `${dir}/c` });
    assertEquals([ds.train.count, ds.test.count, ds.classes], [2, 2, ["cat", "dog"]]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cache: stale temp files are swept, recent ones and entries kept; loads sweep once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lb-sweep-" });
  try {
    const id = crypto.randomUUID();
    const old = new Date(Date.now() - 2 * TEMP_GRACE_MS);
    const paths = {
      stale: `decoded/images-1.lbds.tmp-${id}`,
      stalePart: `cifar-10-binary.tar.gz.part-${id}`,
      staleDownload: `downloads/${id}.download`,
      fresh: `decoded/images-2.lbds.tmp-${crypto.randomUUID()}`,
      entry: "decoded/images-1.lbds",
      lookalike: "decoded/notes.tmp-1",
    };
    for (const [k, p] of Object.entries(paths)) {
      await writeTree(dir, [{ name: p, data: new Uint8Array(100) }]);
      if (k !== "fresh") await Deno.utime(`${dir}/${p}`, old, old);
    }
    const r = await sweepStaleTemps(dir);
    assertEquals(r.bytes, 300);
    assertEquals(
      (await listFiles(dir)).sort(),
      [paths.entry, paths.fresh, paths.lookalike].sort(),
    );
    assertEquals((await sweepStaleTemps(`${dir}/missing`)).removed, []);

    // A load sweeps its cache first (once per process and directory).
    await writeTree(dir, [
      { name: paths.stale, data: new Uint8Array(7) },
      ...base.map((m) => ({
        ...m,
        name: `set/${m.name}`,
      })),
    ]);
    await Deno.utime(`${dir}/${paths.stale}`, old, old);
    const logs: string[] = [];
    await loadDataset(`${dir}/set`, { cacheDir: dir, onProgress: (m) => logs.push(m) });
    assert(!(await listFiles(dir)).includes(paths.stale), "swept on first use");
    assert(logs[0].startsWith("cache: removed 1 stale temp file(s)"), logs.join("\n"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
