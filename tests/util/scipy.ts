// SciPy as the reference in service tests: a Python script reads `input` as
// JSON on stdin and prints its answer as JSON (Debian's python3-scipy).
import { assert } from "./assert.ts";

const PYTHON = (() => {
  try {
    return Deno.statSync("/usr/bin/python3").isFile ? "/usr/bin/python3" : "python3";
  } catch {
    return "python3";
  }
})();

/** Runs `script` with `input` as JSON on stdin; its stdout parsed as JSON. */
export async function scipy<T>(script: string, input: unknown): Promise<T> {
  const p = new Deno.Command(PYTHON, { args: ["-c", script], stdin: "piped", stdout: "piped" })
    .spawn();
  const w = p.stdin.getWriter();
  await w.write(new TextEncoder().encode(JSON.stringify(input)));
  await w.close();
  const out = await p.output();
  assert(out.success, "python3 with scipy is needed for this test (Debian: python3-scipy)");
  return JSON.parse(new TextDecoder().decode(out.stdout));
}
