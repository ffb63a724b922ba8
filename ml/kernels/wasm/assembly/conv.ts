// AssemblyScript source of the project's WebAssembly SIMD conv kernels.
// Built by `deno task build:wasm` (ml/kernels/wasm/build.ts) into
// ml/kernels/wasm/kernels.wasm and its base64 twin kernels_wasm.ts.
//
// Everything here works on raw pointers into one linear memory that the JS
// side owns (no allocator, no runtime): the JS side pads and lays out the
// operands, these loops only multiply and add. All images are NHWC.
//
// Shared notation:
//   x    padded input [N, Hp, Wp, Cin] (zero padding already applied)
//   offs i32 table: offs[kk] = (kh·Wp + kw)·Cin + ci for kk = (kh·KW + kw)·Cin + ci,
//        the element offset of filter tap kk from a patch's top-left corner;
//        padded with zeros up to a multiple of 4 entries
//   Cp   output channels rounded up to a multiple of 4 (SIMD lanes)
//   p    output pixel index (n·OH + oh)·OW + ow

// @ts-nocheck: AssemblyScript types (usize, v128, f32x4) are not TypeScript's.

import { S1, S2, S3, S4, S5, S6, S7, S8 } from "./strides";
import { backpropInputPasses8 } from "./input_grad8";

/** conv2d's flags: ReLU after the sum; the bias added after the sum instead of seeding it. */
const RELU = 1;
const BIAS_LAST = 2;

/**
 * ReLU of a sum. With the bias added last the result must be bit for bit conv, then the Add
 * kernel, then the Relu kernel (training's op path), whose x < 0 ? 0 : x keeps −0; max(x, 0)
 * (inference's fused kernel) makes it +0.
 */
function act(v: v128, exact: i32): v128 {
  const zero = f32x4.splat(0);
  return exact ? v128.bitselect(zero, v, f32x4.lt(v, zero)) : f32x4.max(v, zero);
}

/**
 * Forward conv: out[p, 0..Cp) = bias + Σ_kk x[patch(p) + offs[kk]] · w[kk, 0..Cp), optional ReLU
 * (flags: RELU, BIAS_LAST). The sum starts from the bias, or with BIAS_LAST from 0 and the bias
 * is added at the end: a different float32 rounding, the one of conv then bias add.
 * Cp = 4 and Cp = 8 with a pixel stride sw·Cin ≤ 8 run register-blocked loops (8 pixels ×
 * 4 channels, 5 pixels × 8 channels) that walk each filter row's KW·Cin contiguous taps with
 * the pixels at constant load offsets; the rest runs the generic loop over the tap table.
 */
