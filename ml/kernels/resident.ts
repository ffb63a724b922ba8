// Kernel outputs that stay in the wasm runtime's memory as cpu-backend tensors:
// each is a Float32Array view of a heap block (wasm/heap.ts), so tfjs's own
// JavaScript kernels read it like any other array, and the next wasm kernel
// reads it in place (WasmRuntime.input) instead of copying it in; the output
// is not copied out either. The block is freed when tfjs disposes the data.
//
// Three things keep that sound:
// - readers get copies: a freed block is reused by the next output of its
//   size, so an array handed out by data() or dataSync() would change under
//   its holder; the backend's readSync (under read, bufferSync, where) copies.
// - a view only the heap's owner may hold: a stock kernel that hands out an
//   input's values (or a subarray: Slice does) as a new tensor's data gets a
//   copy instead (the data.set guard), or the block's reuse would change it.
// - growing the (shared) memory renews its buffer object, and a view of the
//   old one ends where that ended; each live tensor's values are re-pointed
//   at the new buffer then (kernels read an input in place only when it views
//   the current one). Kernels take their inputs' pointers before they
//   allocate (a pointer survives a grow, a view may fall short).
import type { DataId, TensorInfo } from "@tensorflow/tfjs-core";
import type { Backend } from "./util.ts";
import { type WasmRuntime, wasmRuntime } from "./wasm/runtime.ts";

/** Arrays over wasm memory (heap tensors: kernels' outputs, the optimizer's state): read as copies. */
export const residentViews = new WeakSet<Float32Array>();

interface Owned {
  backend: Backend;
  ptr: number;
  n: number;
}

/** Each heap tensor's block, by the data id that owns it. */
const owners = new Map<DataId, Owned>();
const patched = new WeakSet<Backend>();
const hooked = new WeakSet<WasmRuntime>();
/** The view being registered by `residentTensor` (the one the data.set guard lets through). */
let registering: Float32Array | undefined;

/**
 * Makes `backend` read resident arrays as copies, free heap blocks when their data is disposed,
 * and copy any other view of wasm memory given to it as a tensor's data. Idempotent.
 */
export function readResidentAsCopies(backend: Backend): void {
  if (patched.has(backend)) return;
  patched.add(backend);
  const readSync = backend.readSync.bind(backend);
  backend.readSync = (dataId: DataId) => {
    const values = readSync(dataId);
    return values instanceof Float32Array && residentViews.has(values) ? values.slice() : values;
  };
  const disposeData = backend.disposeData.bind(backend);
  backend.disposeData = (dataId: DataId, force?: boolean) => {
    const released = disposeData(dataId, force);
    const own = owners.get(dataId);
    if (own && !backend.data.has(dataId)) {
      owners.delete(dataId);
      wasmRuntime().heap.free(own.ptr);
    }
    return released;
  };
  const data = backend.data;
  const set = data.set.bind(data);
  data.set = (dataId, d) => {
    const v = d.values;
    if (v !== registering && ArrayBuffer.isView(v) && v.buffer === wasmRuntime().memory.buffer) {
      d = { ...d, values: (v as Float32Array).slice() };
    }
    set(dataId, d);
  };
}

/** Re-points every live heap tensor at the memory's new buffer after a grow. */
function hookGrow(rt: WasmRuntime): void {
  if (hooked.has(rt)) return;
  hooked.add(rt);
  rt.onGrow(() => {
    for (const [id, o] of owners) {
      if (!o.backend.data.has(id)) continue;
      const values = new Float32Array(rt.memory.buffer, o.ptr, o.n);
      residentViews.add(values);
      o.backend.data.get(id).values = values;
    }
  });
}

/** A float32 tensor over the `n` floats of heap block `ptr` (from rt.block), which it now owns. */
export function residentTensor(
  backend: Backend,
  shape: number[],
  ptr: number,
  n: number,
): TensorInfo {
  const rt = wasmRuntime();
  hookGrow(rt);
  readResidentAsCopies(backend);
  const values = new Float32Array(rt.memory.buffer, ptr, n);
  residentViews.add(values);
  registering = values;
  try {
    const info = backend.makeTensorInfo(shape, "float32", values);
    owners.set(info.dataId, { backend, ptr, n });
    return info;
  } finally {
    registering = undefined;
  }
}

/** The thread's heap in use: blocks and bytes (a leak shows as growth after disposal). */
export function residentStats(): { blocks: number; bytes: number } {
  const { heap } = wasmRuntime();
  return { blocks: heap.liveBlocks, bytes: heap.liveBytes };
}
