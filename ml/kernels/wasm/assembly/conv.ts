// AssemblyScript source of the project's WebAssembly SIMD conv kernels.
// Built by `deno task build:wasm` (ml/kernels/wasm/build.ts) into
// ml/kernels/wasm/kernels.wasm and its base64 twin kernels_wasm.ts.
//
// Everything here works on raw pointers into one linear memory that the JS
// side owns (no allocator, no runtime): the JS side pads and lays out the
// operands, these loops only multiply and add. All images are NHWC.
//
// Shared notation:
//   x    padded input [N, Hp, Wp, Cin] (zero padding already applied)
//   offs i32 table: offs[kk] = (kh·Wp + kw)·Cin + ci for kk = (kh·KW + kw)·Cin + ci,
//        the element offset of filter tap kk from a patch's top-left corner;
//        padded with zeros up to a multiple of 4 entries
//   Cp   output channels rounded up to a multiple of 4 (SIMD lanes)
//   p    output pixel index (n·OH + oh)·OW + ow

// @ts-nocheck: AssemblyScript types (usize, v128, f32x4) are not TypeScript's.

/** Forward conv: out[p, 0..Cp) = bias + Σ_kk x[patch(p) + offs[kk]] · w[kk, 0..Cp), optional ReLU. */
export function conv2d(
  x: usize,
  w: usize,
  bias: usize,
  offs: usize,
  out: usize,
  N: i32,
  Hp: i32,
  Wp: i32,
  Cin: i32,
  OH: i32,
  OW: i32,
  sh: i32,
  sw: i32,
  KK: i32,
  Cp: i32,
  relu: i32,
): void {
  const zero = f32x4.splat(0);
  const pixStep = <usize> (sw * Cin) << 2;
  const wStep = <usize> Cp << 2;
  const outStep = <usize> Cp << 2;
  let op = out;
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      const row = x + ((<usize> ((n * Hp + oh * sh) * Wp * Cin)) << 2);
      let ow = 0;
      for (; ow + 4 <= OW; ow += 4) {
        const b0 = row + <usize> ow * pixStep;
        const b1 = b0 + pixStep;
        const b2 = b1 + pixStep;
        const b3 = b2 + pixStep;
        for (let cv = 0; cv < Cp; cv += 4) {
          let a0 = v128.load(bias + (<usize> cv << 2));
          let a1 = a0;
          let a2 = a0;
          let a3 = a0;
          let wp = w + (<usize> cv << 2);
          let tp = offs;
          for (let kk = 0; kk < KK; kk++) {
            const o = <usize> load<i32>(tp) << 2;
            const wv = v128.load(wp);
            a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(b0 + o), wv));
            a1 = f32x4.add(a1, f32x4.mul(v128.load32_splat(b1 + o), wv));
            a2 = f32x4.add(a2, f32x4.mul(v128.load32_splat(b2 + o), wv));
            a3 = f32x4.add(a3, f32x4.mul(v128.load32_splat(b3 + o), wv));
            wp += wStep;
            tp += 4;
          }
          if (relu) {
            a0 = f32x4.max(a0, zero);
            a1 = f32x4.max(a1, zero);
            a2 = f32x4.max(a2, zero);
            a3 = f32x4.max(a3, zero);
          }
          const o0 = op + (<usize> cv << 2);
          v128.store(o0, a0);
          v128.store(o0 + outStep, a1);
          v128.store(o0 + 2 * outStep, a2);
          v128.store(o0 + 3 * outStep, a3);
        }
        op += 4 * outStep;
      }
      for (; ow < OW; ow++) {
        const b0 = row + <usize> ow * pixStep;
        for (let cv = 0; cv < Cp; cv += 4) {
          let a0 = v128.load(bias + (<usize> cv << 2));
          let wp = w + (<usize> cv << 2);
          let tp = offs;
          for (let kk = 0; kk < KK; kk++) {
            const o = <usize> load<i32>(tp) << 2;
            a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(b0 + o), v128.load(wp)));
            wp += wStep;
            tp += 4;
          }
          if (relu) a0 = f32x4.max(a0, zero);
          v128.store(op + (<usize> cv << 2), a0);
        }
        op += outStep;
      }
    }
  }
}

/**
 * Filter gradient: dw[kk, 0..Cp) = Σ_p x[patch(p) + offs[kk]] · dy[p, 0..Cp),
 * for kk in [0, KKp) (KKp a multiple of 4; rows past the real taps are junk).
 * Blocks of 8 taps × 4 channels stay in registers for a whole pass over the pixels.
 */
