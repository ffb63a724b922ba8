// The stock tfjs cpu kernels that the project's kernels replace, kept so each
// replacement can fall back to them for what it does not handle (NCHW,
// dilations > 1, non-float32 ...) and so tests can compare against them.
import * as tf from "../tf.ts";
import type { KernelFunc } from "@tensorflow/tfjs-core";

const stock = new Map<string, KernelFunc>();

/** Remembers the kernel currently registered for `name` on cpu as the stock one (first call wins). */
export function captureStock(name: string): void {
  if (stock.has(name)) return;
  const k = tf.getKernel(name, "cpu");
  if (k) stock.set(name, k.kernelFunc);
}

/** Whether tfjs has a stock cpu kernel for `name` (false for the project's own ops). */
export function hasStock(name: string): boolean {
  return stock.has(name);
}

/** The stock cpu kernel for `name`; throws if it was never captured. */
export function stockKernel(name: string): KernelFunc {
  const k = stock.get(name);
  if (!k) throw new Error(`no stock cpu kernel captured for ${name}`);
  return k;
}
