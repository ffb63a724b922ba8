// Conv loops for wide channel counts (convnet_bn's 16–64 channels), where the
// generic loops in conv.ts re-read a tap table and hold few accumulators.
// Output channels go in blocks of 8 (two SIMD vectors); the JS side packs
// operands into these layouts (ml/kernels/conv_wide.ts). All images are NHWC.
//
//   x    padded input [N, Hp, Wp, Cin]
//   w8   filter packed as [Cb][KH][KW·Cin][8]: block cb's 8 output channels of every tap,
//        taps in filter order (kh, kw, ci), so a filter row's taps are contiguous
//   Cb   output channel blocks of 8 (channels past the real ones are zero weights)

// @ts-nocheck: AssemblyScript types (usize, v128, f32x4) are not TypeScript's.

/**
 * Forward conv: out[p, 0..8·Cb) = Σ_taps x[patch(p) + tap] · w[tap, ·], sums from 0 in tap order.
 * Blocks of 4 pixels of a row × 8 channels (8 accumulators, each weight pair used by 4 pixels)
 * walk each filter row's KW·Cin contiguous taps, two per trip; the last block of a row overlaps the one before
 * when OW is not a multiple of 4 (it rewrites the same values). Rows narrower than 4 pixels go
 * one pixel at a time.
 */
export function conv2dWide(
  x: usize,
  w8: usize,
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
  Cb: i32,
): void {
  const ps = <usize> (sw * Cin) << 2;
  const ps2 = ps << 1;
  const ps3 = ps * 3;
  const rowBytes = <usize> (Wp * Cin) << 2;
  const K = KW * Cin;
  const kBytes = <usize> K << 2;
  const pairBytes = <usize> (K & ~1) << 2;
  const oddTap = K & 1;
  const blockBytes = <usize> (KH * KW * Cin) << 5;
  const outPix = <usize> Cb << 5;
  let op = out;
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      const row = x + (<usize> ((n * Hp + oh * sh) * Wp * Cin) << 2);
      if (OW < 4) {
        for (let ow = 0; ow < OW; ow++) {
          const pix = row + <usize> ow * ps;
          for (let cb = 0; cb < Cb; cb++) {
            let a0 = f32x4.splat(0);
            let b0 = a0;
            let wp = w8 + <usize> cb * blockBytes;
            let r = pix;
            for (let kh = 0; kh < KH; kh++) {
              const end = r + kBytes;
              for (let p = r; p < end; p += 4) {
                const s = v128.load32_splat(p);
                a0 = f32x4.add(a0, f32x4.mul(s, v128.load(wp)));
                b0 = f32x4.add(b0, f32x4.mul(s, v128.load(wp, 16)));
                wp += 32;
              }
              r += rowBytes;
            }
            const o = op + (<usize> cb << 5);
            v128.store(o, a0);
            v128.store(o, b0, 16);
          }
          op += outPix;
        }
        continue;
      }
      let ow = 0;
      while (true) {
        if (ow + 4 > OW) ow = OW - 4;
        const pix = row + <usize> ow * ps;
        const o = op + <usize> ow * outPix;
        for (let cb = 0; cb < Cb; cb++) {
          let a0 = f32x4.splat(0);
          let b0 = a0;
          let a1 = a0;
          let b1 = a0;
          let a2 = a0;
          let b2 = a0;
          let a3 = a0;
          let b3 = a0;
          let wp = w8 + <usize> cb * blockBytes;
          let r = pix;
          for (let kh = 0; kh < KH; kh++) {
            // Two taps per trip (the loop's own instructions cost as much as the arithmetic).
            const end = r + pairBytes;
            let p0 = r;
            let p1 = r + ps;
            let p2 = r + ps2;
            let p3 = r + ps3;
            for (; p0 < end; p0 += 8, p1 += 8, p2 += 8, p3 += 8) {
              let w0 = v128.load(wp);
              let w1 = v128.load(wp, 16);
              let s = v128.load32_splat(p0);
              a0 = f32x4.add(a0, f32x4.mul(s, w0));
              b0 = f32x4.add(b0, f32x4.mul(s, w1));
              s = v128.load32_splat(p1);
              a1 = f32x4.add(a1, f32x4.mul(s, w0));
              b1 = f32x4.add(b1, f32x4.mul(s, w1));
              s = v128.load32_splat(p2);
              a2 = f32x4.add(a2, f32x4.mul(s, w0));
              b2 = f32x4.add(b2, f32x4.mul(s, w1));
              s = v128.load32_splat(p3);
              a3 = f32x4.add(a3, f32x4.mul(s, w0));
              b3 = f32x4.add(b3, f32x4.mul(s, w1));
              w0 = v128.load(wp, 32);
              w1 = v128.load(wp, 48);
              s = v128.load32_splat(p0, 4);
              a0 = f32x4.add(a0, f32x4.mul(s, w0));
              b0 = f32x4.add(b0, f32x4.mul(s, w1));
              s = v128.load32_splat(p1, 4);
              a1 = f32x4.add(a1, f32x4.mul(s, w0));
              b1 = f32x4.add(b1, f32x4.mul(s, w1));
              s = v128.load32_splat(p2, 4);
              a2 = f32x4.add(a2, f32x4.mul(s, w0));
              b2 = f32x4.add(b2, f32x4.mul(s, w1));
              s = v128.load32_splat(p3, 4);
              a3 = f32x4.add(a3, f32x4.mul(s, w0));
              b3 = f32x4.add(b3, f32x4.mul(s, w1));
              wp += 64;
            }
            if (oddTap) {
              const w0 = v128.load(wp);
              const w1 = v128.load(wp, 16);
              let s = v128.load32_splat(p0);
              a0 = f32x4.add(a0, f32x4.mul(s, w0));
              b0 = f32x4.add(b0, f32x4.mul(s, w1));
              s = v128.load32_splat(p1);
              a1 = f32x4.add(a1, f32x4.mul(s, w0));
              b1 = f32x4.add(b1, f32x4.mul(s, w1));
              s = v128.load32_splat(p2);
              a2 = f32x4.add(a2, f32x4.mul(s, w0));
              b2 = f32x4.add(b2, f32x4.mul(s, w1));
              s = v128.load32_splat(p3);
              a3 = f32x4.add(a3, f32x4.mul(s, w0));
              b3 = f32x4.add(b3, f32x4.mul(s, w1));
              wp += 32;
            }
            r += rowBytes;
          }
          const oc = o + (<usize> cb << 5);
          v128.store(oc, a0);
          v128.store(oc, b0, 16);
          v128.store(oc + outPix, a1);
          v128.store(oc + outPix, b1, 16);
          v128.store(oc + 2 * outPix, a2);
          v128.store(oc + 2 * outPix, b2, 16);
          v128.store(oc + 3 * outPix, a3);
          v128.store(oc + 3 * outPix, b3, 16);
        }
        if (ow + 4 >= OW) break;
        ow += 4;
      }
      op += <usize> OW * outPix;
    }
  }
}

