// Label sets (ml/data/label_sets.ts): a CSV keyed by file (image folders) or
// index (the binary release); each refusal names the first bad line; the
// service lists the sets with their disagreement rates and refuses a file that
// doesn't match its data set when the data set loads.
import { encode } from "fast-png";
import { disagreement, parseLabelFile, parseLabelHeader } from "../ml/data/label_sets.ts";
import type { Dataset } from "../ml/types.ts";
import { readConfig } from "../service/config.ts";
import { Datasets } from "../service/datasets.ts";
import { assert, assertEquals, assertRejects, assertThrows } from "./util/assert.ts";

const CLASSES = ["cat", "dog"];
const FILES = ["train/cat/0.png", "train/cat/1.png", "train/dog/0.png", "train/dog/1.png"];

/** A tiny data set as decodeImageFolder gives it: files in split order, labels by folder. */
function folderSet(): Dataset {
  const labels = Uint8Array.from([0, 0, 1, 1]);
  const split = { images: new Uint8Array(4), labels, count: 4 };
  return {
    name: "t",
    classes: CLASSES,
    height: 1,
    width: 1,
    channels: 1,
    train: split,
    test: split,
    trainFiles: FILES,
  };
}

const GOOD = [
  "index,file,clean,noisy,worse",
  "0,train/cat/0.png,cat,cat,dog",
  "1,train/cat/1.png,cat,dog,dog",
  "2,train/dog/0.png,dog,dog,cat",
  "3,train/dog/1.png,dog,dog,dog",
];
const csv = (lines: string[]) => lines.join("\n") + "\n";
/** GOOD with line `n` (1-based, 1 is the header) replaced. */
const withLine = (n: number, line: string) => csv(GOOD.map((l, i) => (i === n - 1 ? line : l)));

Deno.test("label file keyed by file: every column but file, index and clean is a set", () => {
  const sets = parseLabelFile(csv(GOOD), folderSet());
  assertEquals(Object.keys(sets), ["noisy", "worse"]);
  assertEquals([...sets.noisy], [0, 1, 1, 1]);
  assertEquals([...sets.worse], [1, 1, 0, 1]);
  assertEquals(disagreement(sets.noisy, folderSet().train.labels), 0.25);
  assertEquals(disagreement(sets.worse, folderSet().train.labels), 0.75);
  // Rows in any order, CRLF line ends, quoted fields, no clean column.
  const shuffled = ["file,worse", '"train/dog/1.png",dog', "train/cat/0.png,dog"]
    .concat(["train/dog/0.png,cat", "train/cat/1.png,dog"]).join("\r\n");
  assertEquals([...parseLabelFile(shuffled, folderSet()).worse], [1, 1, 0, 1]);
});

Deno.test("label file keyed by index for a set without file names (the binary release)", () => {
  const ds = { ...folderSet(), trainFiles: undefined };
  const sets = parseLabelFile(csv(["index,worse", "3,cat", "0,dog", "1,dog", "2,cat"]), ds);
  assertEquals([...sets.worse], [1, 1, 0, 0]);
  assertThrows(
    () => parseLabelFile(csv(["index,worse", "4,cat"]), ds),
    'line 2: index "4" is not a train index (0..3)',
  );
  assertThrows(
    () => parseLabelFile(csv(["file,worse", "train/cat/0.png,cat"]), ds),
    'header: no "index" column',
  );
});

Deno.test("refused: a missing key", () => {
  assertThrows(() => parseLabelFile(withLine(3, "1,,cat,dog,dog"), folderSet()), "line 3: no file");
});

Deno.test("refused: a key that is not a train image", () => {
  assertThrows(
    () => parseLabelFile(withLine(4, "2,train/dog/9.png,dog,dog,cat"), folderSet()),
    'line 4: file "train/dog/9.png" is not a train image of the data set',
  );
});

Deno.test("refused: an unknown class, naming the column", () => {
  assertThrows(
    () => parseLabelFile(withLine(5, "3,train/dog/1.png,dog,dog,bird"), folderSet()),
    'line 5: worse: unknown class "bird" (classes: cat, dog)',
  );
});

Deno.test("refused: a duplicate row, naming the first", () => {
  assertThrows(
    () => parseLabelFile(withLine(5, "3,train/cat/1.png,cat,dog,dog"), folderSet()),
    'line 5: file "train/cat/1.png" repeats line 3',
  );
});

