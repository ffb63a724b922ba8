// Zero padding of an NHWC image batch, for the convs that read a padded input: in wasm, with
// bulk-memory copies row by row, where the JavaScript path filled the block and then set each
// row from a fresh subarray (2.9 ms of convnet_bn's step, its largest JavaScript cost).

// @ts-nocheck: AssemblyScript types (usize) are not TypeScript's.

/**
 * dst [N, Hp, ·] (rows of dstRow bytes) = src [N, H, ·] (rows of row bytes) placed `top` rows
 * down and `left` bytes in, zeros elsewhere.
 */
export function padImages(
  src: usize,
  dst: usize,
  N: i32,
  H: i32,
  row: i32,
  Hp: i32,
  dstRow: i32,
  top: i32,
  left: i32,
): void {
  memory.fill(dst, 0, <usize> N * <usize> Hp * <usize> dstRow);
  const rb = <usize> row;
  const db = <usize> dstRow;
  for (let n = 0; n < N; n++) {
    let s = src + <usize> (n * H) * rb;
    let d = dst + <usize> (n * Hp + top) * db + <usize> left;
    for (let h = 0; h < H; h++) {
      memory.copy(d, s, rb);
      s += rb;
      d += db;
    }
  }
}
