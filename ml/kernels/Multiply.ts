// Multiply for float32 on the SIMD loop in broadcast.ts (equal shapes, scalars,
// bias-like trailing broadcasts); other cases go to the stock kernel.
import { Multiply } from "@tensorflow/tfjs-core";
import type { KernelConfig, KernelFunc, TensorInfo } from "@tensorflow/tfjs-core";
import { binaryKernel, BinaryOp } from "./broadcast.ts";
import type { Backend } from "./util.ts";

export function multiply(
  args: { inputs: { a: TensorInfo; b: TensorInfo }; backend: Backend },
): TensorInfo {
  return binaryKernel(Multiply, BinaryOp.Mul, args);
}

export const multiplyConfig: KernelConfig = {
  kernelName: Multiply,
  backendName: "cpu",
  kernelFunc: multiply as unknown as KernelFunc,
};
