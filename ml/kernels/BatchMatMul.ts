// BatchMatMul for float32 (transposes and batch broadcasting of a single
// batch) on a WebAssembly SIMD GEMM (assembly/matmul.ts `gemm`): each operand
// is packed in wasm memory (from where it lies when resident, else from a copy),
// a into 4-row strips, b into 8-column panels (transposed operands are
// transposed by the packing).
import { BatchMatMul, util } from "@tensorflow/tfjs-core";
import type { BatchMatMulAttrs, KernelConfig, KernelFunc, TensorInfo } from "@tensorflow/tfjs-core";
import { stockKernel } from "./stock.ts";
import { type Backend, f32, isF32 } from "./util.ts";
import { residentTensor } from "./resident.ts";
import { type WasmRuntime, wasmRuntime } from "./wasm/runtime.ts";
import { kernelThreads } from "./wasm/threads.ts";

const ceil = (n: number, m: number) => Math.ceil(n / m) * m;

/** A [rows, cols] matrix's address: in place when resident, else a copy in scratch. */
function copyIn(rt: WasmRuntime, src: Float32Array, whole: boolean, off: number, n: number) {
  return rt.input(whole ? src : src.subarray(off, off + n));
}

/** What a float32 BatchMatMul computes, in the cases these kernels take. */
export interface MatMulGeometry {
  M: number;
  K: number;
  N: number;
  tA: boolean;
  tB: boolean;
  batch: number;
  batchA: number;
  batchB: number;
  /** The output's leading (batch) shape. */
  outer: number[];
}

/**
 * The GEMM's shape for float32 operands with equal batches or one side unbatched (with the larger
 * side's outer shape), else null (the stock kernel's case).
 */
export function matMulGeometry(
  a: TensorInfo,
  b: TensorInfo,
  attrs: BatchMatMulAttrs,
): MatMulGeometry | null {
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (!isF32(a, b) || ra < 2 || rb < 2) return null;
  const tA = !!attrs.transposeA;
  const tB = !!attrs.transposeB;
  const M = tA ? a.shape[ra - 1] : a.shape[ra - 2];
  const K = tA ? a.shape[ra - 2] : a.shape[ra - 1];
  const K2 = tB ? b.shape[rb - 1] : b.shape[rb - 2];
  const N = tB ? b.shape[rb - 2] : b.shape[rb - 1];
  const batchA = util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = util.sizeFromShape(b.shape.slice(0, -2));
  const outer = ra >= rb ? a.shape.slice(0, -2) : b.shape.slice(0, -2);
  const batch = Math.max(batchA, batchB);
  const simple = K === K2 && (batchA === batchB || batchA === 1 || batchB === 1) &&
    util.sizeFromShape(outer) === batch &&
    (batchA === batchB
      ? util.arraysEqual(a.shape.slice(0, -2), b.shape.slice(0, -2)) || ra !== rb
      : true);
  return simple ? { M, K, N, tA, tB, batch, batchA, batchB, outer } : null;
}

/**
 * gemm on the kernel threads: over b's 8-column panels, or a's 4-row strips when there are more of
 * those; every c[i, j] is its sum over k in order on any thread.
 */
function gemmThreaded(ap: number, bp: number, cp: number, M4: number, K: number, N8: number) {
  if (N8 / 8 >= M4 / 4) {
    kernelThreads().run("gemm", N8, 8, M4 * K * N8, (j0, j1) => [
      ap,
      bp + j0 * K * 4,
      cp + j0 * 4,
      M4,
      K,
      j1 - j0,
      N8,
    ]);
  } else {
    kernelThreads().run("gemm", M4, 4, M4 * K * N8, (i0, i1) => [
      ap + i0 * K * 4,
      bp,
      cp + i0 * N8 * 4,
      i1 - i0,
      K,
      N8,
      N8,
    ]);
  }
}

export function batchMatMul(
  args: { inputs: { a: TensorInfo; b: TensorInfo }; backend: Backend; attrs: BatchMatMulAttrs },
): TensorInfo {
  const { inputs: { a, b }, backend, attrs } = args;
  const geo = matMulGeometry(a, b, attrs);
  if (!geo) return stockKernel(BatchMatMul)(args as never) as TensorInfo;
  const { M, K, N, tA, tB, batch, batchA, batchB, outer } = geo;
  if (M * N === 0 || K === 0) {
    return backend.makeTensorInfo([...outer, M, N], "float32", new Float32Array(batch * M * N));
  }
  const M4 = ceil(M, 4);
  const N8 = ceil(N, 8);
  const rt = wasmRuntime();
  const out = rt.block(batch * M * N);
  // Unpadded, each product is written straight into the output block.
  const direct = M4 === M && N8 === N;
  for (let i = 0; i < batch; i++) {
    rt.reset();
    // Each operand's values are read afresh: an allocation may have moved a resident one.
    const ai = copyIn(rt, f32(backend, a), batchA === 1, (batchA === 1 ? 0 : i) * M * K, M * K);
    const ap = rt.alloc(M4 * K);
    rt.exports.packA(ai, ap, M, K, tA ? M : K, tA ? 1 : 0);
    const bi = copyIn(rt, f32(backend, b), batchB === 1, (batchB === 1 ? 0 : i) * K * N, K * N);
    const bp = rt.alloc(K * N8);
    rt.exports.packB(bi, bp, K, N, tB ? K : N, tB ? 1 : 0);
    const cp = direct ? out + i * M * N * 4 : rt.alloc(M4 * N8);
    gemmThreaded(ap, bp, cp, M4, K, N8);
    if (direct) continue;
    const f = rt.f32;
    const cb = cp >> 2;
    for (let r = 0; r < M; r++) {
      f.copyWithin((out >> 2) + (i * M + r) * N, cb + r * N8, cb + r * N8 + N);
    }
  }
  return residentTensor(backend, [...outer, M, N], out, batch * M * N);
}

export const batchMatMulConfig: KernelConfig = {
  kernelName: BatchMatMul,
  backendName: "cpu",
  kernelFunc: batchMatMul as unknown as KernelFunc,
};
