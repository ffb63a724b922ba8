// The three conv kernels' path for wide channel counts (convnet_bn's 16–64 channels): output
// channels in blocks of 8 (assembly/conv_wide.ts). The input gradient of a stride-1 conv runs
// as the forward loop over the zero-padded dy with the filter flipped and transposed.
//
// The gate is on channel counts the report's ConvNet never has (Cin 3 or 4, Cout 4 or 8), so its
// convs keep their own loops bit for bit; convnet_bn's bits may change (it is not in the study).
// The filter gradient is the exception: its wide loop sums in the same order as conv.ts's, so
// it also takes any Cout that is a multiple of 8 (isWideFilterGrad).
import type { TensorInfo } from "@tensorflow/tfjs-core";
import {
  type Backend,
  f32,
  type PaddedConv,
  padInput,
  padOut,
  passGeometry,
  tapOffsets,
  unpadTensor,
} from "./util.ts";
import type { WasmRuntime } from "./wasm/runtime.ts";
import { wasmRuntime } from "./wasm/runtime.ts";
import { kernelThreads } from "./wasm/threads.ts";

/** Switch for the bench's lever (bench/levers.ts); off, every conv takes the loops of conv.ts. */
export const wideConv = { enabled: true };

/** Whether a conv takes the wide path: Cin ≥ 8 or Cout ≥ 16, which the ConvNet never has. */
export const isWideConv = (g: { Cin: number; Cout: number }) =>
  wideConv.enabled && (g.Cin >= 8 || g.Cout >= 16);

/**
 * Whether a filter gradient takes the wide loop: wide convs, and any Cout that is a multiple of 8
 * (the ConvNet's second conv among them). Each weight's gradient is the same sequential float32
 * sum over the pixels in either loop, so the bits are the same (tests/kernels_conv_wide.test.ts);
 * the wide loop is faster there (0.32 → 0.23 ms on the ConvNet's conv2) but slower with Cout = 4,
 * whose dy it would pad to 8 lanes.
 */
export const isWideFilterGrad = (g: { Cin: number; Cout: number }) =>
  isWideConv(g) || (wideConv.enabled && g.Cout % 8 === 0);

const blocks8 = (c: number) => (c + 7) >> 3;

/**
 * Packs a filter [KH, KW, Cin, Cout] (or, with `flip`, the filter that maps dy back to x:
 * w'[kh, kw, co, ci] = w[KH−1−kh, KW−1−kw, ci, co]) as [Cb][KH][KW·Ci][8]; returns its address.
 */
function packFilter(
  rt: WasmRuntime,
  backend: Backend,
  filter: TensorInfo,
  KH: number,
  KW: number,
  Cin: number,
  Cout: number,
  flip: boolean,
): number {
  const [ci, co] = flip ? [Cout, Cin] : [Cin, Cout];
  const Cb = blocks8(co);
  const taps = KH * KW * ci;
  const ptr = rt.zeros(Cb * taps * 8);
  const w = f32(backend, filter); // read after the alloc, which may have moved it
  const f = rt.f32;
  const base = ptr >> 2;
  for (let kh = 0; kh < KH; kh++) {
    for (let kw = 0; kw < KW; kw++) {
      for (let i = 0; i < ci; i++) {
        const tap = (kh * KW + kw) * ci + i;
        for (let o = 0; o < co; o++) {
          const v = flip
            ? w[(((KH - 1 - kh) * KW + (KW - 1 - kw)) * Cin + o) * Cout + i]
            : w[tap * Cout + o];
          f[base + ((o >> 3) * taps + tap) * 8 + (o & 7)] = v;
        }
      }
    }
  }
  return ptr;
}

/** Where a kernel writes [rows, Cb·8] that `unpack` turns into [rows, C]: a heap block when C = Cb·8. */
const packedOut = (rt: WasmRuntime, rows: number, C: number) => padOut(rt, rows, C, blocks8(C) * 8);

/** [rows, Cb·8] at `ptr` (from packedOut) as a resident [rows, C] tensor. */
const unpack = (
  rt: WasmRuntime,
  backend: Backend,
  shape: number[],
  ptr: number,
  rows: number,
  C: number,
) => unpadTensor(rt, backend, shape, ptr, rows, C, blocks8(C) * 8);

