// bench/gpu_check.ts (what tools/gpu_check.sh runs on a GPU machine) stops with
// a clear line and its own exit status when there is no adapter (2) or only a
// software one (3), and passes its WebGPU-vs-cpu parity step on the software
// adapter when allowed to (CI installs mesa-vulkan-drivers).
import { assert, assertEquals } from "./util/assert.ts";

const script = new URL("../bench/gpu_check.ts", import.meta.url).pathname;

async function check(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, ...args],
    env,
    stdout: "piped",
    stderr: "null",
  }).output();
  const lines = new TextDecoder().decode(out.stdout).split("\n").filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l));
  return { code: out.code, lines };
}

Deno.test("gpu_check: no adapter → exit 2 and what to install", async () => {
  // wgpu offers no adapter for a backend this platform lacks.
  const { code, lines } = await check([], { DENO_WEBGPU_BACKEND: "dx12" });
  assertEquals(code, 2);
  assertEquals(lines[0].adapter, null);
  assert(/Vulkan driver/.test(lines[0].error), lines[0].error);
});

Deno.test("gpu_check: a software adapter → exit 3 unless allowed; then parity and speeds", async () => {
  const refused = await check([]);
  assertEquals(refused.code, 3);
  assertEquals(refused.lines[0].fallbackAdapter, true);
  const run = await check(["--allow-fallback", "--steps", "2", "--models", "convnet"]);
  assertEquals(run.code, 0);
  const parity = run.lines.find((l) => "parity" in l);
  assertEquals(parity?.parity, "ok");
  const gpu = run.lines.find((l) => l.backend === "webgpu");
  const cpu = run.lines.find((l) => l.backend === "cpu");
  assert(gpu?.stepImgPerSec > 0 && gpu?.evalImgPerSec > 0, JSON.stringify(gpu));
  assert(cpu?.stepImgPerSec > 0, JSON.stringify(cpu));
});
