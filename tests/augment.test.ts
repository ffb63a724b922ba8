import { assert, assertAlmostEquals, assertEquals } from "./util/assert.ts";
import { fillBatch, normalizationFor, normalizationTable, PAD } from "../ml/augment.ts";
import { Rng } from "../ml/rng.ts";
import type { Split } from "../ml/types.ts";

const H = 6, W = 5, C = 3;
const shape = { height: H, width: W, channels: C };

function split(n: number): Split {
  const images = new Uint8Array(n * H * W * C);
  for (let i = 0; i < images.length; i++) images[i] = (i * 7 + 3) % 256;
  return { images, labels: Uint8Array.from({ length: n }, (_, i) => i % 10), count: n };
}

/** Independent reference: pad with zeros, crop at (oy, ox), optionally flip, then normalise. */
function reference(s: Split, idx: number, oy: number, ox: number, flip: boolean): Float32Array {
  const P = PAD, PH = H + 2 * P, PW = W + 2 * P;
  const padded = new Uint8Array(PH * PW * C);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      for (let c = 0; c < C; c++) {
        padded[((y + P) * PW + x + P) * C + c] = s.images[idx * H * W * C + (y * W + x) * C + c];
      }
    }
  }
  const { mean, std } = normalizationFor(C);
  const out = new Float32Array(H * W * C);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const cx = flip ? W - 1 - x : x;
      for (let c = 0; c < C; c++) {
        const v = padded[((y + oy) * PW + cx + ox) * C + c];
        out[(y * W + x) * C + c] = (v / 255 - mean[c]) / std[c];
      }
    }
  }
  return out;
}

/** An Rng stand-in that replays fixed draws: int() for dy, dx, then float() for the flip. */
function scripted(draws: { oy: number; ox: number; flip: boolean }[]): Rng {
  const ints: number[] = draws.flatMap((d) => [d.oy, d.ox]);
  const floats = draws.map((d) => (d.flip ? 0.25 : 0.75));
  return { int: () => ints.shift()!, float: () => floats.shift()! } as unknown as Rng;
}

Deno.test("test transform is the report's normalisation", () => {
  const s = split(2);
  const lut = normalizationTable(normalizationFor(C));
  const out = new Float32Array(2 * H * W * C);
  const labels = new Int32Array(2);
  fillBatch(s, [1, 0], 0, 2, shape, lut, out, labels);
  assertEquals([...labels], [1, 0]);
  const { mean, std } = normalizationFor(C);
  for (let i = 0; i < H * W * C; i++) {
    const v = s.images[H * W * C + i];
    assertAlmostEquals(out[i], (v / 255 - mean[i % C]) / std[i % C], 1e-6);
  }
  assertAlmostEquals(normalizationTable(normalizationFor(3))[0], -0.4914 / 0.2023, 1e-6);
});

Deno.test("random crop with zero padding and flip match a pad-crop-flip reference", () => {
  const s = split(4);
  const lut = normalizationTable(normalizationFor(C));
  // Every crop offset on both axes, with and without the flip.
  const draws: { oy: number; ox: number; flip: boolean }[] = [];
  for (let oy = 0; oy <= 2 * PAD; oy++) {
    for (let ox = 0; ox <= 2 * PAD; ox++) {
      for (const flip of [false, true]) draws.push({ oy, ox, flip });
    }
  }
  const n = draws.length;
  const indices = draws.map((_, i) => i % 4);
  const out = new Float32Array(n * H * W * C);
  fillBatch(s, indices, 0, n, shape, lut, out, new Int32Array(n), scripted(draws));
  indices.forEach((idx, b) => {
    const ref = reference(s, idx, draws[b].oy, draws[b].ox, draws[b].flip);
    const got = out.subarray(b * H * W * C, (b + 1) * H * W * C);
    for (let i = 0; i < ref.length; i++) {
      assertAlmostEquals(got[i], ref[i], 1e-6, `image ${b} at ${i}`);
    }
  });
});

Deno.test("augmentation is deterministic by seed and covers every offset and both flips", () => {
  const s = split(64);
  const lut = normalizationTable(normalizationFor(C));
  const run = (seed: number) => {
    const out = new Float32Array(64 * H * W * C);
    fillBatch(
      s,
      [...Array(64).keys()],
      0,
      64,
      shape,
      lut,
      out,
      new Int32Array(64),
      new Rng(seed, 3, 0),
    );
    return out;
  };
  assertEquals(run(5), run(5));
  assert(run(5).some((v, i) => v !== run(6)[i]));

  const rng = new Rng(9);
  const seen = new Set<number>();
  let flips = 0;
  const n = 4000;
  for (let i = 0; i < n; i++) {
    seen.add(rng.int(2 * PAD + 1));
    if (rng.float() < 0.5) flips++;
  }
  assertEquals(seen.size, 2 * PAD + 1);
  assert(Math.abs(flips / n - 0.5) < 0.03, `flip rate ${flips / n}`);
});

Deno.test("grayscale uses one channel with the average constants", () => {
  const n = normalizationFor(1);
  assertEquals(n.mean.length, 1);
  assertAlmostEquals(n.mean[0], (0.4914 + 0.4822 + 0.4465) / 3, 1e-9);
});
