// GEMM kernels. `gemm` (what BatchMatMul runs) multiplies packed operands; `packA`/`packB` lay
// operands out for it. `matmul` is the earlier row-major kernel, kept as the reference `gemm` is
// tested against bit for bit, and `transpose` lays out a transposed operand for it.
//
// Numeric contract of both: each c[i, j] is a sequential float32 sum over k in order, starting
// from 0, of the rounded products (mul then add, never a fused multiply-add), so results do not
// depend on tiles, packing or K blocks.

// @ts-nocheck: AssemblyScript types (usize, v128, f32x4) are not TypeScript's.

/**
 * c[M4, ldc] = a · b, M4 a multiple of 4 and N8 of 8 (columns past N8 untouched), on packed
 * operands: a in 4-row strips [M4/4][K][4] (packA), b in 8-column panels [N8/8][K][8] (packB).
 *
 * Tiles of 4 rows × 8 columns: per k, one vector of a's 4 rows, broadcast lane by lane with
 * shuffles, times two vectors of b. One load of a instead of four broadcast loads matters here:
 * V8 checks the bounds of every wasm load in Deno (no trap handler), so loads, not arithmetic,
 * bound the loop. All of K in one pass: the strips and panels are read in order.
 */
export function gemm(a: usize, b: usize, c: usize, M4: i32, K: i32, N8: i32, ldc: i32): void {
  const rc = <usize> ldc << 2;
  const strip = <usize> K << 4;
  const panel = <usize> K << 5;
  for (let j = 0; j < N8; j += 8) {
    const bj = b + (<usize> (j >> 3)) * panel;
    for (let i = 0; i < M4; i += 4) {
      let ap = a + (<usize> (i >> 2)) * strip;
      let bp = bj;
      const cp = c + (<usize> i) * rc + (<usize> j << 2);
      let c00 = f32x4.splat(0);
      let c01 = c00;
      let c10 = c00;
      let c11 = c00;
      let c20 = c00;
      let c21 = c00;
      let c30 = c00;
      let c31 = c00;
      for (let k = 0; k < K; k++, ap += 16, bp += 32) {
        const b0 = v128.load(bp);
        const b1 = v128.load(bp, 16);
        const av = v128.load(ap);
        let s = i32x4.shuffle(av, av, 0, 0, 0, 0);
        c00 = f32x4.add(c00, f32x4.mul(s, b0));
        c01 = f32x4.add(c01, f32x4.mul(s, b1));
        s = i32x4.shuffle(av, av, 1, 1, 1, 1);
        c10 = f32x4.add(c10, f32x4.mul(s, b0));
        c11 = f32x4.add(c11, f32x4.mul(s, b1));
        s = i32x4.shuffle(av, av, 2, 2, 2, 2);
        c20 = f32x4.add(c20, f32x4.mul(s, b0));
        c21 = f32x4.add(c21, f32x4.mul(s, b1));
        s = i32x4.shuffle(av, av, 3, 3, 3, 3);
        c30 = f32x4.add(c30, f32x4.mul(s, b0));
        c31 = f32x4.add(c31, f32x4.mul(s, b1));
      }
      v128.store(cp, c00);
      v128.store(cp, c01, 16);
      v128.store(cp + rc, c10);
      v128.store(cp + rc, c11, 16);
      v128.store(cp + 2 * rc, c20);
      v128.store(cp + 2 * rc, c21, 16);
      v128.store(cp + 3 * rc, c30);
      v128.store(cp + 3 * rc, c31, 16);
    }
  }
}

/**
 * Packs a [M, K] operand into 4-row strips dst[i/4][k][i%4] (rows past M zero). src holds a
 * row-major (src[i·ld + k]) or, with `t`, transposed (src[k·ld + i]).
 */
export function packA(src: usize, dst: usize, M: i32, K: i32, ld: i32, t: bool): void {
  const rs = <usize> ld << 2;
  const M4 = M & ~3;
  for (let i = 0; i < M4; i += 4) {
    const d = dst + (<usize> i) * (<usize> K << 2);
    if (t) {
      let s = src + (<usize> i << 2);
      for (let k = 0; k < K; k++, s += rs) v128.store(d + (<usize> k << 4), v128.load(s));
    } else {
      transposeRows4(src + (<usize> i) * rs, rs, d, K, 16, 0);
    }
  }
  if (M4 < M) {
    const d = dst + (<usize> M4) * (<usize> K << 2);
    for (let k = 0; k < K; k++) {
      for (let r = 0; r < 4; r++) {
        const i = M4 + r;
        const at = t ? (<usize> k) * rs + (<usize> i << 2) : (<usize> i) * rs + (<usize> k << 2);
        store<f32>(d + (<usize> k << 4) + (<usize> r << 2), i < M ? load<f32>(src + at) : 0);
      }
    }
  }
}