Deno.test("refused: a train image with no row", () => {
  assertThrows(
    () => parseLabelFile(csv(GOOD.slice(0, 3).concat(GOOD.slice(4))), folderSet()),
    'train image "train/dog/0.png" has no row',
  );
});

Deno.test("refused: a clean label that is not the data set's (a file mapped to other images)", () => {
  assertThrows(
    () => parseLabelFile(withLine(2, "0,train/cat/0.png,dog,cat,dog"), folderSet()),
    'line 2: clean: "dog", but the data set labels file "train/cat/0.png" "cat"',
  );
});

Deno.test("refused: a line of the wrong width, and headers without a key or a set", () => {
  assertThrows(
    () => parseLabelFile(withLine(3, "1,train/cat/1.png,cat,dog"), folderSet()),
    "line 3: 4 fields, the header has 5",
  );
  assertThrows(() => parseLabelHeader("name,worse"), "header: no key column");
  assertThrows(() => parseLabelHeader("file,index,clean"), "header: no label set column");
  assertThrows(() => parseLabelHeader("file,worse,worse"), 'column "worse" appears twice');
  assertThrows(() => parseLabelHeader("file,the worst"), 'column "the worst" is not a name');
});

/** A one-pixel PNG image folder on disk: 2 classes, 2 train images each, 1 test. */
async function writeFolder(dir: string) {
  const png = encode({ width: 1, height: 1, data: new Uint8Array([10, 20, 30]), channels: 3 });
  for (const f of [...FILES, "test/cat/0.png", "test/dog/0.png"]) {
    await Deno.mkdir(`${dir}/set/${f.slice(0, f.lastIndexOf("/"))}`, { recursive: true });
    await Deno.writeFile(`${dir}/set/${f}`, png);
  }
}