export function conv2d(
  x: usize,
  w: usize,
  bias: usize,
  offs: usize,
  out: usize,
  N: i32,
  Hp: i32,
  Wp: i32,
  Cin: i32,
  OH: i32,
  OW: i32,
  sh: i32,
  sw: i32,
  KH: i32,
  KW: i32,
  Cp: i32,
  flags: i32,
): void {
  const ps = sw * Cin;
  const K = KW * Cin;
  if (Cp == 4 && OW >= 8 && ps <= 8) {
    switch (ps) {
      case 1:
        conv4<S1>(x, w, bias, out, N, Hp, Wp, Cin, OH, OW, sh, KH, K, flags);
        return;
      case 2:
        conv4<S2>(x, w, bias, out, N, Hp, Wp, Cin, OH, OW, sh, KH, K, flags);
        return;
      case 3:
        conv4<S3>(x, w, bias, out, N, Hp, Wp, Cin, OH, OW, sh, KH, K, flags);
        return;
      case 4:
        conv4<S4>(x, w, bias, out, N, Hp, Wp, Cin, OH, OW, sh, KH, K, flags);
        return;
      case 5:
        conv4<S5>(x, w, bias, out, N, Hp, Wp, Cin, OH, OW, sh, KH, K, flags);
        return;
      case 6:
        conv4<S6>(x, w, bias, out, N, Hp, Wp, Cin, OH, OW, sh, KH, K, flags);
        return;
      case 7:
        conv4<S7>(x, w, bias, out, N, Hp, Wp, Cin, OH, OW, sh, KH, K, flags);
        return;
      default:
        conv4<S8>(x, w, bias, out, N, Hp, Wp, Cin, OH, OW, sh, KH, K, flags);
        return;
    }
  }
  if (Cp == 8 && OW >= 5 && ps <= 8) {
    switch (ps) {
      case 1:
        conv8<S1>(x, w, bias, out, N, Hp, Wp, Cin, OH, OW, sh, KH, K, flags);
        return;
      case 2:
        conv8<S2>(x, w, bias, out, N, Hp, Wp, Cin, OH, OW, sh, KH, K, flags);
        return;
      case 3:
        conv8<S3>(x, w, bias, out, N, Hp, Wp, Cin, OH, OW, sh, KH, K, flags);
        return;
      case 4:
        conv8<S4>(x, w, bias, out, N, Hp, Wp, Cin, OH, OW, sh, KH, K, flags);
        return;
      case 5:
        conv8<S5>(x, w, bias, out, N, Hp, Wp, Cin, OH, OW, sh, KH, K, flags);
        return;
      case 6:
        conv8<S6>(x, w, bias, out, N, Hp, Wp, Cin, OH, OW, sh, KH, K, flags);
        return;
      case 7:
        conv8<S7>(x, w, bias, out, N, Hp, Wp, Cin, OH, OW, sh, KH, K, flags);
        return;
      default:
        conv8<S8>(x, w, bias, out, N, Hp, Wp, Cin, OH, OW, sh, KH, K, flags);
        return;
    }
  }
  conv2dGeneric(x, w, bias, offs, out, N, Hp, Wp, Cin, OH, OW, sh, sw, KH * K, Cp, flags);
}

/**
 * Cp = 4: blocks of 8 output pixels of a row (the last block overlaps the one before when
 * OW is not a multiple of 8; it rewrites the same values). S's size is the pixel stride.
 * A filter row's K contiguous taps go 4 at a time: one vector load of a pixel's 4 taps,
 * broadcast lane by lane with shuffles, where 4 broadcast loads would each pay V8's bounds
 * check (Deno runs wasm without a trap handler, so every load is a compare and a branch);
 * the last K mod 4 taps take broadcast loads. Each sum still adds its taps in filter order.
 */
