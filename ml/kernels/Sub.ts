// Sub for float32 on the SIMD loop in broadcast.ts (equal shapes, scalars,
// bias-like trailing broadcasts); other cases go to the stock kernel.
import { Sub } from "@tensorflow/tfjs-core";
import type { KernelConfig, KernelFunc, TensorInfo } from "@tensorflow/tfjs-core";
import { binaryKernel, BinaryOp } from "./broadcast.ts";
import type { Backend } from "./util.ts";

export function sub(
  args: { inputs: { a: TensorInfo; b: TensorInfo }; backend: Backend },
): TensorInfo {
  return binaryKernel(Sub, BinaryOp.Sub, args);
}

export const subConfig: KernelConfig = {
  kernelName: Sub,
  backendName: "cpu",
  kernelFunc: sub as unknown as KernelFunc,
};