export function conv2dBackpropFilter(
  x: usize,
  dy: usize,
  offs: usize,
  dw: usize,
  N: i32,
  Hp: i32,
  Wp: i32,
  Cin: i32,
  OH: i32,
  OW: i32,
  sh: i32,
  sw: i32,
  KKp: i32,
  Cp: i32,
): void {
  const pixStep = <usize> (sw * Cin) << 2;
  const dyStep = <usize> Cp << 2;
  for (let cv = 0; cv < Cp; cv += 4) {
    let kb = 0;
    for (; kb + 8 <= KKp; kb += 8) {
      const t = offs + (<usize> kb << 2);
      const o0 = <usize> load<i32>(t) << 2;
      const o1 = <usize> load<i32>(t, 4) << 2;
      const o2 = <usize> load<i32>(t, 8) << 2;
      const o3 = <usize> load<i32>(t, 12) << 2;
      const o4 = <usize> load<i32>(t, 16) << 2;
      const o5 = <usize> load<i32>(t, 20) << 2;
      const o6 = <usize> load<i32>(t, 24) << 2;
      const o7 = <usize> load<i32>(t, 28) << 2;
      let a0 = f32x4.splat(0);
      let a1 = a0;
      let a2 = a0;
      let a3 = a0;
      let a4 = a0;
      let a5 = a0;
      let a6 = a0;
      let a7 = a0;
      let dp = dy + (<usize> cv << 2);
      for (let n = 0; n < N; n++) {
        for (let oh = 0; oh < OH; oh++) {
          let b = x + ((<usize> ((n * Hp + oh * sh) * Wp * Cin)) << 2);
          for (let ow = 0; ow < OW; ow++) {
            const d = v128.load(dp);
            a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(b + o0), d));
            a1 = f32x4.add(a1, f32x4.mul(v128.load32_splat(b + o1), d));
            a2 = f32x4.add(a2, f32x4.mul(v128.load32_splat(b + o2), d));
            a3 = f32x4.add(a3, f32x4.mul(v128.load32_splat(b + o3), d));
            a4 = f32x4.add(a4, f32x4.mul(v128.load32_splat(b + o4), d));
            a5 = f32x4.add(a5, f32x4.mul(v128.load32_splat(b + o5), d));
            a6 = f32x4.add(a6, f32x4.mul(v128.load32_splat(b + o6), d));
            a7 = f32x4.add(a7, f32x4.mul(v128.load32_splat(b + o7), d));
            b += pixStep;
            dp += dyStep;
          }
        }
      }
      const r = dw + ((<usize> (kb * Cp + cv)) << 2);
      const rs = <usize> Cp << 2;
      v128.store(r, a0);
      v128.store(r + rs, a1);
      v128.store(r + 2 * rs, a2);
      v128.store(r + 3 * rs, a3);
      v128.store(r + 4 * rs, a4);
      v128.store(r + 5 * rs, a5);
      v128.store(r + 6 * rs, a6);
      v128.store(r + 7 * rs, a7);
    }
    for (; kb < KKp; kb += 4) {
      const t = offs + (<usize> kb << 2);
      const o0 = <usize> load<i32>(t) << 2;
      const o1 = <usize> load<i32>(t, 4) << 2;
      const o2 = <usize> load<i32>(t, 8) << 2;
      const o3 = <usize> load<i32>(t, 12) << 2;
      let a0 = f32x4.splat(0);
      let a1 = a0;
      let a2 = a0;
      let a3 = a0;
      let dp = dy + (<usize> cv << 2);
      for (let n = 0; n < N; n++) {
        for (let oh = 0; oh < OH; oh++) {
          let b = x + ((<usize> ((n * Hp + oh * sh) * Wp * Cin)) << 2);
          for (let ow = 0; ow < OW; ow++) {
            const d = v128.load(dp);
            a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(b + o0), d));
            a1 = f32x4.add(a1, f32x4.mul(v128.load32_splat(b + o1), d));
            a2 = f32x4.add(a2, f32x4.mul(v128.load32_splat(b + o2), d));
            a3 = f32x4.add(a3, f32x4.mul(v128.load32_splat(b + o3), d));
            b += pixStep;
            dp += dyStep;
          }
        }
      }
      const r = dw + ((<usize> (kb * Cp + cv)) << 2);
      const rs = <usize> Cp << 2;
      v128.store(r, a0);
      v128.store(r + rs, a1);
      v128.store(r + 2 * rs, a2);
      v128.store(r + 3 * rs, a3);
    }
  }
}

/**
 * Input gradient into a zeroed padded buffer dxp [N, Hp, Wp, Cin]:
 * for each pixel and filter row kh, the row segment of Kp = ⌈KW·Cin⌉₄ floats
 * starting at the patch's row kh gets Σ_co dy[p, co] · wt[kh, co, 0..Kp).
 * wt is the filter transposed to [KH, Cout, Kp] with zeros past KW·Cin, so the
 * last vector may add zeros to up to 3 floats after a segment (dxp has slack).
 */
export function conv2dBackpropInput(
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
  sw: i32,
  KH: i32,
  Kp: i32,
  Cout: i32,
): void {
  const pixStep = <usize> (sw * Cin) << 2;
  const rowStep = <usize> (Wp * Cin) << 2;
  const coStep = <usize> Kp << 2;
  let dp = dy;
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      let b = dxp + ((<usize> ((n * Hp + oh * sh) * Wp * Cin)) << 2);
      for (let ow = 0; ow < OW; ow++) {
        let seg = b;
        let wk = wt;
        for (let kh = 0; kh < KH; kh++) {
          for (let kv = 0; kv < Kp; kv += 4) {
            const s = seg + (<usize> kv << 2);
            let acc = v128.load(s);
            let wp = wk + (<usize> kv << 2);
            let d = dp;
            for (let co = 0; co < Cout; co++) {
              acc = f32x4.add(acc, f32x4.mul(v128.load32_splat(d), v128.load(wp)));
              wp += coStep;
              d += 4;
            }
            v128.store(s, acc);
          }
          seg += rowStep;
          wk += <usize> Cout * coStep;
        }
        b += pixStep;
        dp += <usize> Cout << 2;
      }
    }
  }
}