function conv4<S>(
  x: usize,
  w: usize,
  bias: usize,
  out: usize,
  N: i32,
  Hp: i32,
  Wp: i32,
  Cin: i32,
  OH: i32,
  OW: i32,
  sh: i32,
  KH: i32,
  K: i32,
  flags: i32,
): void {
  const PS: usize = offsetof<S>();
  const rowBytes = <usize> (Wp * Cin) << 2;
  const quadBytes = <usize> (K & ~3) << 2;
  const kBytes = <usize> K << 2;
  const relu = flags & RELU;
  const biasLast = flags & BIAS_LAST;
  const bv = v128.load(bias);
  const zero = f32x4.splat(0);
  const init = biasLast ? zero : bv;
  let op = out;
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      const row = x + ((<usize> ((n * Hp + oh * sh) * Wp * Cin)) << 2);
      let ow = 0;
      while (true) {
        if (ow + 8 > OW) ow = OW - 8;
        let a0 = init;
        let a1 = init;
        let a2 = init;
        let a3 = init;
        let a4 = init;
        let a5 = init;
        let a6 = init;
        let a7 = init;
        let wp = w;
        let r = row + <usize> ow * PS;
        for (let kh = 0; kh < KH; kh++) {
          const quads = r + quadBytes;
          let p = r;
          for (; p < quads; p += 16) {
            const w0 = v128.load(wp);
            const w1 = v128.load(wp, 16);
            const w2 = v128.load(wp, 32);
            const w3 = v128.load(wp, 48);
            a0 = quad(a0, v128.load(p), w0, w1, w2, w3);
            a1 = quad(a1, v128.load(p, PS), w0, w1, w2, w3);
            a2 = quad(a2, v128.load(p, 2 * PS), w0, w1, w2, w3);
            a3 = quad(a3, v128.load(p, 3 * PS), w0, w1, w2, w3);
            a4 = quad(a4, v128.load(p, 4 * PS), w0, w1, w2, w3);
            a5 = quad(a5, v128.load(p, 5 * PS), w0, w1, w2, w3);
            a6 = quad(a6, v128.load(p, 6 * PS), w0, w1, w2, w3);
            a7 = quad(a7, v128.load(p, 7 * PS), w0, w1, w2, w3);
            wp += 64;
          }
          const end = r + kBytes;
          for (; p < end; p += 4) {
            const wv = v128.load(wp);
            a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(p), wv));
            a1 = f32x4.add(a1, f32x4.mul(v128.load32_splat(p, PS), wv));
            a2 = f32x4.add(a2, f32x4.mul(v128.load32_splat(p, 2 * PS), wv));
            a3 = f32x4.add(a3, f32x4.mul(v128.load32_splat(p, 3 * PS), wv));
            a4 = f32x4.add(a4, f32x4.mul(v128.load32_splat(p, 4 * PS), wv));
            a5 = f32x4.add(a5, f32x4.mul(v128.load32_splat(p, 5 * PS), wv));
            a6 = f32x4.add(a6, f32x4.mul(v128.load32_splat(p, 6 * PS), wv));
            a7 = f32x4.add(a7, f32x4.mul(v128.load32_splat(p, 7 * PS), wv));
            wp += 16;
          }
          r += rowBytes;
        }
        if (biasLast) {
          a0 = f32x4.add(a0, bv);
          a1 = f32x4.add(a1, bv);
          a2 = f32x4.add(a2, bv);
          a3 = f32x4.add(a3, bv);
          a4 = f32x4.add(a4, bv);
          a5 = f32x4.add(a5, bv);
          a6 = f32x4.add(a6, bv);
          a7 = f32x4.add(a7, bv);
        }
        if (relu) {
          a0 = act(a0, biasLast);
          a1 = act(a1, biasLast);
          a2 = act(a2, biasLast);
          a3 = act(a3, biasLast);
          a4 = act(a4, biasLast);
          a5 = act(a5, biasLast);
          a6 = act(a6, biasLast);
          a7 = act(a7, biasLast);
        }
        const o = op + (<usize> ow << 4);
        v128.store(o, a0);
        v128.store(o, a1, 16);
        v128.store(o, a2, 32);
        v128.store(o, a3, 48);
        v128.store(o, a4, 64);
        v128.store(o, a5, 80);
        v128.store(o, a6, 96);
        v128.store(o, a7, 112);
        if (ow + 8 >= OW) break;
        ow += 8;
      }
      op += <usize> OW << 4;
    }
  }
}

/** acc + x0·w0 + x1·w1 + x2·w2 + x3·w3, added in that order, with x's lanes broadcast. */
function quad(acc: v128, xv: v128, w0: v128, w1: v128, w2: v128, w3: v128): v128 {
  acc = f32x4.add(acc, f32x4.mul(i32x4.shuffle(xv, xv, 0, 0, 0, 0), w0));
  acc = f32x4.add(acc, f32x4.mul(i32x4.shuffle(xv, xv, 1, 1, 1, 1), w1));
  acc = f32x4.add(acc, f32x4.mul(i32x4.shuffle(xv, xv, 2, 2, 2, 2), w2));
  return f32x4.add(acc, f32x4.mul(i32x4.shuffle(xv, xv, 3, 3, 3, 3), w3));
}

