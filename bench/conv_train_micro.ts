// deno run -A bench/conv_train_micro.ts [--wide] [a.wasm b.wasm ...]
// The ConvNet training step's five conv kernels (batch 64, 32×32×3) on the wasm
// kernels directly, for one or more builds of kernels.wasm interleaved in one
// process (these machines are noisy: compare within a run): conv1's forward and
// filter gradient (Cin 3, Cout 4), conv2's forward, filter gradient and input
// gradient (Cin 4, Cout 8); with --wide also convnet_bn's three convs (forward and filter
// gradient on the wide loops). Prints min/median ms per kernel and build, and each
// build's median ÷ the first's.
import { wasmRuntime } from "../ml/kernels/wasm/runtime.ts";
import { runtimeFor } from "./wasm_builds.ts";
import { filterGradPlan } from "../ml/kernels/Conv2DBackpropFilter.ts";

const wide = Deno.args.includes("--wide");
const paths = Deno.args.filter((a) => a !== "--wide");
const builds = paths.length
  ? paths.map((path) => ({
    name: path,
    rt: runtimeFor(new WebAssembly.Module(Deno.readFileSync(path))),
  }))
  : [{ name: "current", rt: wasmRuntime() }];
const N = 64;
const REPS = 60;
const ceil4 = (n: number) => (n + 3) & ~3;

type Job = Record<string, () => void>;
const jobs: Job[] = builds.map(({ rt }) => {
  // deno-lint-ignore no-explicit-any
  const e = rt.exports as any;
  const fill = (n: number) => {
    const p = rt.alloc(n + 16);
    for (let k = 0; k < n + 16; k++) rt.f32[(p >> 2) + k] = Math.random() - 0.5;
    return p;
  };
  const job: Job = {};
  for (const [name, H, Cin, Cout] of [["conv1", 32, 3, 4], ["conv2", 15, 4, 8]] as const) {
    const OH = H - 2;
    const K = 3 * Cin;
    const KK = 3 * K;
    const KKp = ceil4(KK);
    const x = fill(N * H * H * Cin);
    const w = fill(KK * Cout);
    const b = fill(Cout);
    const offs = rt.alloc(KKp);
    for (let kk = 0; kk < KKp; kk++) {
      rt.i32[(offs >> 2) + kk] = kk < KK ? Math.floor(kk / K) * H * Cin + (kk % K) : 0;
    }
    const P = N * OH * OH;
    const out = rt.alloc(P * Cout);
    const dy = fill(P * Cout);
    const dw = rt.alloc(KKp * Cout);
    job[`${name} forward`] = () =>
      e.conv2d(x, w, b, offs, out, N, H, H, Cin, OH, OH, 1, 1, 3, 3, Cout, 3);
    const plan = e.conv2dBackpropFilter4 && Cout === 4 ? filterGradPlan(rt, 3, K) : null;
    job[`${name} filter grad`] = Cout % 8 === 0
      ? () =>
        e.conv2dWideBackpropFilter(x, dy, offs, dw, N, H, H, Cin, OH, OH, 1, 1, KKp, Cout >> 3)
      : plan
      ? () =>
        e.conv2dBackpropFilter4(x, dy, offs, plan.ptr, plan.passes, dw, N, H, H, Cin, OH, OH, 1, 1)
      : () => e.conv2dBackpropFilter(x, dy, offs, dw, N, H, H, Cin, OH, OH, 1, 1, KKp, Cout);
    if (name === "conv2") {
      const Kp = ceil4(K);
      const wt = fill(3 * Cout * Kp);
      const dxp = rt.alloc(N * H * H * Cin + 8);
      job[`${name} input grad`] = () => {
        rt.f32.fill(0, dxp >> 2, (dxp >> 2) + N * H * H * Cin + 8);
        e.conv2dBackpropInput(dy, wt, dxp, N, H, H, Cin, OH, OH, 1, 1, 3, Kp, Cout);
      };
    }
  }
  // convnet_bn's three convs (padding "same", so the input is padded to H + 2): the wide loops.
  for (
    const [name, H, Cin, Cout] of [["bn1", 32, 3, 16], ["bn2", 16, 16, 32], [
      "bn3",
      8,
      32,
      64,
    ]] as const
  ) {
    if (!wide) break;
    const Hp = H + 2;
    const K = 3 * Cin;
    const KKp = ceil4(3 * K);
    const x = fill(N * Hp * Hp * Cin);
    const w8 = fill(9 * Cin * Cout);
    const offs = rt.alloc(KKp);
    for (let kk = 0; kk < KKp; kk++) {
      rt.i32[(offs >> 2) + kk] = kk < 3 * K ? Math.floor(kk / K) * Hp * Cin + (kk % K) : 0;
    }
    const P = N * H * H;
    const out = rt.alloc(P * Cout);
    const dy = fill(P * Cout);
    const dw = rt.alloc(KKp * Cout);
    job[`${name} forward`] = () =>
      e.conv2dWide(x, w8, out, N, Hp, Hp, Cin, H, H, 1, 1, 3, 3, Cout >> 3);
    job[`${name} filter grad`] = () =>
      e.conv2dWideBackpropFilter(x, dy, offs, dw, N, Hp, Hp, Cin, H, H, 1, 1, KKp, Cout >> 3);
  }
  return job;
});
const times = jobs.map((j) => Object.fromEntries(Object.keys(j).map((k) => [k, [] as number[]])));
for (let r = 0; r < REPS + 5; r++) {
  for (const b of [...jobs.keys()].sort(() => Math.random() - 0.5)) {
    for (const [k, f] of Object.entries(jobs[b])) {
      const t0 = performance.now();
      f();
      if (r >= 5) times[b][k].push(performance.now() - t0);
    }
  }
}
const median = (t: number[]) => [...t].sort((a, b) => a - b)[t.length >> 1];
for (let b = 0; b < jobs.length; b++) {
  const row: Record<string, string> = {};
  for (const [k, t] of Object.entries(times[b])) {
    const m = median(t);
    row[k] = `${Math.min(...t).toFixed(3)}/${m.toFixed(3)}` +
      (b > 0 ? ` (${(m / median(times[0][k])).toFixed(2)}×)` : "");
  }
  console.log(builds[b].name, "min/median ms", JSON.stringify(row));
}
