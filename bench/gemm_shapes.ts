// The mlp's GEMM shapes in one training step at batch B (3072 → 512 → 256 → 10): the three
// forward products and, backwards, each layer's weight gradient (aᵀ·dy) and input gradient
// (dy·wᵀ; none for the first layer).

export interface GemmShape {
  name: string;
  M: number;
  K: number;
  N: number;
  /** a is given transposed ([K, M]) */
  tA: boolean;
  /** b is given transposed ([N, K]) */
  tB: boolean;
}

export function mlpGemmShapes(B = 64, sizes = [3072, 512, 256, 10]): GemmShape[] {
  const out: GemmShape[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    out.push({ name: `fc${l + 1} fwd`, M: B, K: sizes[l], N: sizes[l + 1], tA: false, tB: false });
  }
  for (let l = sizes.length - 2; l >= 0; l--) {
    out.push({ name: `fc${l + 1} dW`, M: sizes[l], K: B, N: sizes[l + 1], tA: true, tB: false });
    if (l > 0) {
      out.push({ name: `fc${l + 1} dx`, M: B, K: sizes[l + 1], N: sizes[l], tA: false, tB: true });
    }
  }
  return out;
}
