// A heap for tensors that live in wasm memory across kernel calls: free lists
// keyed by exact block size over a region that only grows at its top. A
// training step allocates the same shapes every step, so an exact-size list
// hands back the block its twin freed one step earlier: no splitting or
// coalescing, and the region (and the process's RSS) stays flat after the
// first step.

/** A block's bytes for `floats` 4-byte words: 16 bytes of slack (SIMD tails), 16-byte aligned. */
export const blockBytes = (floats: number) => (floats * 4 + 16 + 15) & ~15;

export class Heap {
  /** Free blocks' addresses by size in bytes. */
  readonly #free = new Map<number, number[]>();
  /** Live blocks' sizes by address. */
  readonly #live = new Map<number, number>();
  #top: number;
  liveBytes = 0;
  /** Blocks handed out so far (tests: shows a path used the heap). */
  allocations = 0;

  /** Blocks start at `start` (16-byte aligned); `ensure(end)` makes memory reach `end`. */
  constructor(start: number, private readonly ensure: (end: number) => void) {
    this.#top = (start + 15) & ~15;
  }

  /** A block of `floats` words (contents undefined); its byte address. */
  alloc(floats: number): number {
    const bytes = blockBytes(floats);
    let ptr = this.#free.get(bytes)?.pop();
    if (ptr === undefined) {
      ptr = this.#top;
      this.#top += bytes;
    }
    this.ensure(this.#top); // a no-op unless the memory must grow (or a test forces it)
    this.#live.set(ptr, bytes);
    this.allocations++;
    this.liveBytes += bytes;
    return ptr;
  }

  free(ptr: number): void {
    const bytes = this.#live.get(ptr);
    if (bytes === undefined) throw new Error(`heap: ${ptr} is not a live block`);
    this.#live.delete(ptr);
    this.liveBytes -= bytes;
    const list = this.#free.get(bytes);
    if (list) list.push(ptr);
    else this.#free.set(bytes, [ptr]);
  }

  get liveBlocks(): number {
    return this.#live.size;
  }

  /** The end of the highest block ever handed out. */
  get top(): number {
    return this.#top;
  }
}