/** Output pixels per chunk of the filter gradient (whole rows): its dy and x stay in cache. */
const CHUNK_PIXELS = 256;

/**
 * Filter gradient: dw[kk, 0..8·Cb) = Σ_p x[patch(p) + offs[kk]] · dy[p, ·] for kk < KKp
 * (KKp a multiple of 4; offs as in conv.ts, rows past the real taps are junk), dy [P, 8·Cb].
 * Blocks of 4 taps × 8 channels (8 accumulators) walk the pixels; the pixels go in chunks of
 * whole output rows so that a chunk's dy and x stay in cache for every block. Each (tap, channel)
 * sum runs over p in order from 0, whatever the chunking: a chunk reloads the running sums.
 * A block of 4 taps adjacent in x (within one filter row) reads them at constant offsets, two
 * pixels per trip; other blocks go through the tap table a pixel per trip.
 */
export function conv2dWideBackpropFilter(
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
  Cb: i32,
): void {
  const dyPix = <usize> Cb << 5;
  const rowStride = <usize> (sh * Wp * Cin) << 2;
  const ps = <usize> (sw * Cin) << 2;
  // From the last row of one image to the first row of the next.
  const imgSkip = (<usize> (Hp * Wp * Cin) << 2) - <usize> OH * rowStride;
  memory.fill(dw, 0, <usize> KKp * dyPix);
  const rows = N * OH;
  const chunkRows = max(1, CHUNK_PIXELS / OW);
  for (let r0 = 0; r0 < rows; r0 += chunkRows) {
    const nr = min(rows, r0 + chunkRows) - r0;
    const n0 = r0 / OH;
    const oh0 = r0 - n0 * OH;
    const x0 = x + (<usize> (n0 * Hp * Wp * Cin) << 2) + <usize> oh0 * rowStride;
    const dy0 = dy + <usize> r0 * <usize> OW * dyPix;
    for (let kb = 0; kb < KKp; kb += 4) {
      const t = offs + (<usize> kb << 2);
      const o0 = <usize> load<i32>(t) << 2;
      const o1 = <usize> load<i32>(t, 4) << 2;
      const o2 = <usize> load<i32>(t, 8) << 2;
      const o3 = <usize> load<i32>(t, 12) << 2;
      const adjacent = o1 == o0 + 4 && o2 == o0 + 8 && o3 == o0 + 12;
      for (let cb = 0; cb < Cb; cb++) {
        const d = dw + <usize> kb * dyPix + (<usize> cb << 5);
        const dp = dy0 + (<usize> cb << 5);
        if (adjacent) {
          filterBlockAdjacent(d, dp, x0 + o0, ps, dyPix, OW, OH, oh0, nr, rowStride, imgSkip);
        } else {
          filterBlockTable(
            d,
            dp,
            x0,
            o0,
            o1,
            o2,
            o3,
            ps,
            dyPix,
            OW,
            OH,
            oh0,
            nr,
            rowStride,
            imgSkip,
          );
        }
      }
    }
  }
}

