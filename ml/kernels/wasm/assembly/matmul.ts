// Row-major GEMM: c[M, Np] = a[M, K] · b[K, Np], Np a multiple of 4
// (the JS side pads operands into this layout; `transpose` lays out a
// transposed operand inside wasm memory).

// @ts-nocheck: AssemblyScript types (usize, v128, f32x4) are not TypeScript's.

/** Depth of one K block: a 4-row strip of a and an 8-column panel of b stay in L1 across it. */
const KC = 256;

/**
 * Tiles of 4 rows × 8 columns (8 accumulators, each b vector used by 4 rows), K in blocks of KC
 * (the block's 4 × 8 b panel reused by every row strip); the first block stores, later blocks
 * add to c. Rows past the last multiple of 4 and a last 4-column panel take narrower loops.
 */
export function matmul(a: usize, b: usize, c: usize, M: i32, K: i32, Np: i32): void {
  const rowB = <usize> Np << 2;
  const rowA = <usize> K << 2;
  const M4 = M & ~3;
  const N8 = Np & ~7;
  for (let k0 = 0; k0 < K; k0 += KC) {
    const k1 = min(K, k0 + KC);
    const first = k0 == 0;
    for (let j = 0; j < N8; j += 8) {
      const bj = b + (<usize> j << 2) + (<usize> k0) * rowB;
      for (let i = 0; i < M4; i += 4) {
        const a0 = a + (<usize> i) * rowA + (<usize> k0 << 2);
        const c0p = c + (<usize> i) * rowB + (<usize> j << 2);
        let c00 = f32x4.splat(0);
        let c01 = c00;
        let c10 = c00;
        let c11 = c00;
        let c20 = c00;
        let c21 = c00;
        let c30 = c00;
        let c31 = c00;
        if (!first) {
          c00 = v128.load(c0p);
          c01 = v128.load(c0p, 16);
          c10 = v128.load(c0p + rowB);
          c11 = v128.load(c0p + rowB, 16);
          c20 = v128.load(c0p + 2 * rowB);
          c21 = v128.load(c0p + 2 * rowB, 16);
          c30 = v128.load(c0p + 3 * rowB);
          c31 = v128.load(c0p + 3 * rowB, 16);
        }
        let ap = a0;
        let bp = bj;
        for (let k = k0; k < k1; k++, ap += 4, bp += rowB) {
          const b0 = v128.load(bp);
          const b1 = v128.load(bp, 16);
          let s = v128.load32_splat(ap);
          c00 = f32x4.add(c00, f32x4.mul(s, b0));
          c01 = f32x4.add(c01, f32x4.mul(s, b1));
          s = v128.load32_splat(ap + rowA);
          c10 = f32x4.add(c10, f32x4.mul(s, b0));
          c11 = f32x4.add(c11, f32x4.mul(s, b1));
          s = v128.load32_splat(ap + 2 * rowA);
          c20 = f32x4.add(c20, f32x4.mul(s, b0));
          c21 = f32x4.add(c21, f32x4.mul(s, b1));
          s = v128.load32_splat(ap + 3 * rowA);
          c30 = f32x4.add(c30, f32x4.mul(s, b0));
          c31 = f32x4.add(c31, f32x4.mul(s, b1));
        }
        v128.store(c0p, c00);
        v128.store(c0p, c01, 16);
        v128.store(c0p + rowB, c10);
        v128.store(c0p + rowB, c11, 16);
        v128.store(c0p + 2 * rowB, c20);
        v128.store(c0p + 2 * rowB, c21, 16);
        v128.store(c0p + 3 * rowB, c30);
        v128.store(c0p + 3 * rowB, c31, 16);
      }
      for (let i = M4; i < M; i++) rowTile(a, b, c, i, j, 8, k0, k1, rowA, rowB, first);
    }
    for (let j = N8; j < Np; j += 4) {
      for (let i = 0; i < M; i++) rowTile(a, b, c, i, j, 4, k0, k1, rowA, rowB, first);
    }
  }
}

/** One row of c, columns j..j+w (w 4 or 8), over k0..k1. */
function rowTile(
  a: usize,
  b: usize,
  c: usize,
  i: i32,
  j: i32,
  w: i32,
  k0: i32,
  k1: i32,
  rowA: usize,
  rowB: usize,
  first: bool,
): void {
  const cp = c + (<usize> i) * rowB + (<usize> j << 2);
  let c0 = first ? f32x4.splat(0) : v128.load(cp);
  let c1 = first || w == 4 ? f32x4.splat(0) : v128.load(cp, 16);
  let ap = a + (<usize> i) * rowA + (<usize> k0 << 2);
  let bp = b + (<usize> j << 2) + (<usize> k0) * rowB;
  if (w == 8) {
    for (let k = k0; k < k1; k++, ap += 4, bp += rowB) {
      const s = v128.load32_splat(ap);
      c0 = f32x4.add(c0, f32x4.mul(s, v128.load(bp)));
      c1 = f32x4.add(c1, f32x4.mul(s, v128.load(bp, 16)));
    }
    v128.store(cp, c1, 16);
  } else {
    for (let k = k0; k < k1; k++, ap += 4, bp += rowB) {
      c0 = f32x4.add(c0, f32x4.mul(v128.load32_splat(ap), v128.load(bp)));
    }
  }
  v128.store(cp, c0);
}

/**
 * dst[c·ld + r] = src[r·cols + c] for r < rows, c < cols (dst rows are ld ≥ rows floats; the
 * caller zeroes the padding). 4 × 4 blocks through SIMD shuffles where whole blocks fit.
 */
export function transpose(src: usize, dst: usize, rows: i32, cols: i32, ld: i32): void {
  const R4 = rows & ~3;
  const C4 = cols & ~3;
  const rs = <usize> cols << 2;
  const ds = <usize> ld << 2;
  for (let r = 0; r < R4; r += 4) {
    for (let c = 0; c < C4; c += 4) {
      const s = src + (<usize> r) * rs + (<usize> c << 2);
      const x0 = v128.load(s);
      const x1 = v128.load(s + rs);
      const x2 = v128.load(s + 2 * rs);
      const x3 = v128.load(s + 3 * rs);
      const t0 = i32x4.shuffle(x0, x1, 0, 4, 1, 5);
      const t1 = i32x4.shuffle(x2, x3, 0, 4, 1, 5);
      const t2 = i32x4.shuffle(x0, x1, 2, 6, 3, 7);
      const t3 = i32x4.shuffle(x2, x3, 2, 6, 3, 7);
      const d = dst + (<usize> c) * ds + (<usize> r << 2);
      v128.store(d, i64x2.shuffle(t0, t1, 0, 2));
      v128.store(d + ds, i64x2.shuffle(t0, t1, 1, 3));
      v128.store(d + 2 * ds, i64x2.shuffle(t2, t3, 0, 2));
      v128.store(d + 3 * ds, i64x2.shuffle(t2, t3, 1, 3));
    }
    for (let c = C4; c < cols; c++) {
      for (let q = r; q < r + 4; q++) {
        store<f32>(
          dst + (<usize> c) * ds + (<usize> q << 2),
          load<f32>(src + (<usize> q) * rs + (<usize> c << 2)),
        );
      }
    }
  }
  for (let r = R4; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      store<f32>(
        dst + (<usize> c) * ds + (<usize> r << 2),
        load<f32>(src + (<usize> r) * rs + (<usize> c << 2)),
      );
    }
  }
}
