// Loads the WebAssembly SIMD kernels (embedded as base64, so it works the
// same in the main thread and in Web Workers) over one linear memory, and
// hands out scratch space from a bump arena that each kernel call resets, and
// blocks from a heap (heap.ts) for outputs that stay in the memory as tensors.
import { decodeBase64 } from "./base64.ts";
import { blockBytes, Heap } from "./heap.ts";
import { KERNELS_WASM_BASE64 } from "./kernels_wasm.ts";

type Fn = (...args: number[]) => void;

/** The module's exports; argument lists are documented in assembly/*.ts. */
export interface Exports {
  conv2d: Fn;
  conv2dBackpropFilter: Fn;
  conv2dBackpropFilter4: Fn;
  conv2dBackpropInput: Fn;
  conv2dWide: Fn;
  conv2dWideBackpropFilter: Fn;
  maxPool: Fn;
  padImages: Fn;
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
/** The memory's limit: 32768 pages, 2 GiB. */
export const MAX_BYTES = 32768 * PAGE;
/** Scratch starts past the first page, clear of anything the module might place low. */
const BASE = PAGE;
/**
 * Scratch's share of the address space; the heap starts above it. Pages neither touches are
 * never faulted in, so the gap costs no memory. A kernel that needs more scratch spills into
 * heap blocks, freed at the next `reset`.
 */
const SCRATCH = 64 << 20;
/** Where the thread's runtime's heap starts (the default scratch below it). */
export const HEAP_START = BASE + SCRATCH;

export interface RuntimeOptions {
  /** Scratch bytes before allocations spill into the heap (default 64 MiB). */
  scratch?: number;
  /**
   * Test mode: grow the memory on every allocation, so that a JavaScript view of it held across
   * one (left short of the new pages by the grow) shows up as wrong bits or a throw in the tests.
   */
  growEveryAlloc?: boolean;
}

/**
 * Whether LOSSBENCH_WASM_GROW=every asks the thread's runtime to grow on every allocation
 * (the stale-view test mode; see RuntimeOptions).
 */
function growEveryAllocFromEnv(): boolean {
  try {
    return Deno.env.get("LOSSBENCH_WASM_GROW") === "every";
  } catch {
    return false; // no --allow-env
  }
}

export class WasmRuntime {
  readonly memory: WebAssembly.Memory;
  readonly exports: Exports;
  /** Blocks that outlive a kernel call (resident tensors; see ../resident.ts). */
  readonly heap: Heap;
  f32!: Float32Array;
  i32!: Int32Array;
  readonly #scratchEnd: number;
  readonly #growEvery: boolean;
  #top = BASE;
  /** Heap blocks standing in for scratch past #scratchEnd, freed by `reset`. */
  #spilled: number[] = [];
  /** Called after every grow: views of the old buffer object end where it ended. */
  readonly #onGrow: (() => void)[] = [];

  constructor(module: WebAssembly.Module, memory?: WebAssembly.Memory, opts: RuntimeOptions = {}) {
    // Shared, so that kernel threads (threads.ts) run over the same memory; a grow then never
    // detaches a view, it only leaves it short of the new pages.
    this.memory = memory ??
      new WebAssembly.Memory({ initial: 16, maximum: MAX_BYTES / PAGE, shared: true });
    const instance = new WebAssembly.Instance(module, { env: { memory: this.memory } });
    this.exports = instance.exports as unknown as Exports;
    this.#scratchEnd = BASE + (opts.scratch ?? SCRATCH);
    this.#growEvery = opts.growEveryAlloc ?? false;
    this.heap = new Heap(this.#scratchEnd, (end) => this.#ensure(end));
    this.#views();
  }

  #views(): void {
    this.f32 = new Float32Array(this.memory.buffer);
    this.i32 = new Int32Array(this.memory.buffer);
  }

  /** Grows the memory to reach `end` (with headroom, so that grows stay rare). */
  #ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    const need = end - have;
    if (need <= 0 && !this.#growEvery) return;
    // The test mode grows a page (the buffer object is renewed only by a real grow; pages never
    // touched cost no memory), until the maximum is near.
    const pages = need > 0 ? Math.ceil(need / PAGE) : have < MAX_BYTES / 2 ? 1 : 0;
    if (pages === 0) return;
    try {
      this.memory.grow(pages && pages + Math.max(16, (have / PAGE) >> 2));
    } catch {
      this.memory.grow(pages); // no room for headroom under the maximum: just what is needed
    }
    this.#views();
    for (const f of this.#onGrow) f();
  }

  /** Runs `f` after each grow (re-pointing views of the memory). */
  onGrow(f: () => void): void {
    this.#onGrow.push(f);
  }

  /** Frees every scratch block (call at the start of each kernel). */
  reset(): void {
    this.#top = BASE;
    for (const p of this.#spilled) this.heap.free(p);
    this.#spilled.length = 0;
  }

  /**
   * A 16-byte aligned scratch block of `floats` 4-byte words (plus 16 bytes of slack), valid
   * until the next `reset`; returns its byte address. May grow the memory: a view of it taken
   * before (an input's values included) then ends short of the new pages, so take pointers first.
   */
  alloc(floats: number): number {
    const ptr = this.#top;
    const end = ptr + blockBytes(floats);
    if (end > this.#scratchEnd) {
      const p = this.heap.alloc(floats);
      this.#spilled.push(p);
      return p;
    }
    this.#top = end;
    this.#ensure(end);
    return ptr;
  }

  /** A heap block of `floats` (for an output), zeroed with its slack when `zero`. */
  block(floats: number, zero = false): number {
    const ptr = this.heap.alloc(floats);
    if (zero) this.f32.fill(0, ptr >> 2, (ptr >> 2) + floats + 4);
    return ptr;
  }

  /**
   * The address of `values`: where they already are when they lie in this memory (a resident
   * tensor, read in place: kernels never write their inputs), else a fresh scratch copy.
   */
  input(values: Float32Array): number {
    if (values.buffer === this.memory.buffer) return values.byteOffset;
    if ((values.buffer as { detached?: boolean }).detached) {
      throw new Error("wasm runtime: a view of memory taken before a grow was used after it");
    }
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

  /** A fresh JavaScript copy of `n` floats at `ptr`. */
  output(ptr: number, n: number): Float32Array {
    return this.f32.slice(ptr >> 2, (ptr >> 2) + n);
  }
}

let compiled: WebAssembly.Module | undefined;
let runtime: WasmRuntime | undefined;

export function kernelsModule(): WebAssembly.Module {
  return compiled ??= new WebAssembly.Module(decodeBase64(KERNELS_WASM_BASE64));
}

/** The runtime for this thread (one per worker: each training run has its own). */
export function wasmRuntime(): WasmRuntime {
  return runtime ??= new WasmRuntime(kernelsModule(), undefined, {
    growEveryAlloc: growEveryAllocFromEnv(),
  });
}
