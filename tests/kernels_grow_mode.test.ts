// The stale-view test mode in the suite: LOSSBENCH_WASM_GROW=every grows the kernels' (shared)
// wasm memory on every allocation, renewing its buffer object, so a kernel that reads or writes
// through a view taken before an allocation (short of the new pages) changes the bits. The golden bits and the resident-tensor tests must pass under it.
import { assert, assertEquals } from "./util/assert.ts";

const env = { LOSSBENCH_WASM_GROW: "every", NO_COLOR: "1" };

Deno.test("LOSSBENCH_WASM_GROW=every renews the memory's buffer on every allocation", async () => {
  const probe = `
    import { wasmRuntime } from "./ml/kernels/wasm/runtime.ts";
    const rt = wasmRuntime();
    const before = rt.memory.buffer;
    rt.reset();
    rt.alloc(4);
    const after = rt.memory.buffer;
    console.log(JSON.stringify({ short: before.byteLength < after.byteLength, same: before === after }));
  `;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--lock=dev.lock", probe],
    cwd: new URL("..", import.meta.url),
    env,
  }).output();
  assertEquals(new TextDecoder().decode(out.stderr), "");
  assertEquals(JSON.parse(new TextDecoder().decode(out.stdout)), { short: true, same: false });
});

Deno.test("under LOSSBENCH_WASM_GROW=every the golden bits and the resident tests still pass", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "test",
      "-A",
      "--lock=dev.lock",
      "tests/golden_bits.test.ts",
      "tests/kernels_resident.test.ts",
    ],
    cwd: new URL("..", import.meta.url),
    env,
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assert(out.success, text.slice(-3000));
  const m = text.match(/ok \| (\d+) passed .*\| 0 failed/);
  assert(m && Number(m[1]) >= 5, text.slice(-1000));
});