/** Cp = 8: blocks of 5 output pixels × 2 channel vectors (overlapping tail as in conv4). */
function conv8<S>(
  x: usize,
  w: usize,
  bias: usize,
  out: usize,
  N: i32,
  Hp: i32,
  Wp: i32,
  Cin: i32,
  OH: i32,
  OW: i32,
  sh: i32,
  KH: i32,
  K: i32,
  flags: i32,
): void {
  const PS: usize = offsetof<S>();
  const rowBytes = <usize> (Wp * Cin) << 2;
  const kBytes = <usize> K << 2;
  const relu = flags & RELU;
  const biasLast = flags & BIAS_LAST;
  const bv0 = v128.load(bias);
  const bv1 = v128.load(bias, 16);
  const zero = f32x4.splat(0);
  const init0 = biasLast ? zero : bv0;
  const init1 = biasLast ? zero : bv1;
  let op = out;
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      const row = x + ((<usize> ((n * Hp + oh * sh) * Wp * Cin)) << 2);
      let ow = 0;
      while (true) {
        if (ow + 5 > OW) ow = OW - 5;
        let a0 = init0;
        let b0 = init1;
        let a1 = init0;
        let b1 = init1;
        let a2 = init0;
        let b2 = init1;
        let a3 = init0;
        let b3 = init1;
        let a4 = init0;
        let b4 = init1;
        let wp = w;
        let r = row + <usize> ow * PS;
        for (let kh = 0; kh < KH; kh++) {
          const end = r + kBytes;
          for (let p = r; p < end; p += 4) {
            const w0 = v128.load(wp);
            const w1 = v128.load(wp, 16);
            const s0 = v128.load32_splat(p);
            a0 = f32x4.add(a0, f32x4.mul(s0, w0));
            b0 = f32x4.add(b0, f32x4.mul(s0, w1));
            const s1 = v128.load32_splat(p, PS);
            a1 = f32x4.add(a1, f32x4.mul(s1, w0));
            b1 = f32x4.add(b1, f32x4.mul(s1, w1));
            const s2 = v128.load32_splat(p, 2 * PS);
            a2 = f32x4.add(a2, f32x4.mul(s2, w0));
            b2 = f32x4.add(b2, f32x4.mul(s2, w1));
            const s3 = v128.load32_splat(p, 3 * PS);
            a3 = f32x4.add(a3, f32x4.mul(s3, w0));
            b3 = f32x4.add(b3, f32x4.mul(s3, w1));
            const s4 = v128.load32_splat(p, 4 * PS);
            a4 = f32x4.add(a4, f32x4.mul(s4, w0));
            b4 = f32x4.add(b4, f32x4.mul(s4, w1));
            wp += 32;
          }
          r += rowBytes;
        }
        if (biasLast) {
          a0 = f32x4.add(a0, bv0);
          b0 = f32x4.add(b0, bv1);
          a1 = f32x4.add(a1, bv0);
          b1 = f32x4.add(b1, bv1);
          a2 = f32x4.add(a2, bv0);
          b2 = f32x4.add(b2, bv1);
          a3 = f32x4.add(a3, bv0);
          b3 = f32x4.add(b3, bv1);
          a4 = f32x4.add(a4, bv0);
          b4 = f32x4.add(b4, bv1);
        }
        if (relu) {
          a0 = act(a0, biasLast);
          b0 = act(b0, biasLast);
          a1 = act(a1, biasLast);
          b1 = act(b1, biasLast);
          a2 = act(a2, biasLast);
          b2 = act(b2, biasLast);
          a3 = act(a3, biasLast);
          b3 = act(b3, biasLast);
          a4 = act(a4, biasLast);
          b4 = act(b4, biasLast);
        }
        const o = op + (<usize> ow << 5);
        v128.store(o, a0);
        v128.store(o, b0, 16);
        v128.store(o, a1, 32);
        v128.store(o, b1, 48);
        v128.store(o, a2, 64);
        v128.store(o, b2, 80);
        v128.store(o, a3, 96);
        v128.store(o, b3, 112);
        v128.store(o, a4, 128);
        v128.store(o, b4, 144);
        if (ow + 5 >= OW) break;
        ow += 5;
      }
      op += <usize> OW << 5;
    }
  }
}

