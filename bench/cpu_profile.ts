// Where a training step's time goes, from V8's sampling CPU profiler (node:inspector):
// each sample's leaf frame is put in one bucket, and the buckets are reported as ms per
// step. bench/profile_step.ts --breakdown prints it.
//   wasm kernels   the SIMD kernels themselves (wasm frames, named from the module's exports)
//   copies         operands copied into wasm memory and results out of it (runtime.ts input,
//                  output, zeros; copyIn; the padding copies of kernels/util.ts; the gradient
//                  copied into the optimizer's memory), page faults of fresh output arrays included
//   kernel JS      the rest of the kernels' JavaScript (ml/kernels/): mostly their fresh output
//                  arrays (allocation, page faults) and results copied out with set()
//   project JS     the models, losses, trainer and optimizer outside kernels
//   tfjs           tfjs-core and tfjs-backend-cpu: engine, tape, autodiff, stock kernels
//   gc, other      the garbage collector; anything else (the runtime, the profiler)
import { Session } from "node:inspector";
import { decodeBase64 } from "../ml/kernels/wasm/base64.ts";
import { KERNELS_WASM_BASE64 } from "../ml/kernels/wasm/kernels_wasm.ts";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The kernels module's exported function names by function index (no functions are imported). */
export function wasmExportNames(): Map<number, string> {
  const b = decodeBase64(KERNELS_WASM_BASE64);
  let p = 8;
  const leb = () => {
    let r = 0, shift = 0, byte: number;
    do {
      byte = b[p++];
      r |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    return r >>> 0;
  };
  const names = new Map<number, string>();
  while (p < b.length) {
    const id = b[p++];
    const size = leb();
    const end = p + size;
    if (id === 7) {
      for (let n = leb(); n > 0; n--) {
        const len = leb();
        const name = new TextDecoder().decode(b.subarray(p, p + len));
        p += len;
        const kind = b[p++];
        const index = leb();
        if (kind === 0) names.set(index, name);
      }
    }
    p = end;
  }
  return names;
}

/** The project's functions that copy operands into wasm memory or results out of it. */
const COPY_FUNCTIONS = new Set(["input", "output", "zeros", "copyIn", "update", "padInput"]);

function bucket(frame: ProfileNode["callFrame"]): string {
  const { url, functionName: fn } = frame;
  if (url.startsWith("wasm://")) return "wasm kernels";
  if (fn === "(garbage collector)") return "gc";
  if (url.includes("/ml/kernels/")) {
    return COPY_FUNCTIONS.has(fn) || /^(un)?pad/.test(fn) ? "copies" : "kernel JS";
  }
  if (url.includes("@tensorflow") || url.includes("tf_registrations")) return "tfjs";
  if (url.includes("/ml/")) return "project JS";
  return "other";
}

/** Runs `run` under the sampling profiler; ms per `steps` in each bucket and per wasm export. */
export async function profileBreakdown(run: () => void, steps: number, intervalUs = 50) {
  const session = new Session();
  session.connect();
  const post = <T>(method: string, params?: unknown) =>
    new Promise<T>((resolve, reject) =>
      session.post(
        method,
        params as never,
        (e: unknown, r: unknown) => e ? reject(e) : resolve(r as T),
      )
    );
  await post("Profiler.enable");
  await post("Profiler.setSamplingInterval", { interval: intervalUs });
  await post("Profiler.start");
  const t0 = performance.now();
  run();
  const wall = performance.now() - t0;
  const { profile } = await post<{ profile: Profile }>("Profiler.stop");
  session.disconnect();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const names = wasmExportNames();
  const buckets: Record<string, number> = {};
  const wasm: Record<string, number> = {};
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000 / steps;
    const frame = byId.get(id)!.callFrame;
    const b = bucket(frame);
    buckets[b] = (buckets[b] ?? 0) + dt;
    const m = /wasm-function\[(\d+)\]/.exec(frame.functionName);
    if (m) {
      const name = names.get(Number(m[1])) ?? `internal ${m[1]}`;
      wasm[name] = (wasm[name] ?? 0) + dt;
    }
  });
  const r3 = (v: number) => Math.round(v * 1000) / 1000;
  const sorted = (o: Record<string, number>) =>
    Object.fromEntries(Object.entries(o).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, r3(v)]));
  return {
    wallMsPerStep: r3(wall / steps),
    msPerStep: sorted(buckets),
    wasmMsPerStep: sorted(wasm),
  };
}
