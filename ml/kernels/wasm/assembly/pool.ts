// Max pooling, NHWC, any window/strides/padding (windows clipped to the image).
// Channels in whole vectors when C is a multiple of 4, else one at a time.
// Ties and NaN follow the stock kernel: a value replaces the max only if greater.

// @ts-nocheck: AssemblyScript types (usize, v128, f32x4) are not TypeScript's.

export function maxPool(
  x: usize,
  out: usize,
  N: i32,
  H: i32,
  W: i32,
  C: i32,
  OH: i32,
  OW: i32,
  sh: i32,
  sw: i32,
  fh: i32,
  fw: i32,
  top: i32,
  left: i32,
): void {
  const vec = (C & 3) === 0;
  const whole = top == 0 && left == 0 && 2 * OH <= H && 2 * OW <= W;
  if (vec && fh == 2 && fw == 2 && sh == 2 && sw == 2 && whole) {
    maxPool2x2(x, out, N, H, W, C, OH, OW);
    return;
  }
  let o = out;
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      const r0 = max(0, oh * sh - top);
      const r1 = min(H, oh * sh - top + fh);
      for (let ow = 0; ow < OW; ow++) {
        const c0 = max(0, ow * sw - left);
        const c1 = min(W, ow * sw - left + fw);
        if (vec) {
          for (let ch = 0; ch < C; ch += 4) {
            let m = f32x4.splat(-Infinity);
            for (let r = r0; r < r1; r++) {
              let p = x + (<usize> (((n * H + r) * W + c0) * C + ch) << 2);
              for (let c = c0; c < c1; c++, p += <usize> C << 2) {
                m = f32x4.pmax(m, v128.load(p)); // v > m ? v : m
              }
            }
            v128.store(o, m);
            o += 16;
          }
        } else {
          for (let ch = 0; ch < C; ch++) {
            let m: f32 = -Infinity;
            for (let r = r0; r < r1; r++) {
              let p = x + (<usize> (((n * H + r) * W + c0) * C + ch) << 2);
              for (let c = c0; c < c1; c++, p += <usize> C << 2) {
                const v = load<f32>(p);
                if (v > m) m = v;
              }
            }
            store<f32>(o, m);
            o += 4;
          }
        }
      }
    }
  }
}

/**
 * The 2×2 window, stride 2, no padding, C a multiple of 4 (windows always whole): four
 * vector loads per output vector, compared in the generic loop's order.
 */
function maxPool2x2(x: usize, out: usize, N: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32): void {
  const ninf = f32x4.splat(-Infinity);
  const cb = <usize> C << 2;
  const rowB = <usize> (W * C) << 2;
  let o = out;
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      let p = x + ((<usize> ((n * H + 2 * oh) * W * C)) << 2);
      for (let ow = 0; ow < OW; ow++) {
        const end = p + cb;
        for (; p < end; p += 16) {
          let m = f32x4.pmax(ninf, v128.load(p));
          m = f32x4.pmax(m, v128.load(p + cb));
          m = f32x4.pmax(m, v128.load(p + rowB));
          m = f32x4.pmax(m, v128.load(p + rowB + cb));
          v128.store(o, m);
          o += 16;
        }
        p += cb;
      }
    }
  }
}

/** dx (zeroed, [N,H,W,C]) += dy routed to each window's first maximum of x. */
export function maxPoolGrad(
  x: usize,
  dy: usize,
  dx: usize,
  N: i32,
  H: i32,
  W: i32,
  C: i32,
  OH: i32,
  OW: i32,
  sh: i32,
  sw: i32,
  fh: i32,
  fw: i32,
  top: i32,
  left: i32,
): void {
  const vec = (C & 3) === 0;
  const lanes = i32x4(0, 1, 2, 3);
  let d = dy;
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      const r0 = max(0, oh * sh - top);
      const r1 = min(H, oh * sh - top + fh);
      for (let ow = 0; ow < OW; ow++) {
        const c0 = max(0, ow * sw - left);
        const c1 = min(W, ow * sw - left + fw);
        if (vec) {
          for (let ch = 0; ch < C; ch += 4) {
            let m = f32x4.splat(-Infinity);
            let pos = i32x4.splat(-1);
            for (let r = r0; r < r1; r++) {
              let e = ((n * H + r) * W + c0) * C + ch;
              for (let c = c0; c < c1; c++, e += C) {
                const v = v128.load(x + (<usize> e << 2));
                const gt = f32x4.gt(v, m);
                m = v128.bitselect(v, m, gt);
                pos = v128.bitselect(i32x4.add(i32x4.splat(e), lanes), pos, gt);
              }
            }
            const p0 = i32x4.extract_lane(pos, 0);
            const p1 = i32x4.extract_lane(pos, 1);
            const p2 = i32x4.extract_lane(pos, 2);
            const p3 = i32x4.extract_lane(pos, 3);
            if (p0 >= 0) {
              store<f32>(dx + (<usize> p0 << 2), load<f32>(dx + (<usize> p0 << 2)) + load<f32>(d));
            }
            if (p1 >= 0) {
              store<f32>(
                dx + (<usize> p1 << 2),
                load<f32>(dx + (<usize> p1 << 2)) + load<f32>(d, 4),
              );
            }
            if (p2 >= 0) {
              store<f32>(
                dx + (<usize> p2 << 2),
                load<f32>(dx + (<usize> p2 << 2)) + load<f32>(d, 8),
              );
            }
            if (p3 >= 0) {
              store<f32>(
                dx + (<usize> p3 << 2),
                load<f32>(dx + (<usize> p3 << 2)) + load<f32>(d, 12),
              );
            }
            d += 16;
          }
        } else {
          for (let ch = 0; ch < C; ch++) {
            let m: f32 = -Infinity;
            let pos = -1;
            for (let r = r0; r < r1; r++) {
              let e = ((n * H + r) * W + c0) * C + ch;
              for (let c = c0; c < c1; c++, e += C) {
                const v = load<f32>(x + (<usize> e << 2));
                if (v > m) {
                  m = v;
                  pos = e;
                }
              }
            }
            if (pos >= 0) {
              store<f32>(
                dx + (<usize> pos << 2),
                load<f32>(dx + (<usize> pos << 2)) + load<f32>(d),
              );
            }
            d += 4;
          }
        }
      }
    }
  }
}