/**
 * One block over a chunk of `rows` output rows from row oh0 of an image: sums d[0..4, 0..8) +=
 * Σ x[tap] · dy[p] for taps at xr + 0, 4, 8, 12 bytes, two pixels per trip (then the odd one).
 * Broadcast loads, not a vector load and shuffles: these loops are bound by the multiply-adds,
 * and the shuffles would take the same pipes (1.02–1.05× the time on convnet_bn's convs).
 */
function filterBlockAdjacent(
  d: usize,
  dp: usize,
  xr: usize,
  ps: usize,
  dyPix: usize,
  OW: i32,
  OH: i32,
  oh0: i32,
  rows: i32,
  rowStride: usize,
  imgSkip: usize,
): void {
  const ps2 = ps << 1;
  const dyPix2 = dyPix << 1;
  const dwRow = dyPix;
  const pairs = <usize> (OW >> 1) * ps2;
  const odd = OW & 1;
  let a0 = v128.load(d);
  let b0 = v128.load(d, 16);
  let a1 = v128.load(d + dwRow);
  let b1 = v128.load(d + dwRow, 16);
  let a2 = v128.load(d + 2 * dwRow);
  let b2 = v128.load(d + 2 * dwRow, 16);
  let a3 = v128.load(d + 3 * dwRow);
  let b3 = v128.load(d + 3 * dwRow, 16);
  let oh = oh0;
  for (let rr = 0; rr < rows; rr++) {
    let b = xr;
    const end = b + pairs;
    for (; b < end; b += ps2) {
      let g0 = v128.load(dp);
      let g1 = v128.load(dp, 16);
      let s = v128.load32_splat(b);
      a0 = f32x4.add(a0, f32x4.mul(s, g0));
      b0 = f32x4.add(b0, f32x4.mul(s, g1));
      s = v128.load32_splat(b, 4);
      a1 = f32x4.add(a1, f32x4.mul(s, g0));
      b1 = f32x4.add(b1, f32x4.mul(s, g1));
      s = v128.load32_splat(b, 8);
      a2 = f32x4.add(a2, f32x4.mul(s, g0));
      b2 = f32x4.add(b2, f32x4.mul(s, g1));
      s = v128.load32_splat(b, 12);
      a3 = f32x4.add(a3, f32x4.mul(s, g0));
      b3 = f32x4.add(b3, f32x4.mul(s, g1));
      g0 = v128.load(dp + dyPix);
      g1 = v128.load(dp + dyPix, 16);
      const c = b + ps;
      s = v128.load32_splat(c);
      a0 = f32x4.add(a0, f32x4.mul(s, g0));
      b0 = f32x4.add(b0, f32x4.mul(s, g1));
      s = v128.load32_splat(c, 4);
      a1 = f32x4.add(a1, f32x4.mul(s, g0));
      b1 = f32x4.add(b1, f32x4.mul(s, g1));
      s = v128.load32_splat(c, 8);
      a2 = f32x4.add(a2, f32x4.mul(s, g0));
      b2 = f32x4.add(b2, f32x4.mul(s, g1));
      s = v128.load32_splat(c, 12);
      a3 = f32x4.add(a3, f32x4.mul(s, g0));
      b3 = f32x4.add(b3, f32x4.mul(s, g1));
      dp += dyPix2;
    }
    if (odd) {
      const g0 = v128.load(dp);
      const g1 = v128.load(dp, 16);
      let s = v128.load32_splat(b);
      a0 = f32x4.add(a0, f32x4.mul(s, g0));
      b0 = f32x4.add(b0, f32x4.mul(s, g1));
      s = v128.load32_splat(b, 4);
      a1 = f32x4.add(a1, f32x4.mul(s, g0));
      b1 = f32x4.add(b1, f32x4.mul(s, g1));
      s = v128.load32_splat(b, 8);
      a2 = f32x4.add(a2, f32x4.mul(s, g0));
      b2 = f32x4.add(b2, f32x4.mul(s, g1));
      s = v128.load32_splat(b, 12);
      a3 = f32x4.add(a3, f32x4.mul(s, g0));
      b3 = f32x4.add(b3, f32x4.mul(s, g1));
      dp += dyPix;
    }
    xr += rowStride;
    if (++oh == OH) {
      oh = 0;
      xr += imgSkip;
    }
  }
  v128.store(d, a0);
  v128.store(d, b0, 16);
  v128.store(d + dwRow, a1);
  v128.store(d + dwRow, b1, 16);
  v128.store(d + 2 * dwRow, a2);
  v128.store(d + 2 * dwRow, b2, 16);
  v128.store(d + 3 * dwRow, a3);
  v128.store(d + 3 * dwRow, b3, 16);
}

