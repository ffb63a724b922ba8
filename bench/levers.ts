// Levers that bench.ts can switch off to measure their effect in the same
// rounds (--lever NAME): each turns one optimisation on or off at run time.
import { bnFusion } from "../ml/kernels/BatchNormTrain.ts";
import { wideConv } from "../ml/kernels/conv_wide.ts";
import { ceFusion } from "../ml/losses/ops.ts";
import { convFusion } from "../ml/models/convnet.ts";
import { sgdFusion } from "../ml/optimizer.ts";

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
  /** ml/optimizer.ts: the fused update in SIMD over resident wasm arrays, or in JS into fresh ones. */
  "simd-sgd": {
    on: () => void (sgdFusion.simd = true),
    off: () => void (sgdFusion.simd = false),
  },
  /** ml/losses/ops.ts: cross-entropy as one fused op (ml/kernels/softmax_ce.ts) or as tfjs ops. */
  "fused-ce": {
    on: () => void (ceFusion.enabled = true),
    off: () => void (ceFusion.enabled = false),
  },
  /** ml/models/convnet.ts: training's conv blocks as convBiasReluPool ops or as tfjs ops. */
  "fused-conv": {
    on: () => void (convFusion.enabled = true),
    off: () => void (convFusion.enabled = false),
  },
  /** ml/kernels/conv_wide.ts: convnet_bn's wide-channel conv loops, or the generic ones. */
  "wide-conv": {
    on: () => void (wideConv.enabled = true),
    off: () => void (wideConv.enabled = false),
  },
  /** ml/kernels/BatchNormTrain*.ts: batch norm (and its ReLU) in fused passes, or op by op. */
  "fused-bn": {
    on: () => void (bnFusion.enabled = true),
    off: () => void (bnFusion.enabled = false),
  },
  /** fused-ce and fused-conv together. */
  "fused-ce+conv": {
    on: () => void (ceFusion.enabled = convFusion.enabled = true),
    off: () => void (ceFusion.enabled = convFusion.enabled = false),
  },
};
