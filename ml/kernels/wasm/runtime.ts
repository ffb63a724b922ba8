// Loads the WebAssembly SIMD kernels (embedded as base64, so it works the
// same in the main thread and in Web Workers) over one linear memory,
// and hands out scratch space from a bump arena that each kernel call resets.
import { decodeBase64 } from "./base64.ts";
import { KERNELS_WASM_BASE64 } from "./kernels_wasm.ts";

type Fn = (...args: number[]) => void;

/** The module's exports; argument lists are documented in assembly/*.ts. */
export interface Exports {
  conv2d: Fn;
  conv2dBackpropFilter: Fn;
  conv2dBackpropInput: Fn;
  conv2dWide: Fn;
  conv2dWideBackpropFilter: Fn;
  maxPool: Fn;
  maxPoolGrad: Fn;
  maxPoolGrad2x2: Fn;
  matmul: Fn;
  gemm: Fn;
  packA: Fn;
  packB: Fn;
  transpose: Fn;
  relu: Fn;
  step: Fn;
  reluGrad: Fn;
  binary: Fn;
  sumLeading: Fn;
  bnSums: Fn;
  bnApply: Fn;
  bnGradSums: Fn;
  bnGradApply: Fn;
  sgd: Fn;
}

const PAGE = 65536;
/** Scratch starts past the first page, clear of anything the module might place low. */
const BASE = PAGE;
/** A chain of kernels reusing the previous output in place stops growing scratch past this. */
const CHAIN_LIMIT = 64 << 20;

export class WasmRuntime {
  readonly memory: WebAssembly.Memory;
  readonly exports: Exports;
  f32!: Float32Array;
  i32!: Int32Array;
  #top = BASE;
  /** The last output handed out by `output` while its scratch block is still intact. */
  #last: { values: Float32Array; ptr: number; end: number } | undefined;

  constructor(module: WebAssembly.Module, memory?: WebAssembly.Memory) {
    this.memory = memory ?? new WebAssembly.Memory({ initial: 16, maximum: 32768 });
    const instance = new WebAssembly.Instance(module, { env: { memory: this.memory } });
    this.exports = instance.exports as unknown as Exports;
    this.#views();
  }

  #views(): void {
    this.f32 = new Float32Array(this.memory.buffer);
    this.i32 = new Int32Array(this.memory.buffer);
  }

  /**
   * Frees every scratch block (call at the start of each kernel), except that when
   * `inputs` include the previous kernel's output, still in scratch, that block stays
   * where it is (and `input` returns it without a copy): the next kernel in a chain
   * reads its input in place.
   */
  reset(...inputs: (Float32Array | undefined)[]): void {
    const last = this.#last;
    if (last && last.end < CHAIN_LIMIT && inputs.includes(last.values)) {
      this.#top = last.end;
      return;
    }
    this.#last = undefined;
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
    }
    return ptr;
  }

  /** Copies `values` into a fresh scratch block (or finds them kept by `reset`); returns its address. */
  input(values: Float32Array): number {
    if (this.#last?.values === values) return this.#last.ptr;
    const ptr = this.alloc(values.length);
    this.f32.set(values, ptr >> 2);
    return ptr;
  }

  /** A zeroed scratch block of `floats` (and its slack). */
  zeros(floats: number): number {
    const ptr = this.alloc(floats);
    this.f32.fill(0, ptr >> 2, (ptr >> 2) + floats + 4);
    return ptr;
  }

  /** A fresh copy of `n` floats at `ptr` (remembered for `reset`/`input` of the next kernel). */
  output(ptr: number, n: number): Float32Array {
    const values = this.f32.slice(ptr >> 2, (ptr >> 2) + n);
    this.#last = { values, ptr, end: this.#top };
    return values;
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
