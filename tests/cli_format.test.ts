// The CLI's pieces in process: argument parsing, the flag suggestions, the
// progress formatters (against the messages the real loaders write), the summary.
import { OPTIONS, parseArgs, suggestFlag, UsageError } from "../ml/cli/options.ts";
import {
  bar,
  epochStatus,
  formatDuration,
  loadStatus,
  parseLoadMessage,
  StatusLine,
} from "../ml/cli/progress.ts";
import { describeFlips, renderSummary } from "../ml/cli/summary.ts";
import { parseTrainConfig } from "../ml/config.ts";
import { loadDataset } from "../ml/data/mod.ts";
import type { EpochMetrics } from "../ml/types.ts";
import { png } from "./fixtures/data/make.ts";
import { assert, assertEquals } from "./util/assert.ts";

function usageError(args: string[]): string {
  try {
    parseArgs(args);
  } catch (e) {
    assert(e instanceof UsageError, String(e));
    return e.message;
  }
  throw new Error(`no error for ${args.join(" ")}`);
}

Deno.test("parseArgs: kebab flags, --flag=value, numbers, --param, conditions", () => {
  const { fields, out, help } = parseArgs([
    "--loss=cb_focal",
    "--param",
    "beta=0.999",
    "--param",
    "gamma=1e-1",
    "--batch-size",
    "32",
    "--lr=-0.5",
    "--noise",
    "asymmetric:.2",
    "--imbalance",
    "exp:100",
    "--val-fraction",
    "0.1",
    "--model",
    "convnet",
    "--data",
    "synthetic:500",
    "--out",
    "r.csv",
  ]);
  assertEquals(fields, {
    loss: "cb_focal",
    params: { beta: 0.999, gamma: 0.1 },
    batchSize: 32,
    lr: -0.5,
    condition: {
      labelNoise: { kind: "asymmetric", rate: 0.2 },
      imbalance: { profile: "exp", ratio: 100 },
    },
    valFraction: 0.1,
    model: "convnet",
    data: "synthetic:500",
  });
  assertEquals([out, help], ["r.csv", false]);
  assertEquals(parseArgs(["-h"]).help, true);
  assertEquals(parseArgs(["--loss", "ce", "--help"]).help, true);
  // A kind the schema refuses still reaches it, so its message is the API's.
  assertEquals(parseArgs(["--noise", "gaussian:0.1"]).fields, {
    condition: { labelNoise: { kind: "gaussian", rate: 0.1 } },
  });
});

Deno.test("parseArgs: what it refuses before the schema sees it", () => {
  assertEquals(usageError(["--lr", ""]), '--lr: not a number: ""');
  assertEquals(usageError(["--lr", "0x10"]), '--lr: not a number: "0x10"');
  assertEquals(usageError(["--lr", "Infinity"]), '--lr: not a number: "Infinity"');
  assertEquals(usageError(["--epochs", "--lr", "1"]), "--epochs: needs a value (--epochs N)");
  assertEquals(usageError(["--param", "q=1", "--param", "q=2"]), "--param q: given twice");
  assertEquals(usageError(["--help=yes"]), "--help: takes no value");
  assertEquals(usageError(["-x"]), "unknown option -x; options start with --");
  assertEquals(
    usageError(["--imbalance", "exp:lots"]),
    '--imbalance RATIO: not a number: "lots"',
  );
});

Deno.test("suggestFlag: typos, camelCase and unique prefixes; nothing for strangers", () => {
  const flags = OPTIONS.map((o) => o.flag);
  assertEquals(suggestFlag("epoch", flags), "epochs");
  assertEquals(suggestFlag("stepSize", flags), "step-size");
  assertEquals(suggestFlag("batchsize", flags), "batch-size");
  assertEquals(suggestFlag("params", flags), "param");
  assertEquals(suggestFlag("val", flags), "val-fraction");
  assertEquals(suggestFlag("moel", flags), "model");
  assertEquals(suggestFlag("bogus", flags), undefined);
  assertEquals(suggestFlag("st", flags), undefined); // step-size, step-gamma: ambiguous
});

Deno.test("every option's value reaches a config the schema accepts", () => {
  // One value per option kind, through parseArgs into the real schema.
  const config = parseTrainConfig(
    parseArgs([
      "--loss",
      "focal",
      "--gamma",
      "1",
      "--noise",
      "symmetric:0.2",
      "--imbalance",
      "step:10",
      "--train-limit",
      "100",
      "--backend",
      "cpu",
    ]).fields,
  );
  assertEquals(config.params, { gamma: 1 });
  assertEquals(config.condition, {
    labelNoise: { kind: "symmetric", rate: 0.2 },
    imbalance: { profile: "step", ratio: 10 },
  });
  assertEquals([config.trainLimit, config.backend, config.epochs], [100, "cpu", 20]);
});

Deno.test("formatDuration and bar", () => {
  assertEquals(
    [0.04, 7.25, 17.4, 65, 3599.6, 7380, NaN, -1, Infinity].map(formatDuration),
    ["0.0s", "7.3s", "17s", "1m05s", "1h00m", "2h03m", "?", "?", "?"],
  );
  assertEquals(bar(0.5, 10), "█████░░░░░");
  assertEquals(bar(2, 4), "████");
  assertEquals(bar(NaN, 4), "░░░░");
});

