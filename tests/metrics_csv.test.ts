// ml/csv.ts: the report's 9 columns first and unchanged, then the study's (the
// metric registry's others, in its order), always present, empty where a run has
// no such metric; 9 significant digits, so a float32 comes back exactly.
import { CSV_COLUMNS, csvRow, REPORT_COLUMNS, toCsv } from "../ml/csv.ts";
import type { EpochMetrics } from "../ml/types.ts";
import { assert, assertEquals } from "./util/assert.ts";

const base: EpochMetrics = {
  epoch: 3,
  trainLoss: 1.23456789,
  trainAcc: 0.5,
  testLoss: 1.5,
  testAcc: 0.45,
  f1: 0.44,
  balancedAcc: 0.4412345678,
  worstClassAcc: 0.2,
  ece: 0.0312,
  reliability: { count: [1], confidence: [0.5], accuracy: [1] },
  perClass: { precision: [0.1], recall: [0.2], f1: [0.3] },
  lr: 0.01,
  epochSeconds: 12.5,
  trainImgPerSec: 4000,
  evalImgPerSec: 9000,
  confusion: [[1]],
};

Deno.test("csv: the report's header first, unchanged, then the study's columns", () => {
  assertEquals(
    REPORT_COLUMNS.join(","),
    "epoch,train_loss,train_acc,test_loss,test_acc,f1,lr,epoch_seconds,train_img_per_s",
  );
  assertEquals(
    CSV_COLUMNS.join(","),
    "epoch,train_loss,train_acc,test_loss,test_acc,f1,lr,epoch_seconds,train_img_per_s," +
      "balanced_acc,worst_class_acc,ece,val_loss,val_acc,val_f1,train_acc_clean,train_acc_noisy," +
      "nll,brier",
  );
});

Deno.test("csv: absent metrics are empty cells; every row has every column", () => {
  const plain = csvRow(base);
  assertEquals(
    plain,
    "3,1.23456789,0.5,1.5,0.45,0.44,0.01,12.5,4000,0.441234568,0.2,0.0312,,,,,,,",
  );
  const full = csvRow({
    ...base,
    epoch: 4,
    valLoss: 1.6,
    valAcc: 0.42,
    valF1: 0.41,
    trainAccClean: 0.6,
    trainAccNoisy: 0.1,
    nll: 1.25,
    brier: 0.625,
  });
  assertEquals(
    full,
    "4,1.23456789,0.5,1.5,0.45,0.44,0.01,12.5,4000,0.441234568,0.2,0.0312,1.6,0.42,0.41,0.6,0.1," +
      "1.25,0.625",
  );
  // Only noise: the val cells stay empty, the train_acc_* ones filled.
  assertEquals(
    csvRow({ ...base, trainAccClean: 0.6, trainAccNoisy: 0.1 }).split(",").slice(12),
    ["", "", "", "0.6", "0.1", "", ""],
  );
  // An epoch recorded before the study's metrics existed, and a diverged loss.
  const old = { ...base, trainLoss: NaN } as Partial<EpochMetrics>;
  delete old.balancedAcc;
  delete old.worstClassAcc;
  delete old.ece;
  assertEquals(csvRow(old as EpochMetrics), "3,NaN,0.5,1.5,0.45,0.44,0.01,12.5,4000,,,,,,,,,,");
  const csv = toCsv([base, { ...base, epoch: 4, valLoss: 1.6, valAcc: 0.42, valF1: 0.41 }]);
  const lines = csv.split("\n");
  assertEquals(lines.length, 4); // header, 2 rows, trailing newline
  assertEquals(lines[3], "");
  for (const line of lines.slice(0, 3)) assertEquals(line.split(",").length, CSV_COLUMNS.length);
});

Deno.test("csv: 9 significant digits give every float32 back exactly; 7 did not", () => {
  // float32 values as the trainer's sums produce them, across the exponent range.
  const xs = new Float32Array(2000);
  let seed = 12345;
  for (let i = 0; i < xs.length; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    xs[i] = (seed / 2 ** 31) * 10 ** ((i % 12) - 6);
  }
  let lostAt7 = 0;
  for (const x of xs) {
    const cell = csvRow({ ...base, testAcc: x }).split(",")[4];
    assertEquals(Math.fround(Number(cell)), x, `${x} → ${cell}`);
    if (Math.fround(Number(x.toPrecision(7))) !== x) lostAt7++;
  }
  assert(lostAt7 > 100, `7 digits lost only ${lostAt7} of ${xs.length}: the check is too weak`);
});
