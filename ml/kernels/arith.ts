// Add, Sub and Multiply for float32 on the SIMD loop in broadcast.ts (equal
// shapes, scalars, bias-like trailing broadcasts); other cases go to the stock
// kernel. One config each, differing only in the op.
import { Add, Multiply, Sub } from "@tensorflow/tfjs-core";
import type { KernelConfig, KernelFunc, TensorInfo } from "@tensorflow/tfjs-core";
import { binaryKernel, BinaryOp } from "./broadcast.ts";
import type { Backend } from "./util.ts";

function binaryConfig(kernelName: string, op: BinaryOp): KernelConfig {
  const kernelFunc = (
    args: { inputs: { a: TensorInfo; b: TensorInfo }; backend: Backend },
  ): TensorInfo => binaryKernel(kernelName, op, args);
  return { kernelName, backendName: "cpu", kernelFunc: kernelFunc as unknown as KernelFunc };
}

export const addConfig = binaryConfig(Add, BinaryOp.Add);
export const subConfig = binaryConfig(Sub, BinaryOp.Sub);
export const multiplyConfig = binaryConfig(Multiply, BinaryOp.Mul);