/** Forward conv: out[p, 0..Cp) = bias + Σ_kk x[patch(p) + offs[kk]] · w[kk, 0..Cp), optional ReLU. */
function conv2dGeneric(
  x: usize,
  w: usize,
  bias: usize,
  offs: usize,
  out: usize,
  N: i32,
  Hp: i32,
  Wp: i32,
  Cin: i32,
  OH: i32,
  OW: i32,
  sh: i32,
  sw: i32,
  KK: i32,
  Cp: i32,
  flags: i32,
): void {
  const relu = flags & RELU;
  const biasLast = flags & BIAS_LAST;
  const zero = f32x4.splat(0);
  const pixStep = <usize> (sw * Cin) << 2;
  const wStep = <usize> Cp << 2;
  const outStep = <usize> Cp << 2;
  let op = out;
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      const row = x + ((<usize> ((n * Hp + oh * sh) * Wp * Cin)) << 2);
      let ow = 0;
      for (; ow + 4 <= OW; ow += 4) {
        const b0 = row + <usize> ow * pixStep;
        const b1 = b0 + pixStep;
        const b2 = b1 + pixStep;
        const b3 = b2 + pixStep;
        for (let cv = 0; cv < Cp; cv += 4) {
          const bv = v128.load(bias + (<usize> cv << 2));
          let a0 = biasLast ? zero : bv;
          let a1 = a0;
          let a2 = a0;
          let a3 = a0;
          let wp = w + (<usize> cv << 2);
          let tp = offs;
          for (let kk = 0; kk < KK; kk++) {
            const o = <usize> load<i32>(tp) << 2;
            const wv = v128.load(wp);
            a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(b0 + o), wv));
            a1 = f32x4.add(a1, f32x4.mul(v128.load32_splat(b1 + o), wv));
            a2 = f32x4.add(a2, f32x4.mul(v128.load32_splat(b2 + o), wv));
            a3 = f32x4.add(a3, f32x4.mul(v128.load32_splat(b3 + o), wv));
            wp += wStep;
            tp += 4;
          }
          if (biasLast) {
            a0 = f32x4.add(a0, bv);
            a1 = f32x4.add(a1, bv);
            a2 = f32x4.add(a2, bv);
            a3 = f32x4.add(a3, bv);
          }
          if (relu) {
            a0 = act(a0, biasLast);
            a1 = act(a1, biasLast);
            a2 = act(a2, biasLast);
            a3 = act(a3, biasLast);
          }
          const o0 = op + (<usize> cv << 2);
          v128.store(o0, a0);
          v128.store(o0 + outStep, a1);
          v128.store(o0 + 2 * outStep, a2);
          v128.store(o0 + 3 * outStep, a3);
        }
        op += 4 * outStep;
      }
      for (; ow < OW; ow++) {
        const b0 = row + <usize> ow * pixStep;
        for (let cv = 0; cv < Cp; cv += 4) {
          const bv = v128.load(bias + (<usize> cv << 2));
          let a0 = biasLast ? zero : bv;
          let wp = w + (<usize> cv << 2);
          let tp = offs;
          for (let kk = 0; kk < KK; kk++) {
            const o = <usize> load<i32>(tp) << 2;
            a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(b0 + o), v128.load(wp)));
            wp += wStep;
            tp += 4;
          }
          if (biasLast) a0 = f32x4.add(a0, bv);
          if (relu) a0 = act(a0, biasLast);
          v128.store(op + (<usize> cv << 2), a0);
        }
        op += outStep;
      }
    }
  }
}

/**
 * Filter gradient: dw[kk, 0..Cp) = Σ_p x[patch(p) + offs[kk]] · dy[p, 0..Cp),
 * for kk in [0, KKp) (KKp a multiple of 4; rows past the real taps are junk).
 * Blocks of 8 taps × 4 channels stay in registers for a whole pass over the pixels. (Four
 * output channels take filter_grad4.ts's passes instead: the JS side calls that one.)
 */
