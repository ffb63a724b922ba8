// FusedConv2D: conv + bias + ReLU in one pass of the SIMD kernel (linear or relu
// activation, bias of Cout values or a scalar); anything else goes to the stock kernel.
// The project's attribute `biasLast` (ml/kernels/conv_bias_relu.ts sets it) adds the
// bias after the sum, to round as the unfused conv → add → relu does.
import { FusedConv2D } from "@tensorflow/tfjs-core";
import type { FusedConv2DAttrs, KernelConfig, KernelFunc, TensorInfo } from "@tensorflow/tfjs-core";
import { convForward, supportedConv } from "./Conv2D.ts";
import { stockKernel } from "./stock.ts";
import { type Backend, f32, isF32 } from "./util.ts";

export function fusedConv2D(
  args: {
    inputs: { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo };
    backend: Backend;
    attrs: FusedConv2DAttrs;
  },
): TensorInfo {
  const { inputs: { x, filter, bias }, backend, attrs } = args;
  const act = attrs.activation ?? "linear";
  const outChannels = filter.shape[3];
  const biasOk = !bias ||
    (isF32(bias) && (bias.shape.reduce((a, b) => a * b, 1) === 1 ||
      (bias.shape[bias.shape.length - 1] === outChannels &&
        bias.shape.reduce((a, b) => a * b, 1) === outChannels)));
  const info = (act === "linear" || act === "relu") && biasOk
    ? supportedConv(x, filter, attrs)
    : null;
  if (!info) return stockKernel(FusedConv2D)(args as never) as TensorInfo;
  return convForward(
    backend,
    x,
    filter,
    info,
    bias ? f32(backend, bias).slice() : undefined,
    act === "relu",
    (attrs as FusedConv2DAttrs & { biasLast?: boolean }).biasLast === true,
  );
}

export const fusedConv2DConfig: KernelConfig = {
  kernelName: FusedConv2D,
  backendName: "cpu",
  kernelFunc: fusedConv2D as unknown as KernelFunc,
};
