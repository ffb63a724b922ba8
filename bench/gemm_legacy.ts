// The BatchMatMul kernel before the packed GEMM (commit eda2ec9), on the row-major `matmul`
// export the module still has: the "before" arm of bench/gemm_ab.ts and bench/gemm_ceiling.ts.
// Operands are laid out row-major as a[M,K] · b[K,Np] in scratch, Np the columns rounded up to
// whole vectors.
import { BatchMatMul } from "@tensorflow/tfjs-core";
import type { BatchMatMulAttrs, TensorInfo } from "@tensorflow/tfjs-core";
import { stockKernel } from "../ml/kernels/stock.ts";
import { type Backend, ceil4, f32 } from "../ml/kernels/util.ts";
import { matMulGeometry } from "../ml/kernels/BatchMatMul.ts";
import { type WasmRuntime, wasmRuntime } from "../ml/kernels/wasm/runtime.ts";

/**
 * Lays a [rows, cols] matrix (or its transpose, `t`) out in scratch as [R, ld] rows: a straight
 * copy, or a copy and a SIMD transpose inside wasm memory.
 */
function layout(
  rt: WasmRuntime,
  src: () => Float32Array,
  off: number,
  rows: number,
  cols: number,
  t: boolean,
  ld: number,
): number {
  const R = t ? cols : rows;
  const C = t ? rows : cols;
  // Read afresh after each allocation, which may move a resident operand.
  const view = () => src().subarray(off, off + rows * cols);
  if (!t && ld === cols) return rt.input(view());
  const tmp = t ? rt.input(view()) : 0;
  const ptr = rt.alloc(R * ld);
  const f = rt.f32;
  const b = ptr >> 2;
  if (ld !== C) f.fill(0, b, b + R * ld);
  if (!t) {
    const v = view();
    for (let r = 0; r < rows; r++) f.set(v.subarray(r * cols, (r + 1) * cols), b + r * ld);
  } else {
    rt.exports.transpose(tmp, ptr, rows, cols, ld);
  }
  return ptr;
}

export function legacyBatchMatMul(
  args: { inputs: { a: TensorInfo; b: TensorInfo }; backend: Backend; attrs: BatchMatMulAttrs },
): TensorInfo {
  const { inputs: { a, b }, backend, attrs } = args;
  const geo = matMulGeometry(a, b, attrs);
  if (!geo) return stockKernel(BatchMatMul)(args as never) as TensorInfo;
  const { M, K, N, tA, tB, batch, batchA, batchB, outer } = geo;
  const Np = ceil4(N);
  const av = () => f32(backend, a);
  const bv = () => f32(backend, b);
  const out = new Float32Array(batch * M * N);
  const rt = wasmRuntime();
  for (let i = 0; i < batch; i++) {
    rt.reset();
    const ap = layout(rt, av, (batchA === 1 ? 0 : i) * M * K, tA ? K : M, tA ? M : K, tA, K);
    const bp = layout(rt, bv, (batchB === 1 ? 0 : i) * K * N, tB ? N : K, tB ? K : N, tB, Np);
    const cp = rt.alloc(M * Np);
    rt.exports.matmul(ap, bp, cp, M, K, Np);
    const f = rt.f32;
    const cb = cp >> 2;
    if (Np === N) out.set(f.subarray(cb, cb + M * N), i * M * N);
    else {for (let r = 0; r < M; r++) {
        out.set(f.subarray(cb + r * Np, cb + r * Np + N), (i * M + r) * N);
      }}
  }
  return backend.makeTensorInfo([...outer, M, N], "float32", out);
}
