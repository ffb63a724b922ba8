import assert from "node:assert/strict";
import { loadCifar10, parseBatch } from "../ml/data/cifar_binary.ts";
import { loadDataset } from "../ml/data/mod.ts";
import {
  brokenBody,
  CIFAR_CLASSES,
  cifarArchive,
  cifarLabel,
  cifarPixel,
  listFiles,
  md5,
  serve,
  tempDataDir,
} from "./fixtures/data/make.ts";

async function withArchive(bytes: Uint8Array) {
  const t = await tempDataDir("lb-cifar-");
  const path = `${t.dir}/cifar-copy.tar.gz`;
  await Deno.writeFile(path, bytes);
  return { ...t, path };
}

function checkPixels(
  ds: Awaited<ReturnType<typeof loadCifar10>>,
  perBatch: number,
  testCount: number,
) {
  assert.deepEqual(ds.classes, CIFAR_CLASSES);
  assert.deepEqual([ds.height, ds.width, ds.channels], [32, 32, 3]);
  assert.equal(ds.train.count, 5 * perBatch);
  assert.equal(ds.test.count, testCount);
  const check = (split: typeof ds.train, first: number) => {
    for (let i = 0; i < split.count; i++) {
      const n = first + i;
      assert.equal(split.labels[i], cifarLabel(n));
      for (const [x, y] of [[0, 0], [31, 0], [5, 17], [31, 31]]) {
        for (let c = 0; c < 3; c++) {
          assert.equal(
            split.images[i * 3072 + (y * 32 + x) * 3 + c],
            cifarPixel(cifarLabel(n), n, x, y, c),
          );
        }
      }
    }
  };
  check(ds.train, 0);
  check(ds.test, 5 * perBatch);
}

Deno.test("cifar binary: local archive parsed to HWC, then served from the decoded cache", async () => {
  const bytes = await cifarArchive({ perBatch: 3, testCount: 4 });
  await using a = await withArchive(bytes);
  const log: string[] = [];
  const opts = { cacheDir: a.cacheDir, onProgress: (m: string) => log.push(m) };
  const ds = await loadCifar10(opts, { url: a.path, md5: md5(bytes) });
  checkPixels(ds, 3, 4);
  assert.ok(log.some((m) => m.includes("reading")));
  // The images buffer is the split's own (no view over a larger buffer).
  assert.equal(ds.train.images.buffer.byteLength, ds.train.images.length);

  log.length = 0;
  await Deno.remove(a.path); // the warm start needs only the decoded cache
  const again = await loadCifar10(opts, { url: a.path, md5: md5(bytes) });
  assert.ok(log.some((m) => m.includes("decoded cache")), log.join("\n"));
  assert.ok(!log.some((m) => m.includes("reading")));
  assert.deepEqual(again.train.images, ds.train.images);
  assert.deepEqual(again.test.labels, ds.test.labels);
});

Deno.test("cifar binary: loadDataset('cifar10') honours CIFAR10_URL and CIFAR10_MD5", async () => {
  const bytes = await cifarArchive({ perBatch: 2, testCount: 2 });
  await using a = await withArchive(bytes);
  const saved = [Deno.env.get("CIFAR10_URL"), Deno.env.get("CIFAR10_MD5")];
  Deno.env.set("CIFAR10_URL", a.path);
  Deno.env.set("CIFAR10_MD5", md5(bytes));
  try {
    const ds = await loadDataset("cifar10", { cacheDir: a.cacheDir });
    checkPixels(ds, 2, 2);
    assert.equal(ds.name, "cifar10");
  } finally {
    for (const [k, v] of [["CIFAR10_URL", saved[0]], ["CIFAR10_MD5", saved[1]]] as const) {
      if (v === undefined) Deno.env.delete(k);
      else Deno.env.set(k, v);
    }
  }
});

Deno.test("cifar binary: MD5 mismatch is refused and nothing is cached", async () => {
  const bytes = await cifarArchive();
  await using a = await withArchive(bytes);
  await assert.rejects(
    loadCifar10({ cacheDir: a.cacheDir }, { url: a.path, md5: "0".repeat(32) }),
    (e: Error) => e.message.includes(`MD5 ${md5(bytes)}`) && e.message.includes("0".repeat(32)),
  );
  assert.deepEqual(await listFiles(a.cacheDir), []);
});

Deno.test("cifar binary: a wrong record size names the member", async () => {
  const bytes = await cifarArchive({
    tamper: (name, d) => (name.endsWith("data_batch_3.bin") ? d.subarray(0, d.length - 1) : d),
  });
  await using a = await withArchive(bytes);
  await assert.rejects(
    loadCifar10({ cacheDir: a.cacheDir }, { url: a.path, md5: md5(bytes) }),
    /data_batch_3\.bin: 9218 bytes is not a whole number of 3073-byte records/,
  );
  assert.deepEqual(await listFiles(a.cacheDir), []);
  assert.throws(() => parseBatch(new Uint8Array(0), "x.bin", 10), /x\.bin: 0 bytes/);
});

