// A small data set generated in memory, deterministic by seed. Class k is a
// striped pattern with a nominal orientation (πk/K), spatial frequency
// (1.5, 2.5 or 3.5 cycles per image) and tint (hue 2πk/K); every image gets a
// random phase, contrast, brightness and pixel noise.
//
// The difficulty sets how far each image's orientation, frequency and hue
// stray from its class's nominal values, in units of the spacing between
// neighbouring classes. At "easy" they never do (the classes are disjoint and a
// convnet reaches 100% in 3 epochs, so every loss looks alike); at "medium" and
// "hard" neighbouring classes overlap, which bounds the attainable accuracy
// below 100% and leaves room for losses to differ, as on CIFAR-10.
import type { Dataset, Split } from "../types.ts";
import { Rng, Stream } from "../rng.ts";

export const DIFFICULTIES = ["easy", "medium", "hard"] as const;
export type Difficulty = typeof DIFFICULTIES[number];

export interface SyntheticOptions {
  train?: number;
  test?: number;
  size?: number;
  channels?: number;
  classes?: number;
  seed?: number;
  /** Default "medium". */
  difficulty?: Difficulty;
}

interface Level {
  /** Std of each image's orientation and hue, in class spacings (π/K and 2π/K). */
  spread: number;
  /** Std of each image's frequency, in cycles per image (classes differ by 1). */
  freqSpread: number;
  /** Pixel noise: triangular in ±noise. */
  noise: number;
  /** Stripe amplitude: uniform in [min, min + range). */
  contrast: [number, number];
}

/** "easy" is the original generator, byte for byte. */
export const LEVELS: Record<Difficulty, Level> = {
  easy: { spread: 0, freqSpread: 0, noise: 40, contrast: [50, 40] },
  medium: { spread: 0.5, freqSpread: 0.35, noise: 60, contrast: [35, 45] },
  hard: { spread: 0.8, freqSpread: 0.55, noise: 80, contrast: [25, 45] },
};

/** Class k's nominal pattern: orientation, cycles per image and hue. */
export function classPattern(k: number, classes: number) {
  return {
    angle: (Math.PI * k) / classes,
    cycles: 1.5 + (k % 3),
    hue: (2 * Math.PI * k) / classes,
  };
}

function tint(hue: number, channels: number): number[] {
  // Hues spread round the colour wheel; gray sets rely on the stripes alone.
  return Array.from(
    { length: channels },
    (_, c) => channels === 1 ? 1 : 0.55 + 0.45 * Math.cos(hue - (2 * Math.PI * c) / 3),
  );
}

/** A standard normal draw (Box–Muller; 1 − u keeps the log finite). */
function gauss(rng: Rng): number {
  const u = 1 - rng.float();
  const v = rng.float();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function generateSplit(
  count: number,
  size: number,
  channels: number,
  classes: number,
  level: Level,
  rng: Rng,
): Split {
  const pixels = size * size * channels;
  const images = new Uint8Array(count * pixels);
  const labels = new Uint8Array(count);
  const [cMin, cRange] = level.contrast;
  const noise = level.noise;
  for (let i = 0; i < count; i++) {
    const k = i % classes;
    labels[i] = k;
    let { angle, cycles, hue } = classPattern(k, classes);
    const phase = rng.float() * 2 * Math.PI;
    const contrast = cMin + cRange * rng.float();
    const brightness = 128 + 40 * (rng.float() - 0.5);
    if (level.spread > 0) {
      angle += gauss(rng) * level.spread * (Math.PI / classes);
      hue += gauss(rng) * level.spread * ((2 * Math.PI) / classes);
      cycles = Math.max(0.5, cycles + gauss(rng) * level.freqSpread);
    }
    const freq = (2 * Math.PI * cycles) / size;
    const kx = freq * Math.cos(angle), ky = freq * Math.sin(angle);
    const tn = tint(hue, channels);
    let o = i * pixels;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const wave = Math.sin(kx * x + ky * y + phase) * contrast;
        for (let c = 0; c < channels; c++) {
          // Triangular noise in ±noise from the two halves of one draw.
          const r = rng.uint32();
          const n = ((r & 0xffff) + (r >>> 16)) * (noise / 65535) - noise;
          const v = brightness + wave * tn[c] + n;
          images[o++] = v < 0 ? 0 : v > 255 ? 255 : v;
        }
      }
    }
  }
  return { images, labels, count };
}

/**
 * Generates the synthetic data set (defaults: 5,000 train, 1,000 test,
 * 32×32×3, 10 classes, medium difficulty).
 */
export function synthetic(opts: SyntheticOptions = {}): Dataset {
  const {
    train = 5000,
    test = 1000,
    size = 32,
    channels = 3,
    classes = 10,
    seed = 1,
    difficulty = "medium",
  } = opts;
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
  const level = LEVELS[difficulty];
  if (!level) {
    throw new Error(`synthetic: difficulty must be one of ${DIFFICULTIES.join(", ")}`);
  }
  return {
    name: "synthetic",
    classes: Array.from({ length: classes }, (_, k) => `class${k}`),
    height: size,
    width: size,
    channels,
    train: generateSplit(train, size, channels, classes, level, new Rng(seed, Stream.synthetic, 0)),
    test: generateSplit(test, size, channels, classes, level, new Rng(seed, Stream.synthetic, 1)),
  };
}

/**
 * Reads a data spec `synthetic[:easy|medium|hard][:<train images>]`
 * ("synthetic:hard", "synthetic:2000", "synthetic:hard:2000"); the test split
 * is a fifth of a given train size. Null when `spec` is not a synthetic spec.
 */
export function parseSyntheticSpec(spec: string): SyntheticOptions | null {
  const m = /^synthetic(?::(easy|medium|hard))?(?::(\d+))?$/.exec(spec);
  if (!m) return null;
  const opts: SyntheticOptions = {};
  if (m[1]) opts.difficulty = m[1] as Difficulty;
  if (m[2] !== undefined) {
    opts.train = Number(m[2]);
    opts.test = Math.max(1, Math.round(opts.train / 5));
  }
  return opts;
}