/** As filterBlockAdjacent for taps at xr + o0..o3 bytes (from the tap table), a pixel per trip. */
function filterBlockTable(
  d: usize,
  dp: usize,
  xr: usize,
  o0: usize,
  o1: usize,
  o2: usize,
  o3: usize,
  ps: usize,
  dyPix: usize,
  OW: i32,
  OH: i32,
  oh0: i32,
  rows: i32,
  rowStride: usize,
  imgSkip: usize,
): void {
  const dwRow = dyPix;
  let a0 = v128.load(d);
  let b0 = v128.load(d, 16);
  let a1 = v128.load(d + dwRow);
  let b1 = v128.load(d + dwRow, 16);
  let a2 = v128.load(d + 2 * dwRow);
  let b2 = v128.load(d + 2 * dwRow, 16);
  let a3 = v128.load(d + 3 * dwRow);
  let b3 = v128.load(d + 3 * dwRow, 16);
  let oh = oh0;
  for (let rr = 0; rr < rows; rr++) {
    let b = xr;
    for (let ow = 0; ow < OW; ow++) {
      const g0 = v128.load(dp);
      const g1 = v128.load(dp, 16);
      let s = v128.load32_splat(b + o0);
      a0 = f32x4.add(a0, f32x4.mul(s, g0));
      b0 = f32x4.add(b0, f32x4.mul(s, g1));
      s = v128.load32_splat(b + o1);
      a1 = f32x4.add(a1, f32x4.mul(s, g0));
      b1 = f32x4.add(b1, f32x4.mul(s, g1));
      s = v128.load32_splat(b + o2);
      a2 = f32x4.add(a2, f32x4.mul(s, g0));
      b2 = f32x4.add(b2, f32x4.mul(s, g1));
      s = v128.load32_splat(b + o3);
      a3 = f32x4.add(a3, f32x4.mul(s, g0));
      b3 = f32x4.add(b3, f32x4.mul(s, g1));
      b += ps;
      dp += dyPix;
    }
    xr += rowStride;
    if (++oh == OH) {
      oh = 0;
      xr += imgSkip;
    }
  }
  v128.store(d, a0);
  v128.store(d, b0, 16);
  v128.store(d + dwRow, a1);
  v128.store(d + dwRow, b1, 16);
  v128.store(d + 2 * dwRow, a2);
  v128.store(d + 2 * dwRow, b2, 16);
  v128.store(d + 3 * dwRow, a3);
  v128.store(d + 3 * dwRow, b3, 16);
}
