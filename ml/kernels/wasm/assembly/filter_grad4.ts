// Filter gradient for 4 output channels (the ConvNet's first conv), planned in passes
// over the pixels. V8 checks the bounds of every wasm load here (Deno runs wasm without a
// trap handler: each load is also a compare and a branch), so the loads per multiply-add
// bound these loops. Four taps adjacent in x (one filter row's, consecutive in kk) are
// read as one vector and broadcast lane by lane with shuffles, where four broadcast loads
// would each pay the check.
//
//   plan   passes × 5 i32: kind, then four tap indices kk. Kind 1: three quads of taps
//          starting at the first three (the fourth unused); kind 0: four single taps. A
//          pass with fewer repeats its last entry (the same sum, written twice).
//   offs   the tap table (conv.ts): offs[kk] = element offset of tap kk in a patch
//   dw     [KKp, 4]: each row is one tap's sum Σ_p x[patch(p) + offs[kk]] · dy[p, 0..4),
//          over p in order from 0, as in conv.ts's loops, so the bits are theirs.

// @ts-nocheck: AssemblyScript types (usize, v128, f32x4) are not TypeScript's.

export function conv2dBackpropFilter4(
  x: usize,
  dy: usize,
  offs: usize,
  plan: usize,
  passes: i32,
  dw: usize,
  N: i32,
  Hp: i32,
  Wp: i32,
  Cin: i32,
  OH: i32,
  OW: i32,
  sh: i32,
  sw: i32,
): void {
  const pixStep = <usize> (sw * Cin) << 2;
  for (let i = 0; i < passes; i++) {
    const e = plan + <usize> i * 20;
    const k0 = load<i32>(e, 4);
    const k1 = load<i32>(e, 8);
    const k2 = load<i32>(e, 12);
    const k3 = load<i32>(e, 16);
    if (load<i32>(e) == 1) {
      quads3(x, dy, offs, dw, N, Hp, Wp, Cin, OH, OW, sh, pixStep, k0, k1, k2);
    } else {
      singles4(x, dy, offs, dw, N, Hp, Wp, Cin, OH, OW, sh, pixStep, k0, k1, k2, k3);
    }
  }
}

/** acc + x_j · d, with lane j of xv broadcast (shuffle lanes must be constants). */
function lane0(acc: v128, xv: v128, d: v128): v128 {
  return f32x4.add(acc, f32x4.mul(i32x4.shuffle(xv, xv, 0, 0, 0, 0), d));
}
function lane1(acc: v128, xv: v128, d: v128): v128 {
  return f32x4.add(acc, f32x4.mul(i32x4.shuffle(xv, xv, 1, 1, 1, 1), d));
}
function lane2(acc: v128, xv: v128, d: v128): v128 {
  return f32x4.add(acc, f32x4.mul(i32x4.shuffle(xv, xv, 2, 2, 2, 2), d));
}
function lane3(acc: v128, xv: v128, d: v128): v128 {
  return f32x4.add(acc, f32x4.mul(i32x4.shuffle(xv, xv, 3, 3, 3, 3), d));
}

const tapAddr = (offs: usize, kk: i32): usize => <usize> load<i32>(offs + (<usize> kk << 2)) << 2;

function quads3(
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
  pixStep: usize,
  k0: i32,
  k1: i32,
  k2: i32,
): void {
  const oa = tapAddr(offs, k0);
  const ob = tapAddr(offs, k1);
  const oc = tapAddr(offs, k2);
  let a0 = f32x4.splat(0);
  let a1 = a0;
  let a2 = a0;
  let a3 = a0;
  let b0 = a0;
  let b1 = a0;
  let b2 = a0;
  let b3 = a0;
  let c0 = a0;
  let c1 = a0;
  let c2 = a0;
  let c3 = a0;
  let dp = dy;
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      let b = x + ((<usize> ((n * Hp + oh * sh) * Wp * Cin)) << 2);
      for (let ow = 0; ow < OW; ow++) {
        const d = v128.load(dp);
        let xv = v128.load(b + oa);
        a0 = lane0(a0, xv, d);
        a1 = lane1(a1, xv, d);
        a2 = lane2(a2, xv, d);
        a3 = lane3(a3, xv, d);
        xv = v128.load(b + ob);
        b0 = lane0(b0, xv, d);
        b1 = lane1(b1, xv, d);
        b2 = lane2(b2, xv, d);
        b3 = lane3(b3, xv, d);
        xv = v128.load(b + oc);
        c0 = lane0(c0, xv, d);
        c1 = lane1(c1, xv, d);
        c2 = lane2(c2, xv, d);
        c3 = lane3(c3, xv, d);
        b += pixStep;
        dp += 16;
      }
    }
  }
  let r = dw + (<usize> k2 << 4);
  v128.store(r, c0);
  v128.store(r, c1, 16);
  v128.store(r, c2, 32);
  v128.store(r, c3, 48);
  r = dw + (<usize> k1 << 4);
  v128.store(r, b0);
  v128.store(r, b1, 16);
  v128.store(r, b2, 32);
  v128.store(r, b3, 48);
  r = dw + (<usize> k0 << 4);
  v128.store(r, a0);
  v128.store(r, a1, 16);
  v128.store(r, a2, 32);
  v128.store(r, a3, 48);
}

function singles4(
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
  pixStep: usize,
  k0: i32,
  k1: i32,
  k2: i32,
  k3: i32,
): void {
  const o0 = tapAddr(offs, k0);
  const o1 = tapAddr(offs, k1);
  const o2 = tapAddr(offs, k2);
  const o3 = tapAddr(offs, k3);
  let a0 = f32x4.splat(0);
  let a1 = a0;
  let a2 = a0;
  let a3 = a0;
  let dp = dy;
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
        dp += 16;
      }
    }
  }
  v128.store(dw + (<usize> k3 << 4), a3);
  v128.store(dw + (<usize> k2 << 4), a2);
  v128.store(dw + (<usize> k1 << 4), a1);
  v128.store(dw + (<usize> k0 << 4), a0);
}
