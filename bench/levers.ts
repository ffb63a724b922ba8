// Levers that bench.ts can switch off to measure their effect in the same
// rounds (--lever NAME): each turns one optimisation on or off at run time.
import { gemm } from "../ml/kernels/BatchMatMul.ts";
import { sgdFusion } from "../ml/optimizer.ts";

export interface Lever {
  on: () => void;
  off: () => void;
}

export const LEVERS: Record<string, Lever> = {
  /** ml/optimizer.ts: one fused pass per parameter instead of four kernel calls. */
  "fused-sgd": {
    on: () => void (sgdFusion.enabled = true),
    off: () => void (sgdFusion.enabled = false),
  },
  /** ml/kernels/BatchMatMul.ts: 4 × 8 tiles, K blocks, transposes in wasm (vs row by row, JS transposes). */
  "tiled-gemm": {
    on: () => void (gemm.tiled = true),
    off: () => void (gemm.tiled = false),
  },
};
