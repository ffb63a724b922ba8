// Step (x > 0 ? 1 : alpha, NaN stays NaN; ReLU's gradient mask) for float32 on a SIMD loop.
import { Step } from "@tensorflow/tfjs-core";
import type { KernelConfig, KernelFunc, StepAttrs, TensorInfo } from "@tensorflow/tfjs-core";
import { stockKernel } from "./stock.ts";
import { type Backend, f32 } from "./util.ts";
import { wasmRuntime } from "./wasm/runtime.ts";

export function step(
  args: { inputs: { x: TensorInfo }; backend: Backend; attrs: StepAttrs },
): TensorInfo {
  const { inputs: { x }, backend, attrs } = args;
  if (x.dtype !== "float32") return stockKernel(Step)(args as never) as TensorInfo;
  const rt = wasmRuntime();
  rt.reset();
  const xv = f32(backend, x);
  const xp = rt.input(xv);
  const out = rt.alloc(xv.length);
  rt.exports.step(xp, out, xv.length, attrs.alpha ?? 0);
  return backend.makeTensorInfo(x.shape, "float32", rt.output(out, xv.length));
}

export const stepConfig: KernelConfig = {
  kernelName: Step,
  backendName: "cpu",
  kernelFunc: step as unknown as KernelFunc,
};