Deno.test("the service: sets from the header at start, rates once loaded, a bad file refused at load", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lb-labelsets-" });
  try {
    await writeFolder(dir);
    await Deno.writeTextFile(`${dir}/good.csv`, csv(GOOD));
    await Deno.writeTextFile(`${dir}/bad.csv`, withLine(4, "2,train/dog/0.png,dog,dog,bird"));
    const cfg = readConfig({
      LOSSBENCH_DATASETS: `good=${dir}/set,bad=${dir}/set`,
      LOSSBENCH_LABEL_SETS: `good=${dir}/good.csv,bad=${dir}/bad.csv`,
    });
    const ds = new Datasets(cfg.datasets, `${dir}/cache`, () => {}, undefined, {
      labelFiles: cfg.labelFiles,
    });
    assertEquals(ds.labelSets("good"), [
      { name: "noisy", disagreement: null },
      { name: "worse", disagreement: null },
    ]);
    assertEquals(ds.labelSetNames("cifar10"), []);
    const data = await ds.get("good");
    assertEquals(ds.labelSets("good"), [
      { name: "noisy", disagreement: 0.25 },
      { name: "worse", disagreement: 0.75 },
    ]);
    assertEquals([...data.train.labelSets!.worse], [1, 1, 0, 1]);
    assert(data.train.labelSets!.worse.buffer instanceof SharedArrayBuffer, "shared with workers");
    assertEquals(data.trainFiles, undefined, "file names stay in the main thread");
    // The same images, a bad file: the load fails naming the line, never the server path.
    const e = await assertRejects(
      () => ds.get("bad"),
      'bad: label file: line 4: worse: unknown class "bird"',
    );
    assert(!e.message.includes(dir), e.message);
    // A warm start (the decoded cache) still knows the file names.
    const again = new Datasets(cfg.datasets, `${dir}/cache`, () => {}, undefined, {
      labelFiles: cfg.labelFiles,
    });
    assertEquals([...(await again.get("good")).train.labelSets!.noisy], [0, 1, 1, 1]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("LOSSBENCH_LABEL_SETS: a data set it names must exist, its file must have a good header", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lb-labelsets-" });
  try {
    await Deno.writeTextFile(`${dir}/nokey.csv`, "name,worse\na,b\n");
    assertThrows(
      () => readConfig({ LOSSBENCH_LABEL_SETS: `mine=${dir}/x.csv` }),
      'LOSSBENCH_LABEL_SETS: "mine" is not a data set',
    );
    assertThrows(
      () => readConfig({ LOSSBENCH_LABEL_SETS: `cifar10=${dir}/missing.csv` }),
      "no such file",
    );
    assertThrows(
      () => readConfig({ LOSSBENCH_LABEL_SETS: `cifar10=${dir}/nokey.csv` }),
      "header: no key column",
    );
    assertEquals(
      readConfig({ LOSSBENCH_LABEL_SETS: "" }).labelFiles.size,
      0,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("LOSSBENCH_DATASETS: name@decoder gives one data set its own JPEG decoder", () => {
  const cfg = readConfig({
    LOSSBENCH_DATASETS: "old@jpeg-js=a.tar.gz,new=a.tar.gz,pil@libjpeg-turbo=b",
  });
  assertEquals([...cfg.datasets], [["old", "a.tar.gz"], ["new", "a.tar.gz"], ["pil", "b"]]);
  assertEquals([...cfg.datasetDecoders], [["old", "jpeg-js"], ["pil", "libjpeg-turbo"]]);
  assertThrows(
    () => readConfig({ LOSSBENCH_DATASETS: "old@pil=a.tar.gz" }),
    "LOSSBENCH_DATASETS: old@pil: the decoder must be one of libjpeg-turbo, jpeg-js",
  );
});

Deno.test("HTTP: GET /api/datasets lists the sets; an unknown set is a 400 naming the field; a human run records its flips", async () => {
  const { startServer } = await import("./util/server.ts");
  const { api } = await import("./util/api.ts");
  const dir = await Deno.makeTempDir({ prefix: "lb-labelsets-http-" });
  const png = (v: number) =>
    encode({ width: 32, height: 32, data: new Uint8Array(32 * 32 * 3).fill(v), channels: 3 });
  for (const [i, f] of [...FILES, "test/cat/0.png", "test/dog/0.png"].entries()) {
    await Deno.mkdir(`${dir}/set/${f.slice(0, f.lastIndexOf("/"))}`, { recursive: true });
    await Deno.writeFile(`${dir}/set/${f}`, png(40 * i));
  }
  await Deno.writeTextFile(`${dir}/labels.csv`, csv(GOOD));
  const srv = await startServer({
    env: {
      LOSSBENCH_DATASETS: `tiny=${dir}/set`,
      LOSSBENCH_LABEL_SETS: `tiny=${dir}/labels.csv`,
      LOSSBENCH_WORKERS: "1",
      LOSSBENCH_CACHE: `${dir}/cache`,
    },
  });
  try {
    const tiny = async () =>
      (await api(srv.url, "GET", "/api/datasets")).json.datasets.find((d: { name: string }) =>
        d.name === "tiny"
      );
    assertEquals((await tiny()).labelSets, [
      { name: "noisy", disagreement: null },
      { name: "worse", disagreement: null },
    ]);
    const bad = await api(srv.url, "POST", "/api/runs", {
      loss: "ce",
      data: "tiny",
      condition: { labelNoise: { kind: "human", set: "aggre" } },
    });
    assertEquals(bad.status, 400);
    assertEquals(
      bad.json.error,
      'condition.labelNoise.set: unknown label set "aggre"; this data set has "noisy", "worse"',
    );
    const badExp = await api(srv.url, "POST", "/api/experiments", {
      data: "tiny",
      losses: [{ loss: "ce" }],
      conditions: [{}, { labelNoise: { kind: "matrix", like: "human:aggre" } }],
    });
    assertEquals(badExp.status, 400);
    assert(badExp.json.error.startsWith('conditions.1.labelNoise.like: unknown label set "aggre"'));
    const run = await api(srv.url, "POST", "/api/runs", {
      loss: "ce",
      data: "tiny",
      epochs: 1,
      batchSize: 2,
      condition: { labelNoise: { kind: "human", set: "worse" } },
    });
    assertEquals(run.status, 201);
    let done;
    for (let t = 0; t < 600; t++) {
      done = (await api(srv.url, "GET", `/api/runs/${run.json.id}`)).json;
      if (done.status === "done" || done.status === "failed") break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assertEquals(done.status, "done", done.error);
    assertEquals(done.label, "ce · human noise: worse");
    assertEquals(done.prepared.flips, [[0, 2], [1, 1]]);
    assertEquals(done.prepared.flipped, 3);
    assertEquals((await tiny()).labelSets, [
      { name: "noisy", disagreement: 0.25 },
      { name: "worse", disagreement: 0.75 },
    ]);
  } finally {
    await srv.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
