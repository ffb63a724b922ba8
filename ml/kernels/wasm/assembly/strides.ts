// Pixel-stride tags for the register-blocked conv loops: a generic kernel
// instantiated with Sn reads offsetof<Sn>() = 4·n bytes as a compile-time
// constant, so its per-pixel loads get constant offsets.

// @ts-nocheck: AssemblyScript decorators and types are not TypeScript's.

@unmanaged
export class S1 {
  a: f32;
}

@unmanaged
export class S2 {
  a: f32;
  b: f32;
}

@unmanaged
export class S3 {
  a: f32;
  b: f32;
  c: f32;
}

@unmanaged
export class S4 {
  a: f32;
  b: f32;
  c: f32;
  d: f32;
}

@unmanaged
export class S5 {
  a: f32;
  b: f32;
  c: f32;
  d: f32;
  e: f32;
}

@unmanaged
export class S6 {
  a: f32;
  b: f32;
  c: f32;
  d: f32;
  e: f32;
  f: f32;
}

@unmanaged
export class S7 {
  a: f32;
  b: f32;
  c: f32;
  d: f32;
  e: f32;
  f: f32;
  g: f32;
}

@unmanaged
export class S8 {
  a: f32;
  b: f32;
  c: f32;
  d: f32;
  e: f32;
  f: f32;
  g: f32;
  h: f32;
}
