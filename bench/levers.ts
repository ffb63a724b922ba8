// Levers that bench.ts can switch off to measure their effect in the same
// rounds (--lever NAME): each turns one optimisation on or off at run time.
import { sgdFusion } from "../ml/optimizer.ts";

/** Whether the bench's loss is the fused softmax-CE op (ml/kernels/softmax_ce.ts) or the ce plug-in. */
export const fusedCe = { enabled: false };

export interface Lever {
  on: () => void;
  off: () => void;
}

export const LEVERS: Record<string, Lever> = {
  /** Changes nothing: the bench's own bias, one arm against an identical copy (should be ~1). */
  none: { on: () => {}, off: () => {} },
  /** ml/optimizer.ts: one fused pass per parameter instead of four kernel calls. */
  "fused-sgd": {
    on: () => void (sgdFusion.enabled = true),
    off: () => void (sgdFusion.enabled = false),
  },
  /** ml/kernels/softmax_ce.ts as the bench's loss (the ce plug-in's op path otherwise). */
  "fused-ce": {
    on: () => void (fusedCe.enabled = true),
    off: () => void (fusedCe.enabled = false),
  },
};
