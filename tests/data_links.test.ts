// An image folder's links and paths: a symlink that leaves the data set's
// folder is refused before anything behind it is read; link loops, broken
// links and archive members with ".." say what is wrong in words (never a bare
// "os error 40"); a wrong path fails at once instead of being read whole; and
// one class limit: the service's 100 where the service loads, 256 elsewhere.
import { loadDataset } from "../ml/data/mod.ts";
import { Datasets } from "../service/datasets.ts";
import { tarGz, tinyPng as img, tinyPngSet as base, writeTree } from "./fixtures/data/make.ts";
import { assert, assertEquals, assertRejects } from "./util/assert.ts";

/** Every path the loader opens or lists while `fn` runs. */
async function opened(fn: () => Promise<unknown>): Promise<{ paths: string[]; error: unknown }> {
  const paths: string[] = [];
  const d = Deno as unknown as Record<string, (p: string, ...a: unknown[]) => unknown>;
  const names = ["readDir", "readFile", "open", "stat", "lstat"] as const;
  const saved = names.map((n) => d[n]);
  names.forEach((n, i) => {
    d[n] = (p: string, ...a: unknown[]) => {
      paths.push(String(p));
      return saved[i](p, ...a);
    };
  });
  try {
    await fn();
    return { paths, error: null };
  } catch (e) {
    return { paths, error: e };
  } finally {
    names.forEach((n, i) => (d[n] = saved[i]));
  }
}

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "lb-links-" }));
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("image folder: a symlink leaving the data set's folder is refused, unread", async () => {
  await withDir(async (dir) => {
    await writeTree(`${dir}/set`, base);
    await writeTree(`${dir}/outside`, [{ name: "x.png", data: img }, {
      name: "t/y.png",
      data: img,
    }]);
    const cacheDir = `${dir}/cache`;

    // An image linked from outside: refused, not trained on silently.
    await Deno.symlink(`${dir}/outside/x.png`, `${dir}/set/train/cat/x.png`);
    const one = await opened(() => loadDataset(`${dir}/set`, { cacheDir }));
    assert(one.error instanceof Error, "loaded an image from outside the set");
    assertEquals(
      one.error.message,
      `${dir}/set: train/cat/x.png is a symlink to outside the data set's folder ` +
        "(links may point only within it)",
    );
    assert(!one.paths.some((p) => p.includes("/outside")), one.paths.join("\n"));
    await Deno.remove(`${dir}/set/train/cat/x.png`);

    // A class folder linked from outside: refused before its files are listed or read.
    await Deno.symlink(`${dir}/outside/t`, `${dir}/set/train/bird`);
    const two = await opened(() => loadDataset(`${dir}/set`, { cacheDir, label: "mine" }));
    assert(two.error instanceof Error);
    assertEquals(
      two.error.message,
      "mine: train/bird is a symlink to outside the data set's folder (links may point only within it)",
    );
    assert(!two.paths.some((p) => p.includes("/outside")), two.paths.join("\n"));
    await Deno.remove(`${dir}/set/train/bird`);

    // A link that stays inside is followed.
    await Deno.symlink("../dog/b.png", `${dir}/set/train/cat/b2.png`);
    const ds = await loadDataset(`${dir}/set`, { cacheDir });
    assertEquals(ds.train.count, 3);
  });
});

Deno.test("image folder: link loops, broken links and .. paths are errors in words", async () => {
  await withDir(async (dir) => {
    const cacheDir = `${dir}/cache`;
    await writeTree(`${dir}/set`, base);
    const load = (spec = `${dir}/set`) => loadDataset(spec, { cacheDir, label: "mine" });

    await Deno.symlink("b", `${dir}/set/train/cat/a2`);
    await Deno.symlink("a2", `${dir}/set/train/cat/b`);
    await assertRejects(() => load(), "mine: train/cat/a2 is a symlink loop");
    await Deno.remove(`${dir}/set/train/cat/a2`);
    await Deno.remove(`${dir}/set/train/cat/b`);

    await Deno.symlink("..", `${dir}/set/train/cat/up`); // inside the set, but its own ancestor
    await assertRejects(
      () => load(),
      "mine: train/cat/up is a symlink loop (it links to a folder that contains it)",
    );
    await Deno.remove(`${dir}/set/train/cat/up`);

    await Deno.symlink("gone.png", `${dir}/set/test/dog/e.png`);
    await assertRejects(
      () => load(),
      "mine: test/dog/e.png is a broken symlink (its target does not exist)",
    );
    await Deno.remove(`${dir}/set/test/dog/e.png`);

    // A path through ".." to a folder that is no data set (a system folder, say):
    // "no train/ folder" at once, without reading what lies below it.
    await writeTree(`${dir}/etc`, [
      { name: "deep/er/f.conf", data: img },
      { name: "passwd", data: img },
    ]);
    await Deno.symlink("nowhere", `${dir}/etc/deep/dangling`);
    const wrong = await opened(() => load(`${dir}/set/../etc`));
    assert(wrong.error instanceof Error);
    assert(/^mine: no train\/ folder/.test(wrong.error.message), wrong.error.message);
    assert(!wrong.paths.some((p) => p.includes("/deep")), wrong.paths.join("\n"));

    // Archives: members never leave the root, links are never followed or dropped silently.
    for (
      const [member, says] of [
        [
          { name: "../train/cat/z.png", data: img },
          "member ../train/cat/z.png has a path that leaves the archive's root",
        ],
        [
          { name: "train/cat/../../../z.png", data: img },
          "has a path that leaves the archive's root",
        ],
        [
          { name: "train/cat/l.png", link: "/etc/passwd" },
          "member train/cat/l.png is a link or special file",
        ],
      ] as const
    ) {
      await Deno.writeFile(`${dir}/a.tar.gz`, await tarGz([...base, member]));
      await assertRejects(() => load(`${dir}/a.tar.gz`), says);
    }
  });
});

Deno.test("one class limit: 100 where the service loads, 256 for the CLI", async () => {
  await withDir(async (dir) => {
    const classes = (n: number) =>
      Array.from({ length: n }, (_, i) => [
        { name: `train/c${i}/a.png`, data: img },
        { name: `test/c${i}/a.png`, data: img },
      ]).flat();
    await Deno.writeFile(`${dir}/101.tar.gz`, await tarGz(classes(101)));
    await Deno.writeFile(`${dir}/257.tar.gz`, await tarGz(classes(257)));
    const sets = new Datasets(
      new Map([["wide", `${dir}/101.tar.gz`]]),
      `${dir}/cache`,
      () => {},
    );
    await assertRejects(
      () => sets.get("wide"),
      "wide: 101 classes; at most 100 (the service records each epoch's confusion matrix in one " +
        "KV value; the CLI takes up to 256)",
    );
    assertEquals(
      (await loadDataset(`${dir}/101.tar.gz`, { cacheDir: `${dir}/c2` })).classes.length,
      101,
    );
    await assertRejects(
      () => loadDataset(`${dir}/257.tar.gz`, { cacheDir: `${dir}/c2` }),
      "257 classes; at most 256 (labels are stored one byte each)",
    );
  });
});
