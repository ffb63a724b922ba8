// Test support: run one of the project's kernels and the stock kernel it
// replaced on the same inputs and report the largest difference.
import * as tf from "../tf.ts";
import type { NamedAttrMap, TensorInfo } from "@tensorflow/tfjs-core";
import { registerFastCpuKernels } from "./register_all_kernels.ts";
import { stockKernel } from "./stock.ts";

export async function setupCpu(): Promise<void> {
  registerFastCpuKernels();
  await tf.setBackend("cpu");
  await tf.ready();
}

export interface Comparison {
  shape: number[];
  stockShape: number[];
  maxAbs: number;
  /** max |ours − stock| / (1 + max |stock|) */
  maxRel: number;
}

export function compareWithStock(
  kernelName: string,
  inputs: Record<string, tf.Tensor>,
  attrs: NamedAttrMap,
): Comparison {
  const backend = tf.backend();
  const ours = tf.getKernel(kernelName, "cpu")!.kernelFunc;
  const stock = stockKernel(kernelName);
  if (ours === stock) throw new Error(`${kernelName}: project kernel not registered`);
  const run = (f: typeof ours) => {
    const info = f({ inputs, backend, attrs }) as TensorInfo;
    const t = tf.engine().makeTensorFromTensorInfo(info);
    const v = t.dataSync() as Float32Array;
    const shape = t.shape;
    t.dispose();
    return { v, shape };
  };
  const a = run(ours);
  const b = run(stock);
  let maxAbs = 0;
  let scale = 0;
  for (let i = 0; i < b.v.length; i++) {
    if (Number.isNaN(a.v[i]) || Number.isNaN(b.v[i])) {
      if (!(Number.isNaN(a.v[i]) && Number.isNaN(b.v[i]))) maxAbs = Infinity;
      continue;
    }
    if (a.v[i] === b.v[i]) continue; // also equal infinities
    maxAbs = Math.max(maxAbs, Math.abs(a.v[i] - b.v[i]));
    scale = Math.max(scale, Math.abs(b.v[i]));
  }
  if (a.v.length !== b.v.length) maxAbs = Infinity;
  return { shape: a.shape, stockShape: b.shape, maxAbs, maxRel: maxAbs / (1 + scale) };
}

/** max |a − b| / (1 + max |b|) over two arrays of one length (b the reference). */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let err = 0, scale = 0;
  for (let i = 0; i < a.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return err / (1 + scale);
}

/** Small seeded generator for random shapes in tests. */
export function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.floor((s / 4294967296) * n);
  };
}
