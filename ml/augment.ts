// Batch assembly: gather uint8 images, apply the report's train transform
// (random crop 32 with 4 px zero padding, random horizontal flip) and
// normalisation, writing float32 NHWC straight into the batch buffer.
import type { Rng } from "./rng.ts";
import type { Split } from "./types.ts";

const CIFAR_MEAN = [0.4914, 0.4822, 0.4465];
const CIFAR_STD = [0.2023, 0.1994, 0.2010];
export const PAD = 4;

export interface Normalization {
  mean: number[];
  std: number[];
}

/** The report's CIFAR-10 constants; grayscale sets use their channel average. */
export function normalizationFor(channels: number): Normalization {
  if (channels === 3) return { mean: CIFAR_MEAN, std: CIFAR_STD };
  const avg = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
  return { mean: Array(channels).fill(avg(CIFAR_MEAN)), std: Array(channels).fill(avg(CIFAR_STD)) };
}

/** lut[c·256 + v] = (v/255 − mean_c)/std_c: one lookup per pixel instead of arithmetic. */
export function normalizationTable(norm: Normalization): Float32Array {
  const c = norm.mean.length;
  const lut = new Float32Array(c * 256);
  for (let ch = 0; ch < c; ch++) {
    for (let v = 0; v < 256; v++) lut[ch * 256 + v] = (v / 255 - norm.mean[ch]) / norm.std[ch];
  }
  return lut;
}

export interface BatchShape {
  height: number;
  width: number;
  channels: number;
}

/**
 * Fills `out` (n·H·W·C floats) and `labels` (n ints) from `split` at
 * `indices[start..start+n)`. With `rng`, each image gets a random crop offset
 * in [0, 2·PAD] on both axes (pixels from the zero padding read as 0) and a
 * flip with probability ½.
 */
export function fillBatch(
  split: Split,
  indices: ArrayLike<number>,
  start: number,
  n: number,
  shape: BatchShape,
  lut: Float32Array,
  out: Float32Array,
  labels: Int32Array,
  rng?: Rng,
): void {
  const { height: H, width: W, channels: C } = shape;
  const img = H * W * C;
  const row = W * C;
  const src = split.images;
  for (let b = 0; b < n; b++) {
    const idx = indices[start + b];
    labels[b] = split.labels[idx];
    const base = idx * img;
    const o = b * img;
    if (!rng) {
      copyPixels(src, base, C, out, o, H * W, C, lut);
      continue;
    }
    const dy = rng.int(2 * PAD + 1) - PAD;
    const dx = rng.int(2 * PAD + 1) - PAD;
    const flip = rng.float() < 0.5;
    // Output columns [x0, x1) read real pixels; the rest read the zero padding.
    const x0 = Math.max(0, flip ? dx : -dx);
    const x1 = Math.min(W, flip ? W + dx : W - dx);
    for (let y = 0; y < H; y++) {
      const sy = y + dy;
      const orow = o + y * row;
      if (sy < 0 || sy >= H || x1 <= x0) {
        fillZero(out, orow, W, C, lut);
        continue;
      }
      fillZero(out, orow, x0, C, lut);
      // Flip after the crop, as torchvision applies RandomCrop then RandomHorizontalFlip:
      // output x reads source x + dx, or (W − 1 − x) + dx when flipped.
      const sx0 = flip ? W - 1 - x0 + dx : x0 + dx;
      copyPixels(
        src,
        base + sy * row + sx0 * C,
        flip ? -C : C,
        out,
        orow + x0 * C,
        x1 - x0,
        C,
        lut,
      );
      fillZero(out, orow + x1 * C, W - x1, C, lut);
    }
  }
}

/** `count` pixels from `src[s]` (stepping `step` elements a pixel) into `out[o]`, normalised. */
function copyPixels(
  src: Uint8Array,
  s: number,
  step: number,
  out: Float32Array,
  o: number,
  count: number,
  C: number,
  lut: Float32Array,
): void {
  if (C === 3) {
    // The common case, unrolled: one table lookup per value, no modulo.
    for (let i = 0; i < count; i++, s += step, o += 3) {
      out[o] = lut[src[s]];
      out[o + 1] = lut[256 + src[s + 1]];
      out[o + 2] = lut[512 + src[s + 2]];
    }
    return;
  }
  for (let i = 0; i < count; i++, s += step, o += C) {
    for (let ch = 0; ch < C; ch++) out[o + ch] = lut[ch * 256 + src[s + ch]];
  }
}

/** `count` pixels of zero padding, normalised. */
function fillZero(out: Float32Array, o: number, count: number, C: number, lut: Float32Array): void {
  for (let i = 0; i < count; i++, o += C) {
    for (let ch = 0; ch < C; ch++) out[o + ch] = lut[ch * 256];
  }
}