/**
 * Packs a [K, N] operand into 8-column panels dst[j/8][k][j%8] (columns past N zero). src holds
 * it row-major (src[k·ld + j]) or, with `t`, transposed (src[j·ld + k]).
 */
export function packB(src: usize, dst: usize, K: i32, N: i32, ld: i32, t: bool): void {
  const rs = <usize> ld << 2;
  const N8 = N & ~7;
  const panel = <usize> K << 5;
  for (let j = 0; j < N8; j += 8) {
    const d = dst + (<usize> (j >> 3)) * panel;
    if (t) {
      const s = src + (<usize> j) * rs;
      transposeRows4(s, rs, d, K, 32, 0);
      transposeRows4(s + 4 * rs, rs, d, K, 32, 16);
    }
  }
  if (!t) {
    // 16 rows at a time (32 KB of a 512-column src, kept in L1), panel by panel: each panel gets
    // 512 contiguous bytes, and the pages touched at once stay few.
    for (let k0 = 0; k0 < K; k0 += 16) {
      const k1 = min(K, k0 + 16);
      for (let j = 0; j < N8; j += 8) {
        let s = src + (<usize> k0) * rs + (<usize> j << 2);
        let o = dst + (<usize> (j >> 3)) * panel + (<usize> k0 << 5);
        for (let k = k0; k < k1; k++, s += rs, o += 32) {
          v128.store(o, v128.load(s));
          v128.store(o, v128.load(s, 16), 16);
        }
      }
    }
  }
  if (N8 < N) {
    const d = dst + (<usize> (N8 >> 3)) * panel;
    for (let k = 0; k < K; k++) {
      for (let q = 0; q < 8; q++) {
        const j = N8 + q;
        const at = t ? (<usize> j) * rs + (<usize> k << 2) : (<usize> k) * rs + (<usize> j << 2);
        store<f32>(d + (<usize> k << 5) + (<usize> q << 2), j < N ? load<f32>(src + at) : 0);
      }
    }
  }
}

/**
 * Four rows of `len` floats at src (row stride rs bytes), transposed: column k of the four goes to
 * the 16 bytes at dst + k·step + off. 4 × 4 blocks through SIMD shuffles, the tail one by one.
 */
function transposeRows4(
  src: usize,
  rs: usize,
  dst: usize,
  len: i32,
  step: usize,
  off: usize,
): void {
  const L4 = len & ~3;
  for (let k = 0; k < L4; k += 4) {
    const s = src + (<usize> k << 2);
    const x0 = v128.load(s);
    const x1 = v128.load(s + rs);
    const x2 = v128.load(s + 2 * rs);
    const x3 = v128.load(s + 3 * rs);
    const t0 = i32x4.shuffle(x0, x1, 0, 4, 1, 5);
    const t1 = i32x4.shuffle(x2, x3, 0, 4, 1, 5);
    const t2 = i32x4.shuffle(x0, x1, 2, 6, 3, 7);
    const t3 = i32x4.shuffle(x2, x3, 2, 6, 3, 7);
    const d = dst + (<usize> k) * step + off;
    v128.store(d, i64x2.shuffle(t0, t1, 0, 2));
    v128.store(d + step, i64x2.shuffle(t0, t1, 1, 3));
    v128.store(d + 2 * step, i64x2.shuffle(t2, t3, 0, 2));
    v128.store(d + 3 * step, i64x2.shuffle(t2, t3, 1, 3));
  }
  for (let k = L4; k < len; k++) {
    const s = src + (<usize> k << 2);
    const d = dst + (<usize> k) * step + off;
    for (let r = 0; r < 4; r++) store<f32>(d + (<usize> r << 2), load<f32>(s + (<usize> r) * rs));
  }
}

// The earlier kernel (the reference for `gemm`): row-major c[M, Np] = a[M, K] · b[K, Np], Np a
// multiple of 4.

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
