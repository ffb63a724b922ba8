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