export function conv2dBackpropFilter(
  x: usize,
  dy: usize,
  offs: usize,
  dw: usize,
  N: i32,
  Hp: i32,
  Wp: i32,
  Cin: i32,
  OH: i32,
  OW: i32,
  sh: i32,
  sw: i32,
  KKp: i32,
  Cp: i32,
): void {
  const pixStep = <usize> (sw * Cin) << 2;
  const dyStep = <usize> Cp << 2;
  for (let cv = 0; cv < Cp; cv += 4) {
    let kb = 0;
    for (; kb + 8 <= KKp; kb += 8) {
      const t = offs + (<usize> kb << 2);
      const o0 = <usize> load<i32>(t) << 2;
      const o1 = <usize> load<i32>(t, 4) << 2;
      const o2 = <usize> load<i32>(t, 8) << 2;
      const o3 = <usize> load<i32>(t, 12) << 2;
      const o4 = <usize> load<i32>(t, 16) << 2;
      const o5 = <usize> load<i32>(t, 20) << 2;
      const o6 = <usize> load<i32>(t, 24) << 2;
      const o7 = <usize> load<i32>(t, 28) << 2;
      let a0 = f32x4.splat(0);
      let a1 = a0;
      let a2 = a0;
      let a3 = a0;
      let a4 = a0;
      let a5 = a0;
      let a6 = a0;
      let a7 = a0;
      let dp = dy + (<usize> cv << 2);
      for (let n = 0; n < N; n++) {
        for (let oh = 0; oh < OH; oh++) {
          let b = x + ((<usize> ((n * Hp + oh * sh) * Wp * Cin)) << 2);
          for (let ow = 0; ow < OW; ow++) {
            const d = v128.load(dp);
            a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(b + o0), d));
            a1 = f32x4.add(a1, f32x4.mul(v128.load32_splat(b + o1), d));
            a2 = f32x4.add(a2, f32x4.mul(v128.load32_splat(b + o2), d));
            a3 = f32x4.add(a3, f32x4.mul(v128.load32_splat(b + o3), d));
            a4 = f32x4.add(a4, f32x4.mul(v128.load32_splat(b + o4), d));
            a5 = f32x4.add(a5, f32x4.mul(v128.load32_splat(b + o5), d));
            a6 = f32x4.add(a6, f32x4.mul(v128.load32_splat(b + o6), d));
            a7 = f32x4.add(a7, f32x4.mul(v128.load32_splat(b + o7), d));
            b += pixStep;
            dp += dyStep;
          }
        }
      }
      const r = dw + ((<usize> (kb * Cp + cv)) << 2);
      const rs = <usize> Cp << 2;
      v128.store(r, a0);
      v128.store(r + rs, a1);
      v128.store(r + 2 * rs, a2);
      v128.store(r + 3 * rs, a3);
      v128.store(r + 4 * rs, a4);
      v128.store(r + 5 * rs, a5);
      v128.store(r + 6 * rs, a6);
      v128.store(r + 7 * rs, a7);
    }
    for (; kb < KKp; kb += 4) {
      const t = offs + (<usize> kb << 2);
      const o0 = <usize> load<i32>(t) << 2;
      const o1 = <usize> load<i32>(t, 4) << 2;
      const o2 = <usize> load<i32>(t, 8) << 2;
      const o3 = <usize> load<i32>(t, 12) << 2;
      let a0 = f32x4.splat(0);
      let a1 = a0;
      let a2 = a0;
      let a3 = a0;
      let dp = dy + (<usize> cv << 2);
      for (let n = 0; n < N; n++) {
        for (let oh = 0; oh < OH; oh++) {
          let b = x + ((<usize> ((n * Hp + oh * sh) * Wp * Cin)) << 2);
          for (let ow = 0; ow < OW; ow++) {
            const d = v128.load(dp);
            a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(b + o0), d));
            a1 = f32x4.add(a1, f32x4.mul(v128.load32_splat(b + o1), d));
            a2 = f32x4.add(a2, f32x4.mul(v128.load32_splat(b + o2), d));
            a3 = f32x4.add(a3, f32x4.mul(v128.load32_splat(b + o3), d));
            b += pixStep;
            dp += dyStep;
          }
        }
      }
      const r = dw + ((<usize> (kb * Cp + cv)) << 2);
      const rs = <usize> Cp << 2;
      v128.store(r, a0);
      v128.store(r + rs, a1);
      v128.store(r + 2 * rs, a2);
      v128.store(r + 3 * rs, a3);
    }
  }
}

/**
 * Input gradient into a zeroed padded buffer dxp [N, Hp, Wp, Cin]:
 * for each pixel and filter row kh, the row segment of Kp = ⌈KW·Cin⌉₄ floats
 * starting at the patch's row kh gets Σ_co dy[p, co] · wt[kh, co, 0..Kp).
 * wt is the filter transposed to [KH, Cout, Kp] with zeros past KW·Cin, so the
 * last vector may add zeros to up to 3 floats after a segment (dxp has slack).
 */
