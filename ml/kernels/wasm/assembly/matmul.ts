// Row-major GEMM: c[M, Np] = a[M, K] · b[K, Np], Np a multiple of 4
// (the JS side transposes and pads operands into this layout).

// @ts-nocheck: AssemblyScript types (usize, v128, f32x4) are not TypeScript's.

export function matmul(a: usize, b: usize, c: usize, M: i32, K: i32, Np: i32): void {
  const rowB = <usize> Np << 2;
  for (let i = 0; i < M; i++) {
    const ar = a + (<usize> (i * K) << 2);
    const cr = c + (<usize> i * rowB);
    let j = 0;
    for (; j + 16 <= Np; j += 16) {
      let c0 = f32x4.splat(0);
      let c1 = c0;
      let c2 = c0;
      let c3 = c0;
      let bp = b + (<usize> j << 2);
      for (let k = 0; k < K; k++, bp += rowB) {
        const s = v128.load32_splat(ar + (<usize> k << 2));
        c0 = f32x4.add(c0, f32x4.mul(s, v128.load(bp)));
        c1 = f32x4.add(c1, f32x4.mul(s, v128.load(bp, 16)));
        c2 = f32x4.add(c2, f32x4.mul(s, v128.load(bp, 32)));
        c3 = f32x4.add(c3, f32x4.mul(s, v128.load(bp, 48)));
      }
      const o = cr + (<usize> j << 2);
      v128.store(o, c0);
      v128.store(o, c1, 16);
      v128.store(o, c2, 32);
      v128.store(o, c3, 48);
    }
    for (; j < Np; j += 4) {
      let c0 = f32x4.splat(0);
      let bp = b + (<usize> j << 2);
      for (let k = 0; k < K; k++, bp += rowB) {
        c0 = f32x4.add(c0, f32x4.mul(v128.load32_splat(ar + (<usize> k << 2)), v128.load(bp)));
      }
      v128.store(cr + (<usize> j << 2), c0);
    }
  }
}
