// Builds of kernels.wasm named on a micro-bench's command line, each on a runtime of its own,
// so that several builds run interleaved in one process (bench/conv_micro.ts,
// bench/conv_train_micro.ts).
import { WasmRuntime } from "../ml/kernels/wasm/runtime.ts";

/** A runtime over the memory the build imports: shared (threads), or plain (older builds). */
export function runtimeFor(module: WebAssembly.Module): WasmRuntime {
  try {
    return new WasmRuntime(module);
  } catch {
    return new WasmRuntime(module, new WebAssembly.Memory({ initial: 16, maximum: 32768 }));
  }
}
