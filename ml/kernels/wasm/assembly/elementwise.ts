// Elementwise SIMD loops. Every buffer has at least 16 bytes of slack, so the
// loops run over ⌈n⌉₄ elements and the JS side keeps the first n.

// @ts-nocheck: AssemblyScript types (usize, v128, f32x4) are not TypeScript's.

/** out = max(x, 0) (NaN stays NaN). */
export function relu(x: usize, out: usize, n: i32): void {
  const zero = f32x4.splat(0);
  const end = x + (<usize> n << 2);
  for (; x < end; x += 16, out += 16) {
    const v = v128.load(x);
    v128.store(out, v128.bitselect(zero, v, f32x4.lt(v, zero)));
  }
}

/** out = x > 0 ? 1 : alpha, NaN stays NaN. */
export function step(x: usize, out: usize, n: i32, alpha: f32): void {
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  const a = f32x4.splat(alpha);
  const end = x + (<usize> n << 2);
  for (; x < end; x += 16, out += 16) {
    const v = v128.load(x);
    const r = v128.bitselect(one, a, f32x4.gt(v, zero));
    v128.store(out, v128.bitselect(v, r, f32x4.ne(v, v)));
  }
}

/**
 * out[i] = a[i] ∘ b[i mod p] (op 0 add, 1 sub, 2 mul, 3 reverse sub b − a):
 * p = n for equal shapes, a smaller p for a broadcast scalar or bias.
 */
export function binary(op: i32, a: usize, b: usize, out: usize, n: i32, p: i32): void {
  if (p === n || (p & 3) === 0) {
    // whole vectors of b line up with a
    const pb = <usize> p << 2;
    for (let i = 0; i < n; i += p) {
      const ab = a + (<usize> i << 2);
      const ob = out + (<usize> i << 2);
      for (let j: usize = 0; j < pb; j += 16) {
        const x = v128.load(ab + j);
        const y = v128.load(b + j);
        let r: v128;
        if (op === 0) r = f32x4.add(x, y);
        else if (op === 1) r = f32x4.sub(x, y);
        else if (op === 2) r = f32x4.mul(x, y);
        else r = f32x4.sub(y, x);
        v128.store(ob + j, r);
      }
    }
    return;
  }
  if (p === 1) {
    const y = v128.load32_splat(b);
    const end = a + (<usize> n << 2);
    for (; a < end; a += 16, out += 16) {
      const x = v128.load(a);
      let r: v128;
      if (op === 0) r = f32x4.add(x, y);
      else if (op === 1) r = f32x4.sub(x, y);
      else if (op === 2) r = f32x4.mul(x, y);
      else r = f32x4.sub(y, x);
      v128.store(out, r);
    }
    return;
  }
  for (let i = 0; i < n; i += p) {
    for (let j = 0; j < p; j++) {
      const ai = a + (<usize> (i + j) << 2);
      const x = load<f32>(ai);
      const y = load<f32>(b + (<usize> j << 2));
      let r: f32;
      if (op === 0) r = x + y;
      else if (op === 1) r = x - y;
      else if (op === 2) r = x * y;
      else r = y - x;
      store<f32>(out + (<usize> (i + j) << 2), r);
    }
  }
}

/** out[j] = Σ_i x[i·m + j] for j < m (sum over leading axes; m a multiple of 4 or not). */
export function sumLeading(x: usize, out: usize, rows: i32, m: i32): void {
  if ((m & 3) === 0) {
    const mb = <usize> m << 2;
    for (let j: usize = 0; j < mb; j += 16) {
      let acc = f64x2.splat(0);
      let acc2 = f64x2.splat(0);
      let p = x + j;
      for (let i = 0; i < rows; i++, p += mb) {
        const v = v128.load(p);
        acc = f64x2.add(acc, f64x2.promote_low_f32x4(v));
        acc2 = f64x2.add(acc2, f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)));
      }
      v128.store(out + j, f32x4.demote_f64x2_zero(acc));
      v128.store64_lane(out + j + 8, f32x4.demote_f64x2_zero(acc2), 0);
    }
    return;
  }
  for (let j = 0; j < m; j++) {
    let s: f64 = 0;
    let p = x + (<usize> j << 2);
    for (let i = 0; i < rows; i++, p += <usize> m << 2) s += <f64> load<f32>(p);
    store<f32>(out + (<usize> j << 2), <f32> s);
  }
}

/** out = dy · step(y): dy where y > 0, dy · 0 elsewhere, NaN where y is NaN (ReLU's gradient). */
export function reluGrad(dy: usize, y: usize, out: usize, n: i32): void {
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  const end = y + (<usize> n << 2);
  for (; y < end; y += 16, dy += 16, out += 16) {
    const v = v128.load(y);
    const s = v128.bitselect(v, v128.bitselect(one, zero, f32x4.gt(v, zero)), f32x4.ne(v, v));
    v128.store(out, f32x4.mul(v128.load(dy), s));
  }
}
