// deno run -A --lock=dev.lock tools/make_golden_bits.ts > tests/fixtures/golden_bits.json
// Records tests/util/golden_steps.ts's digests on the cpu backend with the project's kernels.
// Run it on the code that trained the published study (commit 4b72ca7, with
// tests/util/golden_steps.ts and this file copied in); see tests/golden_bits.test.ts.
import * as tf from "../ml/tf.ts";
import { registerFastCpuKernels } from "../ml/kernels/register_all_kernels.ts";
import { GOLDEN_CASES, goldenDigest } from "../tests/util/golden_steps.ts";

registerFastCpuKernels();
await tf.setBackend("cpu");
const commit = new TextDecoder().decode(
  new Deno.Command("git", { args: ["rev-parse", "HEAD"] }).outputSync().stdout,
).trim();
const results = [];
for (const c of GOLDEN_CASES) results.push({ ...c, ...(await goldenDigest(c)) });
console.log(JSON.stringify({ recordedAt: commit, tfjs: tf.version_core, results }, null, 2));
