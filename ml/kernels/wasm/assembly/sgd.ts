// The SGD-momentum update in place over resident arrays (ml/sgd_resident.ts), in
// the op path's float32 roundings: each f32x4 mul and add rounds once, as tf.mul
// and tf.add do (WebAssembly never fuses them into an FMA), so the bits match.
// Every buffer has 16 bytes of slack: the loop runs over ⌈n⌉₄ elements.

// @ts-nocheck: AssemblyScript types (usize, v128, f32x4) are not TypeScript's.

/** `flags`: bit 0 clip (g·clip), bit 1 weight decay (+ wd·w), bit 2 momentum 0 (v = d). */
export function sgd(
  w: usize,
  v: usize,
  g: usize,
  n: i32,
  mu: f32,
  rate: f32,
  clip: f32,
  wd: f32,
  flags: i32,
): void {
  const vmu = f32x4.splat(mu);
  const vrate = f32x4.splat(rate);
  const vclip = f32x4.splat(clip);
  const vwd = f32x4.splat(wd);
  const end = w + (<usize> n << 2);
  if (flags === 0) {
    // the default update, its loop kept free of branches
    for (; w < end; w += 16, v += 16, g += 16) {
      const x = v128.load(w);
      const m = f32x4.add(f32x4.mul(vmu, v128.load(v)), v128.load(g));
      v128.store(v, m);
      v128.store(w, f32x4.sub(x, f32x4.mul(vrate, m)));
    }
    return;
  }
  const clipOn = (flags & 1) !== 0;
  const wdOn = (flags & 2) !== 0;
  const plain = (flags & 4) !== 0;
  for (; w < end; w += 16, v += 16, g += 16) {
    const x = v128.load(w);
    let d = v128.load(g);
    if (clipOn) d = f32x4.mul(d, vclip);
    if (wdOn) d = f32x4.add(d, f32x4.mul(x, vwd));
    const m = plain ? d : f32x4.add(f32x4.mul(vmu, v128.load(v)), d);
    v128.store(v, m);
    v128.store(w, f32x4.sub(x, f32x4.mul(vrate, m)));
  }
}