/** conv2dWide split over images (each output pixel is its own sum); arguments as the kernel's. */
function wideOverImages(
  x: number,
  w: number,
  out: number,
  N: number,
  Hp: number,
  Wp: number,
  Cin: number,
  OH: number,
  OW: number,
  sh: number,
  sw: number,
  KH: number,
  KW: number,
  Cb: number,
): void {
  const macs = N * OH * OW * Cb * 8 * KH * KW * Cin;
  kernelThreads().run("conv2dWide", N, 1, macs, (n0, n1) => [
    x + n0 * Hp * Wp * Cin * 4,
    w,
    out + n0 * OH * OW * Cb * 32,
    n1 - n0,
    Hp,
    Wp,
    Cin,
    OH,
    OW,
    sh,
    sw,
    KH,
    KW,
    Cb,
  ]);
}

export function wideConvForward(
  backend: Backend,
  x: TensorInfo,
  filter: TensorInfo,
  g: PaddedConv,
  shape: number[],
): TensorInfo {
  const rt = wasmRuntime();
  rt.reset();
  const xp = padInput(rt, backend, x, g);
  const w = packFilter(rt, backend, filter, g.KH, g.KW, g.Cin, g.Cout, false);
  const Cb = blocks8(g.Cout);
  const P = g.N * g.OH * g.OW;
  const out = packedOut(rt, P, g.Cout);
  wideOverImages(xp, w, out, g.N, g.Hp, g.Wp, g.Cin, g.OH, g.OW, g.sh, g.sw, g.KH, g.KW, Cb);
  return unpack(rt, backend, shape, out, P, g.Cout);
}

export function wideConvBackpropFilter(
  backend: Backend,
  x: TensorInfo,
  dy: TensorInfo,
  g: PaddedConv,
  shape: number[],
): TensorInfo {
  const rt = wasmRuntime();
  rt.reset();
  const xp = padInput(rt, backend, x, g);
  const taps = tapOffsets(rt, g);
  const Cb = blocks8(g.Cout);
  const P = g.N * g.OH * g.OW;
  let dyp: number;
  if (g.Cout === Cb * 8) {
    dyp = rt.input(f32(backend, dy));
  } else {
    dyp = rt.zeros(P * Cb * 8);
    const dyv = f32(backend, dy);
    const f = rt.f32;
    const b = dyp >> 2;
    for (let p = 0; p < P; p++) {
      for (let c = 0; c < g.Cout; c++) f[b + p * Cb * 8 + c] = dyv[p * g.Cout + c];
    }
  }
  const dw = packedOut(rt, taps.KKp, g.Cout);
  // Split over blocks of 4 taps (rows of dw): each weight's sum runs over every pixel in order.
  const macs = taps.KKp * Cb * 8 * P;
  kernelThreads().run("conv2dWideBackpropFilter", taps.KKp, 4, macs, (k0, k1) => [
    xp,
    dyp,
    taps.ptr + k0 * 4,
    dw + k0 * Cb * 32,
    ...passGeometry(g),
    k1 - k0,
    Cb,
  ]);
  return unpack(rt, backend, shape, dw, taps.KK, g.Cout);
}

/**
 * The input gradient of a stride-1 conv, or null for strides > 1 (or a padding past the filter):
 * dx[h, w] = Σ dyP[h + kh, w + kw, co] · w'[kh, kw, co, ci], dyP being dy with KH−1−top rows
 * (KW−1−left columns) of zeros before it, so that its valid conv with w' has dx's size.
 */
export function wideConvBackpropInput(
  backend: Backend,
  dy: TensorInfo,
  filter: TensorInfo,
  g: PaddedConv,
  shape: number[],
): TensorInfo | null {
  const { N, H, W, Cin, Cout, KH, KW, OH, OW } = g;
  const top = KH - 1 - g.top;
  const left = KW - 1 - g.left;
  const Hd = H + KH - 1;
  const Wd = W + KW - 1;
  if (g.sh !== 1 || g.sw !== 1 || top < 0 || left < 0 || top + OH > Hd || left + OW > Wd) {
    return null;
  }
  const rt = wasmRuntime();
  rt.reset();
  const dyg: PaddedConv = {
    ...g,
    H: OH,
    W: OW,
    Cin: Cout,
    Cout: Cin,
    OH: H,
    OW: W,
    top,
    left,
    Hp: Hd,
    Wp: Wd,
  };
  const dyp = padInput(rt, backend, dy, dyg);
  const w = packFilter(rt, backend, filter, KH, KW, Cin, Cout, true);
  const Cb = blocks8(Cin);
  const out = packedOut(rt, N * H * W, Cin);
  wideOverImages(dyp, w, out, N, Hd, Wd, Cout, H, W, 1, 1, KH, KW, Cb);
  return unpack(rt, backend, shape, out, N * H * W, Cin);
}