export function conv2dBackpropInput(
  dy: usize,
  wt: usize,
  dxp: usize,
  N: i32,
  Hp: i32,
  Wp: i32,
  Cin: i32,
  OH: i32,
  OW: i32,
  sh: i32,
  sw: i32,
  KH: i32,
  Kp: i32,
  Cout: i32,
): void {
  const pixStep = <usize> (sw * Cin) << 2;
  const rowStep = <usize> (Wp * Cin) << 2;
  const coStep = <usize> Kp << 2;
  if (Cout == 8 && (Cin & 3) == 0) {
    backpropInputPasses8(dy, wt, dxp, N, Hp, Wp, Cin, OH, OW, sh, pixStep, rowStep, KH, Kp);
    return;
  }
  if (Cout == 8) {
    backpropInput8(dy, wt, dxp, N, Hp, Wp, Cin, OH, OW, sh, pixStep, rowStep, KH, Kp);
    return;
  }
  let dp = dy;
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      let b = dxp + ((<usize> ((n * Hp + oh * sh) * Wp * Cin)) << 2);
      for (let ow = 0; ow < OW; ow++) {
        let seg = b;
        let wk = wt;
        for (let kh = 0; kh < KH; kh++) {
          for (let kv = 0; kv < Kp; kv += 4) {
            const s = seg + (<usize> kv << 2);
            let acc = v128.load(s);
            let wp = wk + (<usize> kv << 2);
            let d = dp;
            for (let co = 0; co < Cout; co++) {
              acc = f32x4.add(acc, f32x4.mul(v128.load32_splat(d), v128.load(wp)));
              wp += coStep;
              d += 4;
            }
            v128.store(s, acc);
          }
          seg += rowStep;
          wk += <usize> Cout * coStep;
        }
        b += pixStep;
        dp += <usize> Cout << 2;
      }
    }
  }
}

/**
 * conv2dBackpropInput for Cout = 8: the pixel's 8 dy values are splatted once and kept in
 * registers across its KH · Kp/4 segment vectors (the generic loop reloads them for each).
 * The same operations in the same order, so the same bits.
 */
function backpropInput8(
  dy: usize,
  wt: usize,
  dxp: usize,
  N: i32,
  Hp: i32,
  Wp: i32,
  Cin: i32,
  OH: i32,
  OW: i32,
  sh: i32,
  pixStep: usize,
  rowStep: usize,
  KH: i32,
  Kp: i32,
): void {
  const coStep = <usize> Kp << 2;
  let dp = dy;
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      let b = dxp + ((<usize> ((n * Hp + oh * sh) * Wp * Cin)) << 2);
      for (let ow = 0; ow < OW; ow++) {
        const d0 = v128.load32_splat(dp);
        const d1 = v128.load32_splat(dp, 4);
        const d2 = v128.load32_splat(dp, 8);
        const d3 = v128.load32_splat(dp, 12);
        const d4 = v128.load32_splat(dp, 16);
        const d5 = v128.load32_splat(dp, 20);
        const d6 = v128.load32_splat(dp, 24);
        const d7 = v128.load32_splat(dp, 28);
        let seg = b;
        let wk = wt;
        for (let kh = 0; kh < KH; kh++) {
          for (let kv = 0; kv < Kp; kv += 4) {
            const s = seg + (<usize> kv << 2);
            const wp = wk + (<usize> kv << 2);
            let acc = v128.load(s);
            acc = f32x4.add(acc, f32x4.mul(d0, v128.load(wp)));
            acc = f32x4.add(acc, f32x4.mul(d1, v128.load(wp + coStep)));
            acc = f32x4.add(acc, f32x4.mul(d2, v128.load(wp + 2 * coStep)));
            acc = f32x4.add(acc, f32x4.mul(d3, v128.load(wp + 3 * coStep)));
            acc = f32x4.add(acc, f32x4.mul(d4, v128.load(wp + 4 * coStep)));
            acc = f32x4.add(acc, f32x4.mul(d5, v128.load(wp + 5 * coStep)));
            acc = f32x4.add(acc, f32x4.mul(d6, v128.load(wp + 6 * coStep)));
            acc = f32x4.add(acc, f32x4.mul(d7, v128.load(wp + 7 * coStep)));
            v128.store(s, acc);
          }
          seg += rowStep;
          wk += 8 * coStep;
        }
        b += pixStep;
        dp += 32;
      }
    }
  }
}