Deno.test("the loaders' real progress messages become counts", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lb-cli-" });
  try {
    const img = png(2, 2, 3, new Uint8Array(12).fill(9));
    for (const split of ["train", "test"]) {
      for (const c of ["a", "b"]) {
        await Deno.mkdir(`${dir}/set/${split}/${c}`, { recursive: true });
        for (let i = 0; i < 10; i++) await Deno.writeFile(`${dir}/set/${split}/${c}/${i}.png`, img);
      }
    }
    const msgs: string[] = [];
    await loadDataset(`${dir}/set`, { cacheDir: `${dir}/cache`, onProgress: (m) => msgs.push(m) });
    const counts = msgs.map(parseLoadMessage).filter((c) => c !== null);
    assertEquals(counts, [
      { label: "set: decoding", done: 0, total: 40, unit: "images" },
      { label: "set: decoding", done: 10, total: 40, unit: "images" },
      { label: "set: decoding", done: 20, total: 40, unit: "images" },
      { label: "set: decoding", done: 30, total: 40, unit: "images" },
    ]);
    assert(msgs.some((m) => m.includes("wrote decoded cache") && !parseLoadMessage(m)), msgs[4]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  // The download messages (ml/data/download.ts) have no local source; their format:
  assertEquals(
    parseLoadMessage("downloading cifar-10-binary.tar.gz: 30% (48.9 of 162.6 MB)"),
    { label: "downloading cifar-10-binary.tar.gz", done: 48.9, total: 162.6, unit: "MB" },
  );
  assertEquals(
    loadStatus({ label: "x: decoding", done: 25, total: 100, unit: "images" }, 10, 4),
    `x: decoding ${bar(0.25)} 25/100 images  ETA 26s`,
  );
});

Deno.test("epochStatus: batch, loss, rate and ETAs for the epoch and the run", () => {
  const p = { epoch: 2, batch: 50, batches: 100, loss: 1.23456, imgPerSec: 1000, etaSeconds: 0 };
  const o = { epochs: 4, trainCount: 10_000, batchSize: 100, epochSeconds: [12] };
  // 5000 images left at 1000 img/s; then 2 more epochs at 12 s each.
  assertEquals(
    epochStatus(p, o),
    `epoch 2/4 ${bar(0.5)} 50/100  loss 1.2346  1000 img/s  ETA 5.0s  run 29s`,
  );
  assert(epochStatus({ ...p, batch: 100, epoch: 4 }, o).endsWith("evaluating…"));
});

Deno.test("StatusLine: escapes only on a terminal", () => {
  const sink = (tty: boolean) => {
    const chunks: string[] = [];
    return {
      chunks,
      isTerminal: () => tty,
      writeSync: (b: Uint8Array) => (chunks.push(new TextDecoder().decode(b)), b.length),
    };
  };
  const piped = sink(false);
  const s1 = new StatusLine(piped);
  s1.set("epoch 1/2 …");
  s1.line("hello");
  s1.clear();
  assertEquals(piped.chunks.join(""), "hello\n");
  const tty = sink(true);
  const s2 = new StatusLine(tty);
  s2.set("status");
  s2.line("hello");
  assertEquals(tty.chunks.join(""), "\rstatus\x1b[K\r\x1b[Khello\n");
});

Deno.test("summary: best and final epochs, the condition's record", () => {
  const m = (epoch: number, testAcc: number, valAcc: number) =>
    ({
      epoch,
      testAcc,
      valAcc,
      testLoss: 1,
      f1: 0.5,
      ece: 0.1,
      balancedAcc: 0.4,
      worstClassAcc: 0.1,
      trainAccClean: 0.9,
      trainAccNoisy: 0.25,
    }) as EpochMetrics;
  const config = parseTrainConfig({
    loss: "ce",
    data: "synthetic",
    epochs: 3,
    valFraction: 0.2,
    condition: { labelNoise: { kind: "symmetric", rate: 0.5 } },
  });
  const text = renderSummary({
    config,
    lossLabel: "ce",
    epochs: [m(1, 0.5, 0.7), m(2, 0.6, 0.6), m(3, 0.6, 0.5)],
    record: {
      imbalanceCounts: [5, 5],
      flips: [[2, 3], [2, 3]],
      flipped: 5,
      trainCounts: [3, 5],
      valCount: 2,
    },
    classes: ["a", "b"],
    params: 1234,
    seconds: 75,
    dataSeconds: 5,
  });
  const lines = text.split("\n");
  assertEquals(
    lines[0],
    "summary: ce on synthetic, model convnet (1,234 parameters); 3 of 3 epochs in 1m15s " +
      "(data 5.0s, training 1m10s)",
  );
  assertEquals(lines.slice(1).map((l) => l.trim().split(/ {2,}/)[0]), [
    "best on val",
    "final (epoch 3)",
    "memorisation",
    "label noise",
    "flips",
    "train counts",
    "validation",
  ]);
  // Never the epoch best on the test set (epoch 2 here): that is test-set selection.
  assert(!/by test accuracy/.test(text), text);
  assert(text.includes("1 by validation accuracy (70.00%; test 50.00%)"), text);
  assert(text.includes("sym noise 50%: 5 of 10 train labels flipped"), text);
  assertEquals(describeFlips([[2, 3], [2, 3]], ["a", "b"]), "a→b 3, b→a 2");
  assertEquals(
    describeFlips([[0, 1, 2], [3, 0, 4], [5, 6, 0]], ["a", "b", "c"], 2),
    "c→b 6, c→a 5, +4 more",
  );
});
