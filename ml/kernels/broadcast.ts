// Elementwise binary ops for float32 tensors of equal shape or with one
// operand repeating with a period (a scalar, or a bias-like suffix shape),
// on one SIMD loop; anything else is left to the stock kernels.
import { backend_util, util } from "@tensorflow/tfjs-core";
import type { TensorInfo } from "@tensorflow/tfjs-core";
import { stockKernel } from "./stock.ts";
import { type Backend, f32 } from "./util.ts";
import { residentTensor } from "./resident.ts";
import { wasmRuntime } from "./wasm/runtime.ts";

/** True when `small`'s shape, less leading 1s, is a suffix of `big`'s. */
function isSuffix(small: number[], big: number[]): boolean {
  let s = 0;
  while (s < small.length && small[s] === 1) s++;
  const rest = small.slice(s);
  if (rest.length > big.length) return false;
  const off = big.length - rest.length;
  return rest.every((d, i) => d === big[off + i]);
}

/** Operation codes of the wasm `binary` loop. */
export const BinaryOp = { Add: 0, Sub: 1, Mul: 2 } as const;
export type BinaryOp = (typeof BinaryOp)[keyof typeof BinaryOp];

/** Runs `kernelName` for a and b: the SIMD loop when the shapes allow, the stock kernel otherwise. */
export function binaryKernel(
  kernelName: string,
  op: BinaryOp,
  args: { inputs: { a: TensorInfo; b: TensorInfo }; backend: Backend },
): TensorInfo {
  const { inputs: { a, b }, backend } = args;
  if (a.dtype === "float32" && b.dtype === "float32") {
    const outShape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const n = util.sizeFromShape(outShape);
    const na = util.sizeFromShape(a.shape);
    const nb = util.sizeFromShape(b.shape);
    // big ∘ small with small repeating; `swap` when a is the small one (Sub becomes reverse-sub).
    let swap = false;
    let ok = na === n && (nb === n || isSuffix(b.shape, a.shape));
    if (!ok && nb === n && isSuffix(a.shape, b.shape)) ok = swap = true;
    if (ok && n > 0) {
      const rt = wasmRuntime();
      rt.reset();
      // Each pointer taken before the next allocation (which may move a resident input).
      const big = rt.input(f32(backend, swap ? b : a));
      const small = rt.input(f32(backend, swap ? a : b));
      const out = rt.block(n);
      const code = swap && op === BinaryOp.Sub ? 3 : op;
      rt.exports.binary(code, big, small, out, n, swap ? na : nb);
      return residentTensor(backend, outShape, out, n);
    }
  }
  return stockKernel(kernelName)(args as never) as TensorInfo;
}
