// The project's fast cpu kernels, registered over tfjs's stock ones (one
// kernel per file, like tfjs's own backends). Each falls back to the stock
// kernel (kept in stock.ts) for cases it does not handle. A few are kernels of
// the project's own ops (batch norm's training forward and gradient): with
// no stock kernel to stand in, their ops run as plain tfjs ops when they are
// not registered.
import * as tf from "../tf.ts";
import type { KernelConfig } from "@tensorflow/tfjs-core";
import { batchMatMulConfig } from "./BatchMatMul.ts";
import { batchNormTrainConfig } from "./BatchNormTrain.ts";
import { batchNormTrainGradConfig } from "./BatchNormTrainGrad.ts";
import { conv2DConfig } from "./Conv2D.ts";
import { conv2DBackpropFilterConfig } from "./Conv2DBackpropFilter.ts";
import { conv2DBackpropInputConfig } from "./Conv2DBackpropInput.ts";
import { fusedBatchNormConfig } from "./FusedBatchNorm.ts";
import { fusedConv2DConfig } from "./FusedConv2D.ts";
import { maxPoolConfig } from "./MaxPool.ts";
import { maxPoolGradConfig } from "./MaxPoolGrad.ts";
import { addConfig, multiplyConfig, subConfig } from "./arith.ts";
import { reluConfig } from "./Relu.ts";
import { stepConfig } from "./Step.ts";
import { sumConfig } from "./Sum.ts";
import { captureStock, hasStock, stockKernel } from "./stock.ts";

export const fastCpuKernels: KernelConfig[] = [
  conv2DConfig,
  fusedConv2DConfig,
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  maxPoolConfig,
  maxPoolGradConfig,
  sumConfig,
  addConfig,
  multiplyConfig,
  subConfig,
  reluConfig,
  stepConfig,
  batchMatMulConfig,
  fusedBatchNormConfig,
  batchNormTrainConfig,
  batchNormTrainGradConfig,
];

/** Registers the project's kernels for `cpu` over the stock ones. Idempotent. */
export function registerFastCpuKernels(): void {
  for (const k of fastCpuKernels) {
    const current = tf.getKernel(k.kernelName, "cpu");
    if (current?.kernelFunc === k.kernelFunc) continue;
    captureStock(k.kernelName);
    if (current) tf.unregisterKernel(k.kernelName, "cpu");
    tf.registerKernel(k);
  }
}

/** Puts the stock kernels back (for baselines and tests); the project's own ops' kernels go. */
export function unregisterFastCpuKernels(): void {
  for (const k of fastCpuKernels) {
    const current = tf.getKernel(k.kernelName, "cpu");
    if (current?.kernelFunc !== k.kernelFunc) continue;
    tf.unregisterKernel(k.kernelName, "cpu");
    if (!hasStock(k.kernelName)) continue;
    tf.registerKernel({
      kernelName: k.kernelName,
      backendName: "cpu",
      kernelFunc: stockKernel(k.kernelName),
    });
  }
}
