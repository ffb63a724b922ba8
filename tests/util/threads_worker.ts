// A Web Worker that starts 2 kernel threads and says so (tests/kernels_threads.test.ts
// terminates it, as the pool replaces a crashed worker, and watches its helper leave).
import { kernelThreads } from "../../ml/kernels/wasm/threads.ts";

kernelThreads().set(2);
await kernelThreads().ready();
(self as unknown as { postMessage(m: string): void }).postMessage("ready");
