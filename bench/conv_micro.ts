// deno run -A bench/conv_micro.ts [old.wasm:old new.wasm ...]
// The eval forward's two convs and pools (batch 500, 32×32×3) on the wasm
// kernels directly, for one or more builds of kernels.wasm interleaved in one
// process (these machines are noisy: compare within a run). A build tagged
// ":old" is called with the former conv2d signature (tap count instead of KH, KW).
import { wasmRuntime } from "../ml/kernels/wasm/runtime.ts";
import { runtimeFor } from "./wasm_builds.ts";

const builds = Deno.args.length
  ? Deno.args.map((a) => {
    const [path, tag] = a.split(":");
    return {
      name: a,
      old: tag === "old",
      rt: runtimeFor(new WebAssembly.Module(Deno.readFileSync(path))),
    };
  })
  : [{ name: "current", old: false, rt: wasmRuntime() }];
const N = 500;
const REPS = 25;
const ceil4 = (n: number) => (n + 3) & ~3;
type Job = Record<string, () => void>;
const jobs: Job[] = builds.map(({ rt, old }) => {
  const job: Job = {};
  for (const [name, H, Cin, Cout] of [["conv1", 32, 3, 4], ["conv2", 15, 4, 8]] as const) {
    const OH = H - 2;
    const KK = 9 * Cin;
    const x = rt.alloc(N * H * H * Cin);
    for (let k = 0; k < N * H * H * Cin; k++) rt.f32[(x >> 2) + k] = Math.random() - 0.5;
    const w = rt.alloc(KK * Cout);
    for (let k = 0; k < KK * Cout; k++) rt.f32[(w >> 2) + k] = Math.random() - 0.5;
    const b = rt.alloc(Cout);
    const offs = rt.alloc(ceil4(KK));
    for (let kk = 0; kk < KK; kk++) {
      rt.i32[(offs >> 2) + kk] = Math.floor(kk / (3 * Cin)) * H * Cin + (kk % (3 * Cin));
    }
    const o = rt.alloc(N * OH * OH * Cout);
    job[name] = old
      ? () => rt.exports.conv2d(x, w, b, offs, o, N, H, H, Cin, OH, OH, 1, 1, KK, Cout, 1)
      : () => rt.exports.conv2d(x, w, b, offs, o, N, H, H, Cin, OH, OH, 1, 1, 3, 3, Cout, 1);
    const PH = OH >> 1;
    const po = rt.alloc(N * PH * PH * Cout);
    job[name + "_pool"] = () =>
      rt.exports.maxPool(o, po, N, OH, OH, Cout, PH, PH, 2, 2, 2, 2, 0, 0);
  }
  return job;
});
const times = jobs.map((j) => Object.fromEntries(Object.keys(j).map((k) => [k, [] as number[]])));
for (let r = 0; r < REPS + 3; r++) {
  for (let b = 0; b < jobs.length; b++) {
    for (const [k, f] of Object.entries(jobs[b])) {
      const t0 = performance.now();
      f();
      if (r >= 3) times[b][k].push(performance.now() - t0);
    }
  }
}
const stat = (t: number[]) => {
  t.sort((a, b) => a - b);
  return `${t[0].toFixed(2)}/${t[t.length >> 1].toFixed(2)}`;
};
for (let b = 0; b < jobs.length; b++) {
  console.log(
    builds[b].name,
    "min/median ms",
    JSON.stringify(Object.fromEntries(Object.entries(times[b]).map(([k, t]) => [k, stat(t)]))),
  );
}