Deno.test("cifar binary: a bad label, empty class list and missing member are named", async () => {
  const badLabel = await cifarArchive({
    tamper: (name, d) => {
      if (!name.endsWith("test_batch.bin")) return d;
      const c = d.slice();
      c[3073] = 10;
      return c;
    },
  });
  await using a = await withArchive(badLabel);
  await assert.rejects(
    loadCifar10({ cacheDir: a.cacheDir }, { url: a.path, md5: md5(badLabel) }),
    /test_batch\.bin: record 1 has label 10/,
  );
  const noMeta = await cifarArchive({
    tamper: (name, d) => (name.endsWith("batches.meta.txt") ? new Uint8Array(0) : d),
  });
  await Deno.writeFile(a.path, noMeta);
  await assert.rejects(
    loadCifar10({ cacheDir: a.cacheDir }, { url: a.path, md5: md5(noMeta) }),
    /batches\.meta\.txt lists 0 class names/,
  );
  const noTest = await cifarArchive({
    tamper: (name, d) => (name.endsWith("test_batch.bin") ? null : d),
  });
  await Deno.writeFile(a.path, noTest);
  await assert.rejects(
    loadCifar10({ cacheDir: a.cacheDir }, { url: a.path, md5: md5(noTest) }),
    /missing member\(s\) cifar-10-batches-bin\/test_batch\.bin/,
  );
  assert.deepEqual(await listFiles(a.cacheDir), []);
});

Deno.test("cifar binary: corrupt and truncated archives fail clearly", async () => {
  const bytes = await cifarArchive();
  await using a = await withArchive(bytes);
  const truncated = bytes.subarray(0, Math.floor(bytes.length / 2));
  await Deno.writeFile(a.path, truncated);
  await assert.rejects(
    loadCifar10({ cacheDir: a.cacheDir }, { url: a.path, md5: md5(truncated) }),
    /corrupt or truncated archive/,
  );
  const corrupt = bytes.slice();
  for (let i = 100; i < 400; i++) corrupt[i] ^= 0x5a;
  await Deno.writeFile(a.path, corrupt);
  await assert.rejects(
    loadCifar10({ cacheDir: a.cacheDir }, { url: a.path, md5: md5(corrupt) }),
    /corrupt or truncated archive/,
  );
  assert.deepEqual(await listFiles(a.cacheDir), []);
});

Deno.test("cifar binary: downloaded once over HTTP with progress, MD5 checked", async () => {
  const bytes = await cifarArchive();
  await using a = await withArchive(bytes);
  await using srv = serve(() => new Response(bytes));
  const log: string[] = [];
  const opts = { cacheDir: a.cacheDir, onProgress: (m: string) => log.push(m) };
  const source = { url: `${srv.base}/cifar-10-binary.tar.gz`, md5: md5(bytes) };
  const ds = await loadCifar10(opts, source);
  checkPixels(ds, 3, 4);
  assert.ok(log.some((m) => m.startsWith("downloading")), log.join("\n"));
  assert.deepEqual(await Deno.readFile(`${a.cacheDir}/cifar-10-binary.tar.gz`), bytes);
  await loadCifar10(opts, source);
  assert.equal(srv.state.hits, 1);
});

Deno.test("cifar binary: a truncated or wrong download leaves the cache clean", async () => {
  const bytes = await cifarArchive();
  await using a = await withArchive(bytes);
  let mode = "broken";
  await using srv = serve(() => {
    if (mode === "broken") {
      return new Response(brokenBody(bytes, 1000), {
        headers: { "content-length": String(bytes.length) },
      });
    }
    if (mode === "short") return new Response(bytes.slice(0, 1000)); // honest length, wrong file
    return new Response("gone", { status: 404 });
  });
  const source = { url: `${srv.base}/c.tar.gz`, md5: md5(bytes) };
  await assert.rejects(
    loadCifar10({ cacheDir: a.cacheDir }, source),
    /c\.tar\.gz (is truncated|failed after)/,
  );
  assert.deepEqual(await listFiles(a.cacheDir), []);
  mode = "short";
  await assert.rejects(loadCifar10({ cacheDir: a.cacheDir }, source), /MD5 .* discarded/);
  assert.deepEqual(await listFiles(a.cacheDir), []);
  mode = "404";
  await assert.rejects(loadCifar10({ cacheDir: a.cacheDir }, source), /HTTP 404/);
  assert.deepEqual(await listFiles(a.cacheDir), []);
});

Deno.test("cifar binary: offline fails fast and says how to provide the archive", async () => {
  const cacheDir = await Deno.makeTempDir({ prefix: "lb-cifar-off-" });
  try {
    // Port 1 on loopback refuses connections at once, like an offline machine.
    const t = performance.now();
    await assert.rejects(
      loadCifar10({ cacheDir }, { url: "http://127.0.0.1:1/cifar-10-binary.tar.gz" }),
      (e: Error) =>
        e.message.includes("CIFAR10_URL") &&
        e.message.includes(`${cacheDir}/cifar-10-binary.tar.gz`) &&
        e.message.includes("c32a1d4ab5d03f1284b67883e8d87530"),
    );
    assert.ok(performance.now() - t < 20_000);
    assert.deepEqual(await listFiles(cacheDir), []);
    await assert.rejects(
      loadCifar10({ cacheDir }, { url: `${cacheDir}/nope.tar.gz` }),
      /CIFAR10_URL file .*nope\.tar\.gz not found/,
    );
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});
