// BatchMatMul for float32 (transposes and batch broadcasting of a single
// batch) on a WebAssembly SIMD GEMM (assembly/matmul.ts `gemm`): a is packed
// into 4-row strips, b into 8-column panels, or for a few rows of a, b is
// read row-major where it was copied in (packing a big weight matrix costs
// more than it saves when only a batch of rows reuses it).
import { BatchMatMul, util } from "@tensorflow/tfjs";
import type { BatchMatMulAttrs, KernelConfig, KernelFunc, TensorInfo } from "@tensorflow/tfjs";
import { stockKernel } from "./stock.ts";
import { type Backend, f32, isF32 } from "./util.ts";
import { type WasmRuntime, wasmRuntime } from "./wasm/runtime.ts";

const ceil = (n: number, m: number) => Math.ceil(n / m) * m;

/** Up to this many rows of a, a non-transposed b is read row-major instead of packed. */
const ROW_MAJOR_B_ROWS = 128;
/** K block of the row-major b (its rows stay in L1 across the row strips); packed b is one block. */
const ROW_MAJOR_KC = 256;

/** A [rows, cols] matrix's copy in scratch (the values themselves when they are a previous output). */
function copyIn(rt: WasmRuntime, src: Float32Array, whole: boolean, off: number, n: number) {
  return rt.input(whole ? src : src.subarray(off, off + n));
}

/**
 * b [K, N] copied row-major with rows of ldb floats: N rounded up to 8 and, when that is a multiple
 * of 32 floats, 16 more, so that successive rows do not all fall in the same few L1 sets. The
 * padding columns are left as they are: they only reach output columns that are dropped.
 */
function rowMajorB(rt: WasmRuntime, src: Float32Array, off: number, K: number, N: number) {
  const N8 = ceil(N, 8);
  const ldb = N8 % 32 === 0 ? N8 + 16 : N8;
  const ptr = rt.alloc(K * ldb);
  const f = rt.f32;
  const base = ptr >> 2;
  for (let k = 0; k < K; k++) {
    f.set(src.subarray(off + k * N, off + (k + 1) * N), base + k * ldb);
  }
  return { ptr, ldb };
}

export function batchMatMul(
  args: { inputs: { a: TensorInfo; b: TensorInfo }; backend: Backend; attrs: BatchMatMulAttrs },
): TensorInfo {
  const { inputs: { a, b }, backend, attrs } = args;
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (!isF32(a, b) || ra < 2 || rb < 2) {
    return stockKernel(BatchMatMul)(args as never) as TensorInfo;
  }
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
  // Only equal batches or one side unbatched, with the larger side's outer shape.
  const simple = K === K2 && (batchA === batchB || batchA === 1 || batchB === 1) &&
    util.sizeFromShape(outer) === batch &&
    (batchA === batchB
      ? util.arraysEqual(a.shape.slice(0, -2), b.shape.slice(0, -2)) || ra !== rb
      : true);
  if (!simple) return stockKernel(BatchMatMul)(args as never) as TensorInfo;
  if (M * N === 0 || K === 0) {
    return backend.makeTensorInfo([...outer, M, N], "float32", new Float32Array(batch * M * N));
  }
  const M4 = ceil(M, 4);
  const N8 = ceil(N, 8);
  const av = f32(backend, a);
  const bv = f32(backend, b);
  const rt = wasmRuntime();
  const gemm = rt.exports.gemm;
  const rowMajor = !tB && M <= ROW_MAJOR_B_ROWS;
  const out = new Float32Array(batch * M * N);
  for (let i = 0; i < batch; i++) {
    rt.reset(av, bv);
    const ai = copyIn(rt, av, batchA === 1, (batchA === 1 ? 0 : i) * M * K, M * K);
    const ap = rt.alloc(M4 * K);
    rt.exports.packA(ai, ap, M, K, tA ? M : K, tA ? 1 : 0);
    const bOff = (batchB === 1 ? 0 : i) * K * N;
    const cp = rt.alloc(M4 * N8);
    if (rowMajor) {
      const { ptr, ldb } = rowMajorB(rt, bv, bOff, K, N);
      gemm(ap, ptr, cp, M4, K, N8, N8, 16 * K, 16, 32, 4 * ldb, ROW_MAJOR_KC);
    } else {
      const bi = copyIn(rt, bv, batchB === 1, bOff, K * N);
      const bp = rt.alloc(K * N8);
      rt.exports.packB(bi, bp, K, N, tB ? K : N, tB ? 1 : 0);
      gemm(ap, bp, cp, M4, K, N8, N8, 16 * K, 16, 32 * K, 32, K);
    }
    // Copied out with `set` into a fresh array: faster than `slice` on large outputs.
    const f = rt.f32;
    const cb = cp >> 2;
    if (N8 === N) out.set(f.subarray(cb, cb + M * N), i * M * N);
    else {
      for (let r = 0; r < M; r++) {
        out.set(f.subarray(cb + r * N8, cb + r * N8 + N), (i * M + r) * N);
      }
    }
  }
  return backend.makeTensorInfo([...outer, M, N], "float32", out);
}

export const batchMatMulConfig: KernelConfig = {
  kernelName: BatchMatMul,
  backendName: "cpu",
  kernelFunc: batchMatMul as unknown as KernelFunc,
};
