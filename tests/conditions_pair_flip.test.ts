// Pair-flip noise (ml/conditions/noise/pair_flip.ts via prepareTrain): class i
// → i+1 mod K with exactly round(rate·n_i) flips per class (halves up), the
// exact flips matrix, the same draws as asymmetric noise's i → i+1 map, each
// sample equally likely to flip (chi-square over seeds), and the kind through
// the schema, the label and the CLI.
import { conditionLabel, prepareTrain } from "../ml/conditions/mod.ts";
import { parseArgs } from "../ml/cli/options.ts";
import { parseTrainConfig } from "../ml/config.ts";
import { chisqCdf } from "../stats/dist.ts";
import { assert, assertEquals } from "./util/assert.ts";
import { CIFAR, makeSplit } from "./util/splits.ts";

const pair = (rate: number) => ({ labelNoise: { kind: "pair_flip" as const, rate } });

/** The exact matrix: n_i − m_i kept, m_i = round(rate·n_i) to i+1 mod K. */
function expectedFlips(perClass: number[], rate: number) {
  const k = perClass.length;
  const m = Array.from({ length: k }, () => new Array(k).fill(0));
  perClass.forEach((n, i) => {
    const f = Math.floor(rate * n + 0.5 + 1e-9);
    m[i][i] = n - f;
    m[i][(i + 1) % k] += f;
  });
  return m;
}

Deno.test("pair-flip: exact counts per class and the exact flips matrix, CIFAR-10 too", () => {
  const perClass = [500, 480, 460, 440, 420, 400, 380, 360, 340, 5];
  const split = makeSplit(perClass);
  for (const rate of [0, 0.2, 0.45, 0.35]) {
    const p = prepareTrain(split, CIFAR, pair(rate), 0, 3);
    const want = expectedFlips(perClass, rate);
    assertEquals(p.record.flips, want, `rate ${rate}`);
    const off = want.reduce((a, row, i) => a + perClass[i] - row[i], 0);
    assertEquals(p.record.flipped, off);
    // The labels themselves: every flip is to the next class, the mask marks exactly those.
    for (let i = 0; i < split.count; i++) {
      const t = split.labels[i], g = p.train.labels[i];
      assert(g === t || g === (t + 1) % 10, `sample ${i}: ${t} → ${g}`);
      assertEquals(p.flippedMask![i], g !== t ? 1 : 0);
    }
  }
  // Halves up: 0.5 · 5 = 2.5 → 3; 0.35 · 10 (3.4999999999999996 in float64) → 4.
  assertEquals(prepareTrain(makeSplit([5, 5]), ["a", "b"], pair(0.5), 0, 1).record.flipped, 6);
  assertEquals(prepareTrain(makeSplit([10, 10]), ["a", "b"], pair(0.35), 0, 1).record.flipped, 8);
});

Deno.test("pair-flip: asymmetric noise's draws where its map is i → i+1 (not CIFAR-10)", () => {
  const split = makeSplit([300, 200, 100, 50]);
  const classes = ["w", "x", "y", "z"];
  for (const seed of [1, 2, 3]) {
    const p = prepareTrain(split, classes, pair(0.3), 0, seed);
    const a = prepareTrain(
      split,
      classes,
      { labelNoise: { kind: "asymmetric", rate: 0.3 } },
      0,
      seed,
    );
    assertEquals([...p.train.labels], [...a.train.labels], `seed ${seed}`);
  }
});

Deno.test("pair-flip: each sample of a class is equally likely to flip (chi-square over seeds)", () => {
  const split = makeSplit([40, 40, 40]);
  const seeds = 400;
  const times = new Array(split.count).fill(0);
  for (let s = 0; s < seeds; s++) {
    const p = prepareTrain(split, ["a", "b", "c"], pair(0.25), 0, s);
    p.flippedMask!.forEach((f, i) => (times[i] += f));
  }
  // Each sample flips with probability m/n = 10/40; the counts are Binomial(400, 0.25).
  const e = seeds * 0.25;
  const x2 = times.reduce((a, o) => a + (o - e) ** 2 / (e * 0.75), 0);
  const p = 1 - chisqCdf(x2, split.count - 3);
  assert(p > 0.001, `χ² = ${x2.toFixed(1)}, p = ${p}`);
});

Deno.test("pair-flip: the schema, the label and --noise pair_flip:RATE", () => {
  const cfg = parseTrainConfig(parseArgs(["--loss", "ce", "--noise", "pair_flip:0.45"]).fields);
  assertEquals(cfg.condition, pair(0.45));
  assertEquals(conditionLabel(cfg.condition), "pair noise 45%");
  let err = "";
  try {
    parseTrainConfig({ loss: "ce", condition: pair(1) });
  } catch (e) {
    err = (e as Error).message;
  }
  assert(err.startsWith("condition.labelNoise.rate: Too big"), err);
});