/**
 * A 2×2 / stride 2 max pool's gradient in one pass over its input y ([N, H, W, C], C a multiple
 * of 4, no padding), optionally with ReLU's after it when y is a ReLU's output:
 * dz = maxPoolGrad(dp) (· step(y) if `relu`), bit for bit MaxPoolGrad (then ReLU's
 * dy · step(y)): each window's first maximum gets 0 + dp (so −0 becomes +0, as MaxPoolGrad's
 * zeroed sum makes it), every other element 0; with `relu` each is then times step(y) (1 where
 * y > 0, 0 elsewhere, NaN where y is NaN). Rows and columns no window covers (odd H or W) get
 * 0 (· step(y)). Every element of dz is written, so dz needs no zeroing.
 */
export function maxPoolGrad2x2(
  y: usize,
  dp: usize,
  dz: usize,
  N: i32,
  H: i32,
  W: i32,
  C: i32,
  OH: i32,
  OW: i32,
  relu: i32,
): void {
  const zero = f32x4.splat(0);
  // Without relu, "step" is 1 everywhere: x · 1 is x, bit for bit.
  const one = f32x4.splat(1);
  const ninf = f32x4.splat(-Infinity);
  const cb = <usize> C << 2;
  const rowB = <usize> (W * C) << 2;
  let d = dp;
  for (let n = 0; n < N; n++) {
    const img = <usize> (n * H * W * C) << 2;
    for (let oh = 0; oh < OH; oh++) {
      const row = img + (<usize> (2 * oh) * rowB);
      for (let ow = 0; ow < OW; ow++) {
        const base = row + (<usize> (2 * ow) * cb);
        for (let ch: usize = 0; ch < cb; ch += 16) {
          const e0 = base + ch;
          const e1 = e0 + cb;
          const e2 = e0 + rowB;
          const e3 = e2 + cb;
          const v0 = v128.load(y + e0);
          const v1 = v128.load(y + e1);
          const v2 = v128.load(y + e2);
          const v3 = v128.load(y + e3);
          // The first maximum in scan order: a value takes over only if greater.
          const g0 = f32x4.gt(v0, ninf);
          let m = v128.bitselect(v0, ninf, g0);
          const g1 = f32x4.gt(v1, m);
          m = v128.bitselect(v1, m, g1);
          const g2 = f32x4.gt(v2, m);
          m = v128.bitselect(v2, m, g2);
          const g3 = f32x4.gt(v3, m);
          // Winner masks: selected and not overtaken later.
          const w3 = g3;
          const w2 = v128.andnot(g2, g3);
          const w1 = v128.andnot(v128.andnot(g1, g2), g3);
          const w0 = v128.andnot(v128.andnot(v128.andnot(g0, g1), g2), g3);
          const g = f32x4.add(zero, v128.load(d));
          v128.store(dz + e0, f32x4.mul(v128.and(g, w0), maskOf(v0, zero, one, relu)));
          v128.store(dz + e1, f32x4.mul(v128.and(g, w1), maskOf(v1, zero, one, relu)));
          v128.store(dz + e2, f32x4.mul(v128.and(g, w2), maskOf(v2, zero, one, relu)));
          v128.store(dz + e3, f32x4.mul(v128.and(g, w3), maskOf(v3, zero, one, relu)));
          d += 16;
        }
      }
      if (2 * OW < W) {
        const tail = <usize> (2 * OW) * cb;
        uncovered(y, dz, row + tail, row + rowB, zero, one, relu);
        uncovered(y, dz, row + rowB + tail, row + 2 * rowB, zero, one, relu);
      }
    }
    if (2 * OH < H) {
      const start = img + (<usize> (2 * OH) * rowB);
      uncovered(y, dz, start, img + (<usize> H * rowB), zero, one, relu);
    }
  }
}

/** ReLU's step(y): 1 where y > 0, 0 elsewhere, NaN where y is NaN; 1 without relu. */
function maskOf(v: v128, zero: v128, one: v128, relu: i32): v128 {
  if (!relu) return one;
  return v128.bitselect(v, v128.bitselect(one, zero, f32x4.gt(v, zero)), f32x4.ne(v, v));
}

/** dz = 0 (· step(y)) over the byte range [from, to) (elements no pooling window covers). */
function uncovered(
  y: usize,
  dz: usize,
  from: usize,
  to: usize,
  zero: v128,
  one: v128,
  relu: i32,
): void {
  for (let e = from; e < to; e += 16) {
    v128.store(dz + e, f32x4.mul(zero, maskOf(v128.load(y + e), zero, one, relu)));
  }
}
