// Loads the WebAssembly SIMD kernels (embedded as base64, so it works the
// same in the main thread and in Web Workers) over one shared linear memory,
// and hands out scratch space from a bump arena that each kernel call resets.
import { decodeBase64 } from "./base64.ts";
import { KERNELS_WASM_BASE64 } from "./kernels_wasm.ts";

interface Exports {
  conv2d(
    x: number,
    w: number,
    bias: number,
    offs: number,
    out: number,
    N: number,
    Hp: number,
    Wp: number,
    Cin: number,
    OH: number,
    OW: number,
    sh: number,
    sw: number,
    KK: number,
    Cp: number,
    relu: number,
  ): void;
  conv2dBackpropFilter(
    x: number,
    dy: number,
    offs: number,
    dw: number,
    N: number,
    Hp: number,
    Wp: number,
    Cin: number,
    OH: number,
    OW: number,
    sh: number,
    sw: number,
    KKp: number,
    Cp: number,
  ): void;
  conv2dBackpropInput(
    dy: number,
    wt: number,
    dxp: number,
    N: number,
    Hp: number,
    Wp: number,
    Cin: number,
    OH: number,
    OW: number,
    sh: number,
    sw: number,
    KH: number,
    Kp: number,
    Cout: number,
  ): void;
}

const PAGE = 65536;
/** Scratch starts past the first page, clear of anything the module might place low. */
const BASE = PAGE;

export class WasmRuntime {
  readonly memory: WebAssembly.Memory;
  readonly exports: Exports;
  f32!: Float32Array;
  i32!: Int32Array;
  #top = BASE;

  constructor(module: WebAssembly.Module, memory?: WebAssembly.Memory) {
    this.memory = memory ??
      new WebAssembly.Memory({ initial: 16, maximum: 32768, shared: true });
    const instance = new WebAssembly.Instance(module, { env: { memory: this.memory } });
    this.exports = instance.exports as unknown as Exports;
    this.#views();
  }

  #views(): void {
    this.f32 = new Float32Array(this.memory.buffer);
    this.i32 = new Int32Array(this.memory.buffer);
  }

  /** Frees every scratch block (call at the start of each kernel). */
  reset(): void {
    this.#top = BASE;
  }

  /** A 16-byte aligned block of `floats` 4-byte words (plus 16 bytes of slack); returns its byte address. */
  alloc(floats: number): number {
    const ptr = this.#top;
    this.#top = (ptr + floats * 4 + 16 + 15) & ~15;
    const need = this.#top - this.memory.buffer.byteLength;
    if (need > 0) {
      this.memory.grow(Math.ceil(need / PAGE) + 16);
      this.#views();
    } else if (this.f32.length * 4 !== this.memory.buffer.byteLength) {
      this.#views(); // grown elsewhere (another thread)
    }
    return ptr;
  }
}

let compiled: WebAssembly.Module | undefined;
let runtime: WasmRuntime | undefined;

export function kernelsModule(): WebAssembly.Module {
  return compiled ??= new WebAssembly.Module(decodeBase64(KERNELS_WASM_BASE64));
}

/** The runtime for this thread (one per worker: each training run has its own). */
export function wasmRuntime(): WasmRuntime {
  return runtime ??= new WasmRuntime(kernelsModule());
}
