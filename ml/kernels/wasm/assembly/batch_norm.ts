// Batch norm's training forward and gradient as a few passes over x (and dy) [rows, m], channels
// last, m a multiple of 4. Each loop fuses the elementwise steps that BatchNormTrain*.ts ran one
// `binary` call at a time, with the same float32 operations in the same order, and sums each
// channel in float64 over the rows in order as `sumLeading` does: the results are those bits.
// Channels go 8 at a time (4 at the end), so a pass reads whole cache lines in row order.

// @ts-nocheck: AssemblyScript types (usize, v128, f32x4) are not TypeScript's.

/** acc + the float64 values of v's lanes 0, 1 (lo) and 2, 3 (hi). */
function lo(acc: v128, v: v128): v128 {
  return f64x2.add(acc, f64x2.promote_low_f32x4(v));
}
function hi(acc: v128, v: v128): v128 {
  return f64x2.add(acc, f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)));
}
function store4(out: usize, a: v128, b: v128): void {
  v128.store64_lane(out, f32x4.demote_f64x2_zero(a), 0);
  v128.store64_lane(out + 8, f32x4.demote_f64x2_zero(b), 0);
}

/**
 * sums[j] = Σ_i x[i, j]; with `centre`, sums[j] = Σ_i (x[i, j] − mean[j])² (the difference and
 * its square in float32, as Sub then Mul then sumLeading compute them).
 */
export function bnSums(x: usize, mean: usize, sums: usize, rows: i32, m: i32, centre: i32): void {
  const rowBytes = <usize> m << 2;
  const zero = f64x2.splat(0);
  const flat = f32x4.splat(0);
  let j: usize = 0;
  for (; j + 32 <= rowBytes; j += 32) {
    const m0 = centre ? v128.load(mean + j) : flat;
    const m1 = centre ? v128.load(mean + j, 16) : flat;
    let a0 = zero;
    let a1 = zero;
    let a2 = zero;
    let a3 = zero;
    let p = x + j;
    for (let i = 0; i < rows; i++, p += rowBytes) {
      let v0 = v128.load(p);
      let v1 = v128.load(p, 16);
      if (centre) {
        v0 = f32x4.sub(v0, m0);
        v1 = f32x4.sub(v1, m1);
        v0 = f32x4.mul(v0, v0);
        v1 = f32x4.mul(v1, v1);
      }
      a0 = lo(a0, v0);
      a1 = hi(a1, v0);
      a2 = lo(a2, v1);
      a3 = hi(a3, v1);
    }
    store4(sums + j, a0, a1);
    store4(sums + j + 16, a2, a3);
  }
  for (; j < rowBytes; j += 16) {
    const m0 = centre ? v128.load(mean + j) : flat;
    let a0 = zero;
    let a1 = zero;
    let p = x + j;
    for (let i = 0; i < rows; i++, p += rowBytes) {
      let v0 = v128.load(p);
      if (centre) {
        v0 = f32x4.sub(v0, m0);
        v0 = f32x4.mul(v0, v0);
      }
      a0 = lo(a0, v0);
      a1 = hi(a1, v0);
    }
    store4(sums + j, a0, a1);
  }
}

/**
 * y = (x − mean) · k + b per channel (float32: Sub, Mul, Add); with `relu`, then y < 0 ? 0 : y
 * as the Relu kernel computes it (−0 and NaN kept).
 */
export function bnApply(
  x: usize,
  mean: usize,
  k: usize,
  b: usize,
  y: usize,
  rows: i32,
  m: i32,
  relu: i32,
): void {
  const rowBytes = <usize> m << 2;
  const zero = f32x4.splat(0);
  for (let i = 0; i < rows; i++, x += rowBytes, y += rowBytes) {
    for (let j: usize = 0; j < rowBytes; j += 16) {
      const d = f32x4.sub(v128.load(x + j), v128.load(mean + j));
      let r = f32x4.add(f32x4.mul(d, v128.load(k + j)), v128.load(b + j));
      if (relu) r = v128.bitselect(zero, r, f32x4.lt(r, zero));
      v128.store(y + j, r);
    }
  }
}

/** sumDy[j] = Σ_i dy[i, j] and sumDyD[j] = Σ_i dy[i, j] · (x[i, j] − mean[j]) (float32 terms). */
export function bnGradSums(
  dy: usize,
  x: usize,
  mean: usize,
  sumDy: usize,
  sumDyD: usize,
  rows: i32,
  m: i32,
): void {
  const rowBytes = <usize> m << 2;
  const zero = f64x2.splat(0);
  let j: usize = 0;
  for (; j + 32 <= rowBytes; j += 32) {
    const m0 = v128.load(mean + j);
    const m1 = v128.load(mean + j, 16);
    let s0 = zero;
    let s1 = zero;
    let s2 = zero;
    let s3 = zero;
    let t0 = zero;
    let t1 = zero;
    let t2 = zero;
    let t3 = zero;
    let p = x + j;
    let q = dy + j;
    for (let i = 0; i < rows; i++, p += rowBytes, q += rowBytes) {
      const g0 = v128.load(q);
      const g1 = v128.load(q, 16);
      const e0 = f32x4.mul(g0, f32x4.sub(v128.load(p), m0));
      const e1 = f32x4.mul(g1, f32x4.sub(v128.load(p, 16), m1));
      s0 = lo(s0, g0);
      s1 = hi(s1, g0);
      s2 = lo(s2, g1);
      s3 = hi(s3, g1);
      t0 = lo(t0, e0);
      t1 = hi(t1, e0);
      t2 = lo(t2, e1);
      t3 = hi(t3, e1);
    }
    store4(sumDy + j, s0, s1);
    store4(sumDy + j + 16, s2, s3);
    store4(sumDyD + j, t0, t1);
    store4(sumDyD + j + 16, t2, t3);
  }
  for (; j < rowBytes; j += 16) {
    const m0 = v128.load(mean + j);
    let s0 = zero;
    let s1 = zero;
    let t0 = zero;
    let t1 = zero;
    let p = x + j;
    let q = dy + j;
    for (let i = 0; i < rows; i++, p += rowBytes, q += rowBytes) {
      const g0 = v128.load(q);
      const e0 = f32x4.mul(g0, f32x4.sub(v128.load(p), m0));
      s0 = lo(s0, g0);
      s1 = hi(s1, g0);
      t0 = lo(t0, e0);
      t1 = hi(t1, e0);
    }
    store4(sumDy + j, s0, s1);
    store4(sumDyD + j, t0, t1);
  }
}

/** dx = (dy · k − (x − mean) · slope) − shift per channel (float32, in that order). */
export function bnGradApply(
  dy: usize,
  x: usize,
  mean: usize,
  k: usize,
  slope: usize,
  shift: usize,
  dx: usize,
  rows: i32,
  m: i32,
): void {
  const rowBytes = <usize> m << 2;
  for (let i = 0; i < rows; i++, x += rowBytes, dy += rowBytes, dx += rowBytes) {
    for (let j: usize = 0; j < rowBytes; j += 16) {
      const d = f32x4.mul(f32x4.sub(v128.load(x + j), v128.load(mean + j)), v128.load(slope + j));
      const r = f32x4.sub(f32x4.mul(v128.load(dy + j), v128.load(k + j)), d);
      v128.store(dx + j, f32x4.sub(r, v128.load(shift + j)));
    }
  }
}
