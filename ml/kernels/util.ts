// Helpers shared by the project's cpu kernels.
import { backend_util } from "@tensorflow/tfjs-core";
import type { Conv2DAttrs, TensorInfo } from "@tensorflow/tfjs-core";
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import { residentTensor } from "./resident.ts";
import type { WasmRuntime } from "./wasm/runtime.ts";

export type Backend = MathBackendCPU;

/** The float32 values behind a cpu tensor (no copy). */
export function f32(backend: Backend, t: TensorInfo): Float32Array {
  return backend.data.get(t.dataId).values as Float32Array;
}

export const isF32 = (...ts: (TensorInfo | undefined)[]) =>
  ts.every((t) => !t || t.dtype === "float32");

export const ceil4 = (n: number) => (n + 3) & ~3;

/** Geometry of a conv on a zero-padded copy of its input, shared by the three conv kernels. */
export interface PaddedConv {
  N: number;
  H: number;
  W: number;
  Cin: number;
  OH: number;
  OW: number;
  Cout: number;
  Cp: number;
  KH: number;
  KW: number;
  sh: number;
  sw: number;
  top: number;
  left: number;
  Hp: number;
  Wp: number;
}

export function paddedConv(info: backend_util.Conv2DInfo): PaddedConv {
  const { padInfo } = info;
  const KH = info.filterHeight;
  const KW = info.filterWidth;
  const sh = info.strideHeight;
  const sw = info.strideWidth;
  return {
    N: info.batchSize,
    H: info.inHeight,
    W: info.inWidth,
    Cin: info.inChannels,
    OH: info.outHeight,
    OW: info.outWidth,
    Cout: info.outChannels,
    Cp: ceil4(info.outChannels),
    KH,
    KW,
    sh,
    sw,
    top: padInfo.top,
    left: padInfo.left,
    Hp: Math.max(info.inHeight + padInfo.top + padInfo.bottom, (info.outHeight - 1) * sh + KH),
    Wp: Math.max(info.inWidth + padInfo.left + padInfo.right, (info.outWidth - 1) * sw + KW),
  };
}

type Shape4 = [number, number, number, number];

/** tfjs's conv info for a channels-last conv, from an op's attributes. */
export function nhwcConvInfo(
  xShape: readonly number[],
  filterShape: readonly number[],
  attrs: Pick<Conv2DAttrs, "strides" | "pad" | "dimRoundingMode"> & {
    dilations?: Conv2DAttrs["dilations"];
  },
): backend_util.Conv2DInfo {
  return backend_util.computeConv2DInfo(
    xShape as Shape4,
    filterShape as Shape4,
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    "channelsLast",
  );
}

/** The image geometry every wasm conv pass takes, in its argument order. */
export function passGeometry(
  g: PaddedConv,
): [number, number, number, number, number, number, number, number] {
  return [g.N, g.Hp, g.Wp, g.Cin, g.OH, g.OW, g.sh, g.sw];
}

/**
 * The address of `t`'s NHWC image batch zero-padded to (Hp, Wp): `t` itself when no padding
 * is needed (in place when resident), else a padded copy in scratch.
 */
export function padInput(rt: WasmRuntime, backend: Backend, t: TensorInfo, g: PaddedConv): number {
  const { N, H, W, Cin, Hp, Wp, top, left } = g;
  if (Hp === H && Wp === W) return rt.input(f32(backend, t));
  // Resident (a kernel's output), the input is read in place; else copied into scratch in one
  // piece. Either way the wasm copy pads it (the JavaScript path, a fill and then a set of a
  // fresh subarray per row, was convnet_bn's largest JavaScript cost). Addresses survive allocs.
  const sp = rt.input(f32(backend, t));
  const ptr = rt.alloc(N * Hp * Wp * Cin);
  rt.exports.padImages(sp, ptr, N, H, W * Cin * 4, Hp, Wp * Cin * 4, top, left * Cin * 4);
  return ptr;
}

/** offs[kk] for every filter tap kk = (kh·KW + kw)·Cin + ci, zero-padded to a multiple of 4. */
export function tapOffsets(
  rt: WasmRuntime,
  g: PaddedConv,
): { ptr: number; KK: number; KKp: number } {
  const K = g.KW * g.Cin;
  const KK = g.KH * K;
  const KKp = ceil4(KK);
  const ptr = rt.alloc(KKp);
  const t = rt.i32;
  const b = ptr >> 2;
  for (let kk = 0; kk < KKp; kk++) {
    t[b + kk] = kk < KK ? Math.floor(kk / K) * g.Wp * g.Cin + (kk % K) : 0;
  }
  return { ptr, KK, KKp };
}

/** The address of `t` [rows, C] as [rows, Cp] (zero-padded channels): in place when C = Cp. */
export function padChannels(
  rt: WasmRuntime,
  backend: Backend,
  t: TensorInfo,
  rows: number,
  C: number,
  Cp: number,
): number {
  if (C === Cp) return rt.input(f32(backend, t).subarray(0, rows * C));
  const ptr = rt.alloc(rows * Cp);
  const src = f32(backend, t);
  const f = rt.f32;
  const b = ptr >> 2;
  f.fill(0, b, b + rows * Cp);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < C; c++) f[b + r * Cp + c] = src[r * C + c];
  }
  return ptr;
}

/** Where a kernel writes [rows, Cp] that `unpadTensor` turns into [rows, C]: the heap block itself when C = Cp. */
export function padOut(rt: WasmRuntime, rows: number, C: number, Cp: number): number {
  return C === Cp ? rt.block(rows * C) : rt.alloc(rows * Cp);
}

/** [rows, Cp] at `ptr` (from padOut) as a resident [rows, C] tensor of `shape`. */
export function unpadTensor(
  rt: WasmRuntime,
  backend: Backend,
  shape: number[],
  ptr: number,
  rows: number,
  C: number,
  Cp: number,
): TensorInfo {
  if (C === Cp) return residentTensor(backend, shape, ptr, rows * C);
  const out = rt.block(rows * C);
  const f = rt.f32;
  const b = ptr >> 2;
  const o = out >> 2;
  for (let r = 0; r < rows; r++) f.copyWithin(o + r * C, b + r * Cp, b + r * Cp + C);
  return residentTensor(backend, shape, out, rows * C);
}
