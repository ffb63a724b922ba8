// `deno task soak --quick`: the soak script itself still runs end to end (all
// four parts, small sizes) and its checks pass: no 5xx, the killed run's
// curve, every SSE client let go.
import { assert, assertEquals } from "./util/assert.ts";

Deno.test("deno task soak --quick runs and passes its checks", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "tools/soak.ts", "--quick"],
    cwd: new URL("../", import.meta.url),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assertEquals(out.code, 0, text);
  assert(text.includes("| fuzz | 5xx | 0 |"), text);
  assert(text.includes("| restart | curve = uninterrupted run's (exactly) | yes |"), text);
  assert(text.includes("| sse | subscribers left after they closed | 0 |"), text);
  assert(text.includes("| fds | server up and serving afterwards | yes |"), text);
  assert(text.includes("| head | streams open after the HEADs | 0 |"), text);
  assert(text.includes("all checks passed"), text);
});
