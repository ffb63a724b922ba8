// Picks and initialises the tfjs backend: WebGPU on a real GPU, otherwise the
// cpu backend with the project's fast kernels registered over the stock ones.
import * as tf from "./tf.ts";
import "@tensorflow/tfjs-backend-webgpu";
import { registerFastCpuKernels } from "./kernels/register_all_kernels.ts";
import type { BackendName } from "./types.ts";

export interface BackendInfo {
  backend: "cpu" | "webgpu";
  adapter: string;
  fallbackAdapter: boolean;
}

export interface AdapterInfo {
  description: string;
  isFallbackAdapter: boolean;
}

/** The WebGPU adapter Deno sees, or null (no `navigator.gpu`, or no adapter). */
export async function probeAdapter(): Promise<AdapterInfo | null> {
  const gpu = (navigator as { gpu?: GPU }).gpu;
  if (!gpu) return null;
  quietWaylandProbe();
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return null;
    const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
    return {
      description: info.description || info.vendor || "unknown adapter",
      isFallbackAdapter: info.isFallbackAdapter ?? false,
    };
  } catch {
    return null;
  }
}

/**
 * Mesa's Vulkan drivers look for a Wayland display and print
 * "XDG_RUNTIME_DIR is invalid or not set" to stderr on headless machines,
 * ahead of the service's own first lines. A private empty runtime dir (no
 * display in it) keeps them quiet; an existing setting is left alone.
 */
function quietWaylandProbe(): void {
  try {
    if (Deno.env.get("XDG_RUNTIME_DIR")) return;
    Deno.env.set("XDG_RUNTIME_DIR", Deno.makeTempDirSync({ prefix: "lossbench-xdg-" }));
  } catch {
    // No env or write permission: the message is only noise.
  }
}

/** What `auto` resolves to on this machine: WebGPU only on a real (non-fallback) GPU. */
export async function resolveBackend(name: BackendName): Promise<"cpu" | "webgpu"> {
  if (name !== "auto") return name;
  const adapter = await probeAdapter();
  return adapter && !adapter.isFallbackAdapter ? "webgpu" : "cpu";
}

export async function initBackend(name: BackendName): Promise<BackendInfo> {
  // Production mode: no debug checks, and no "install tfjs-node" banner.
  tf.env().set("PROD", true);
  const backend = await resolveBackend(name);
  if (backend === "webgpu") {
    const adapter = await probeAdapter();
    if (!adapter) {
      throw new Error(
        "backend webgpu: no WebGPU adapter found (install a GPU driver, or Mesa's " +
          "mesa-vulkan-drivers for a software adapter, or use --backend cpu)",
      );
    }
    if (!(await tf.setBackend("webgpu"))) throw new Error("backend webgpu failed to initialise");
    await tf.ready();
    return { backend, adapter: adapter.description, fallbackAdapter: adapter.isFallbackAdapter };
  }
  registerFastCpuKernels();
  if (!(await tf.setBackend("cpu"))) throw new Error("backend cpu failed to initialise");
  await tf.ready();
  return { backend, adapter: "cpu", fallbackAdapter: false };
}
