// Step (x > 0 ? 1 : alpha, NaN stays NaN; ReLU's gradient mask) for float32 on a SIMD loop.
import { Step, util } from "@tensorflow/tfjs-core";
import type { KernelConfig, KernelFunc, StepAttrs, TensorInfo } from "@tensorflow/tfjs-core";
import { stockKernel } from "./stock.ts";
import { type Backend, f32 } from "./util.ts";
import { residentTensor } from "./resident.ts";
import { wasmRuntime } from "./wasm/runtime.ts";

export function step(
  args: { inputs: { x: TensorInfo }; backend: Backend; attrs: StepAttrs },
): TensorInfo {
  const { inputs: { x }, backend, attrs } = args;
  if (x.dtype !== "float32") return stockKernel(Step)(args as never) as TensorInfo;
  const n = util.sizeFromShape(x.shape);
  const rt = wasmRuntime();
  rt.reset();
  const xp = rt.input(f32(backend, x));
  const out = rt.block(n);
  rt.exports.step(xp, out, n, attrs.alpha ?? 0);
  return residentTensor(backend, x.shape, out, n);
}

export const stepConfig: KernelConfig = {
  kernelName: Step,
  backendName: "cpu",
  kernelFunc: step as unknown as KernelFunc,
};
