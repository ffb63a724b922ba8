// The committed WebAssembly kernels are exactly what their AssemblyScript
// source builds to (deno task build:wasm), byte for byte.
import { build } from "../ml/kernels/wasm/build.ts";
import { assert, assertEquals } from "./util/assert.ts";

Deno.test("kernels.wasm and kernels_wasm.ts rebuild byte-for-byte from source", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const out = await build(dir);
    const here = new URL("../ml/kernels/wasm/", import.meta.url);
    const built = await Deno.readFile(out.wasm);
    const committed = await Deno.readFile(new URL("kernels.wasm", here));
    assert(built.length > 0, "empty build");
    assertEquals(built.length, committed.length, "kernels.wasm size");
    assert(built.every((b, i) => b === committed[i]), "kernels.wasm differs from a fresh build");
    assertEquals(
      await Deno.readTextFile(out.module),
      await Deno.readTextFile(new URL("kernels_wasm.ts", here)),
      "kernels_wasm.ts differs from a fresh build",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
