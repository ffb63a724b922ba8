// A small, learnable data set generated in memory: each class is a striped
// pattern with its own orientation, frequency and tint; every image gets a
// random phase, contrast, brightness and pixel noise. Deterministic by seed.
import type { Dataset, Split } from "../types.ts";
import { Rng, Stream } from "../rng.ts";

export interface SyntheticOptions {
  train?: number;
  test?: number;
  size?: number;
  channels?: number;
  classes?: number;
  seed?: number;
}

interface ClassPattern {
  /** Unit direction of the stripes, scaled by the class's spatial frequency. */
  kx: number;
  ky: number;
  tint: number[];
}

function patterns(classes: number, channels: number, size: number): ClassPattern[] {
  return Array.from({ length: classes }, (_, k) => {
    const angle = (Math.PI * k) / classes;
    const freq = (2 * Math.PI * (1.5 + (k % 3))) / size; // 1.5, 2.5 or 3.5 cycles per image
    // Hues spread round the colour wheel; gray sets rely on the stripes alone.
    const tint = Array.from(
      { length: channels },
      (_, c) =>
        channels === 1
          ? 1
          : 0.55 + 0.45 * Math.cos((2 * Math.PI * k) / classes - (2 * Math.PI * c) / 3),
    );
    return { kx: freq * Math.cos(angle), ky: freq * Math.sin(angle), tint };
  });
}

function generateSplit(
  count: number,
  size: number,
  channels: number,
  pats: ClassPattern[],
  rng: Rng,
): Split {
  const pixels = size * size * channels;
  const images = new Uint8Array(count * pixels);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const k = i % pats.length;
    labels[i] = k;
    const { kx, ky, tint } = pats[k];
    const phase = rng.float() * 2 * Math.PI;
    const contrast = 50 + 40 * rng.float();
    const brightness = 128 + 40 * (rng.float() - 0.5);
    let o = i * pixels;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const wave = Math.sin(kx * x + ky * y + phase) * contrast;
        for (let c = 0; c < channels; c++) {
          // Triangular noise in ±40 from the two halves of one draw.
          const r = rng.uint32();
          const noise = ((r & 0xffff) + (r >>> 16)) * (40 / 65535) - 40;
          const v = brightness + wave * tint[c] + noise;
          images[o++] = v < 0 ? 0 : v > 255 ? 255 : v;
        }
      }
    }
  }
  return { images, labels, count };
}

/** Generates the synthetic data set (defaults: 5,000 train, 1,000 test, 32×32×3, 10 classes). */
export function synthetic(opts: SyntheticOptions = {}): Dataset {
  const { train = 5000, test = 1000, size = 32, channels = 3, classes = 10, seed = 1 } = opts;
  for (
    const [key, v, min, max] of [
      ["train", train, 1, 1e6],
      ["test", test, 1, 1e6],
      ["size", size, 1, 1024],
      ["classes", classes, 2, 256],
    ] as const
  ) {
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new Error(`synthetic: ${key} must be an integer in ${min}..${max}, got ${v}`);
    }
  }
  if (channels !== 1 && channels !== 3) {
    throw new Error(`synthetic: channels must be 1 or 3, got ${channels}`);
  }
  const pats = patterns(classes, channels, size);
  return {
    name: "synthetic",
    classes: Array.from({ length: classes }, (_, k) => `class${k}`),
    height: size,
    width: size,
    channels,
    train: generateSplit(train, size, channels, pats, new Rng(seed, Stream.synthetic, 0)),
    test: generateSplit(test, size, channels, pats, new Rng(seed, Stream.synthetic, 1)),
  };
}
