// Add for float32 on the SIMD loop in broadcast.ts (equal shapes, scalars,
// bias-like trailing broadcasts); other cases go to the stock kernel.
import { Add } from "@tensorflow/tfjs-core";
import type { KernelConfig, KernelFunc, TensorInfo } from "@tensorflow/tfjs-core";
import { binaryKernel, BinaryOp } from "./broadcast.ts";
import type { Backend } from "./util.ts";

export function add(
  args: { inputs: { a: TensorInfo; b: TensorInfo }; backend: Backend },
): TensorInfo {
  return binaryKernel(Add, BinaryOp.Add, args);
}

export const addConfig: KernelConfig = {
  kernelName: Add,
  backendName: "cpu",
  kernelFunc: add as unknown as KernelFunc,
};
