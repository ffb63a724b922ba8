// Web Worker entry: trains one run at a time on the backend chosen at start-up
// (`new Worker(url, { type: "module", name: "<backend>" })`, where the name is
// auto|cpu|webgpu) and reports over postMessage with the protocol's messages.
import { initBackend } from "./backend.ts";
import { takeSubset } from "./data/mod.ts";
import { DivergedError } from "./divergence.ts";
import { type FromWorker, PROTOCOL_VERSION, type ToWorker } from "./protocol.ts";
import { train } from "./trainer.ts";
import { kernelThreads } from "./kernels/wasm/threads.ts";
import type { BackendName } from "./types.ts";

declare const self: {
  name: string;
  postMessage(m: FromWorker): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
};

const post = (m: FromWorker) => self.postMessage(m);
let current: { runId: string; abort: AbortController } | null = null;

const info = await initBackend((self.name || "auto") as BackendName).catch((e) => {
  post({ v: 1, type: "failed", runId: null, error: `backend: ${(e as Error).message}` });
  throw e;
});
post({ v: 1, type: "ready", backend: info.backend, adapter: info.adapter });

self.onmessage = (e) => {
  const msg = e.data;
  if (msg?.v !== PROTOCOL_VERSION) {
    post({ v: 1, type: "failed", runId: null, error: `unsupported message version ${msg?.v}` });
    return;
  }
  if (msg.type === "cancel") {
    if (current?.runId === msg.runId) current.abort.abort();
    return;
  }
  if (msg.type === "threads") {
    // Threads split the wasm kernels' outputs: the cpu backend's alone.
    if (info.backend === "cpu") kernelThreads().set(msg.n);
    return;
  }
  if (msg.type === "start") void run(msg);
};

async function run(msg: Extract<ToWorker, { type: "start" }>) {
  const { runId, config } = msg;
  if (current) {
    post({ v: 1, type: "failed", runId, error: "worker is busy" });
    return;
  }
  const abort = new AbortController();
  current = { runId, abort };
  try {
    const data = {
      ...msg.data,
      train: takeSubset(msg.data.train, config.trainLimit, config.seed),
      test: takeSubset(msg.data.test, config.testLimit, config.seed),
    };
    post({ v: 1, type: "started", runId, fromEpoch: msg.resume?.epoch ?? 0 });
    const stopAfter = msg.stopAfter;
    await train(config, data, {
      signal: abort.signal,
      resume: msg.resume,
      evalTest: msg.evalTest ?? true,
      stopAfter,
      onPrepared: (record) => post({ v: 1, type: "prepared", runId, record }),
      onProgress: (progress) =>
        post({
          v: 1,
          type: "progress",
          runId,
          progress: info.backend === "cpu"
            ? { ...progress, threads: kernelThreads().size }
            : progress,
        }),
      onEpoch: (metrics, checkpoint) => post({ v: 1, type: "epoch", runId, metrics, checkpoint }),
    });
    if (stopAfter !== undefined && stopAfter < config.epochs) {
      post({ v: 1, type: "paused", runId, epoch: stopAfter });
    } else post({ v: 1, type: "done", runId });
  } catch (e) {
    if ((e as Error).name === "AbortError") post({ v: 1, type: "cancelled", runId });
    else {
      const diverged = e instanceof DivergedError ? { diverged: e.at } : {};
      post({ v: 1, type: "failed", runId, error: (e as Error).message || String(e), ...diverged });
    }
  } finally {
    current = null;
  }
}
