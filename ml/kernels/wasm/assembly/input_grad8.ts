// conv2dBackpropInput for 8 output channels and Cin a multiple of 4 (the ConvNet's second
// conv), with the filter's vectors held in registers. V8 checks the bounds of every wasm load
// here (Deno runs wasm without a trap handler: each load is also a compare and a branch), and
// the pixel-major loop (conv.ts's backpropInput8) loads 8 filter vectors for every 8
// multiply-adds. Here a pass holds one segment vector's 8 filter vectors (one per output
// channel) and sweeps a row of pixels: per pixel, dy's 8 values as 2 vector loads broadcast
// by shuffles, and the dx vector loaded and stored once.
//
// The same bits as the pixel-major loop: each dx value still gets its pixels' contributions in
// pixel order, each pixel's 8 products added in channel order. A dx vector of row oh·sh + kh
// takes pixel (oh, ow)'s segment vector v where v·4 = (its column − ow·sw)·Cin + ci, so over a
// row of pixels the later pixels reach it through smaller v: the passes go from the last v to
// the first, each sweeping ow upwards. Rows of pixels go in order, and for one row of pixels
// each kh writes a different row of dx. With Cin a multiple of 4 no vector holds padding.

// @ts-nocheck: AssemblyScript types (usize, v128, f32x4) are not TypeScript's.

export function backpropInputPasses8(
  dy: usize,
  wt: usize,
  dxp: usize,
  N: i32,
  Hp: i32,
  Wp: i32,
  Cin: i32,
  OH: i32,
  OW: i32,
  sh: i32,
  pixStep: usize,
  rowStep: usize,
  KH: i32,
  Kp: i32,
): void {
  const coStep = <usize> Kp << 2;
  const dyRow = <usize> OW << 5;
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      const rowBase = dxp + ((<usize> ((n * Hp + oh * sh) * Wp * Cin)) << 2);
      const dRow = dy + (<usize> (n * OH + oh)) * dyRow;
      for (let kh = 0; kh < KH; kh++) {
        const seg = rowBase + <usize> kh * rowStep;
        const wk = wt + <usize> kh * 8 * coStep;
        for (let v = (Kp >> 2) - 1; v >= 0; v--) {
          const wp = wk + (<usize> v << 4);
          const w0 = v128.load(wp);
          const w1 = v128.load(wp + coStep);
          const w2 = v128.load(wp + 2 * coStep);
          const w3 = v128.load(wp + 3 * coStep);
          const w4 = v128.load(wp + 4 * coStep);
          const w5 = v128.load(wp + 5 * coStep);
          const w6 = v128.load(wp + 6 * coStep);
          const w7 = v128.load(wp + 7 * coStep);
          let s = seg + (<usize> v << 4);
          let d = dRow;
          for (let ow = 0; ow < OW; ow++) {
            const d0 = v128.load(d);
            const d1 = v128.load(d, 16);
            let acc = v128.load(s);
            acc = f32x4.add(acc, f32x4.mul(i32x4.shuffle(d0, d0, 0, 0, 0, 0), w0));
            acc = f32x4.add(acc, f32x4.mul(i32x4.shuffle(d0, d0, 1, 1, 1, 1), w1));
            acc = f32x4.add(acc, f32x4.mul(i32x4.shuffle(d0, d0, 2, 2, 2, 2), w2));
            acc = f32x4.add(acc, f32x4.mul(i32x4.shuffle(d0, d0, 3, 3, 3, 3), w3));
            acc = f32x4.add(acc, f32x4.mul(i32x4.shuffle(d1, d1, 0, 0, 0, 0), w4));
            acc = f32x4.add(acc, f32x4.mul(i32x4.shuffle(d1, d1, 1, 1, 1, 1), w5));
            acc = f32x4.add(acc, f32x4.mul(i32x4.shuffle(d1, d1, 2, 2, 2, 2), w6));
            acc = f32x4.add(acc, f32x4.mul(i32x4.shuffle(d1, d1, 3, 3, 3, 3), w7));
            v128.store(s, acc);
            s += pixStep;
            d += 32;
          }
        }
      }
    }
  }
}
