// deno run -A --lock=dev.lock bench/gemm_ceiling.ts [--no-torch]
// What bounds the mlp's GEMMs on one thread: GMAC/s on each of a batch-64 step's GEMM shapes of
//   - lossbench's BatchMatMul as tfjs calls it (copies in and out included), now and before
//     (bench/gemm_legacy.ts);
//   - the exact wasm kernel alone (assembly/matmul.ts `gemm` on operands packed beforehand);
//   - the same kernel built with relaxed-SIMD multiply-add (FMA) instead of mul then add: a
//     measurement only, it would change results;
//   - both again with V8's wasm bounds checks off (--no-wasm-bounds-checks, in a child process):
//     Deno runs wasm without a trap handler, so V8 checks every load;
//   - PyTorch's sgemm with torch.set_num_threads(1), as the bench runs it and with its OpenBLAS
//     held to one thread too (OPENBLAS_NUM_THREADS=1).
import * as tf from "../ml/tf.ts";
import { registerFastCpuKernels } from "../ml/kernels/register_all_kernels.ts";
import { ASC_RUN } from "../ml/kernels/wasm/build.ts";
import { legacyBatchMatMul } from "./gemm_legacy.ts";
import { type GemmShape, mlpGemmShapes } from "./gemm_shapes.ts";

const shapes = mlpGemmShapes(64);
const macs = (s: GemmShape) => s.M * s.K * s.N;
const ceil = (n: number, m: number) => Math.ceil(n / m) * m;
const r1 = (v: number) => Math.round(v * 10) / 10;

/** Least ms of `reps` calls of `fn` (after a few to warm up). */
function least(fn: () => void, reps: number): number {
  for (let i = 0; i < 3; i++) fn();
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    fn();
    best = Math.min(best, performance.now() - t);
  }
  return best;
}
const repsFor = (s: GemmShape) => Math.max(15, Math.min(300, Math.round(3e9 / macs(s) / 10)));

/** `gemm` from assembly/matmul.ts alone, built as it is and with relaxed madd in its tile. */
async function buildGemms(): Promise<{ exact: WebAssembly.Module; fma: WebAssembly.Module }> {
  const src = await Deno.readTextFile(
    new URL("../ml/kernels/wasm/assembly/matmul.ts", import.meta.url),
  );
  const start = src.indexOf("export function gemm(");
  const end = src.indexOf("\n}\n", start) + 3;
  const gemm = "// @ts-nocheck\n" + src.slice(start, end);
  const fma = gemm.replace(
    /f32x4\.add\((c\d\d), f32x4\.mul\(s, (b\d)\)\)/g,
    "f32x4.relaxed_madd(s, $2, $1)",
  );
  if (fma === gemm || /f32x4\.mul\(s/.test(fma)) throw new Error("gemm's tile not recognised");
  const dir = await Deno.makeTempDir();
  const build = async (name: string, text: string, extra: string[]) => {
    await Deno.writeTextFile(`${dir}/${name}.ts`, text);
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        ...ASC_RUN,
        `${dir}/${name}.ts`,
        "--enable",
        "simd",
        ...extra,
        "--importMemory",
        "--runtime",
        "stub",
        "-O3",
        "--noAssert",
        "--outFile",
        `${dir}/${name}.wasm`,
      ],
      cwd: new URL("..", import.meta.url).pathname,
      stdout: "null",
      stderr: "piped",
    }).output();
    if (code !== 0) throw new Error(new TextDecoder().decode(stderr));
    return new WebAssembly.Module(await Deno.readFile(`${dir}/${name}.wasm`));
  };
  const out = {
    exact: await build("exact", gemm, []),
    fma: await build("fma", fma, ["--enable", "relaxed-simd"]),
  };
  await Deno.remove(dir, { recursive: true });
  return out;
}

/** GMAC/s of the bare kernels on packed random operands, per shape. */
async function wasmOnly(): Promise<{ exact: number[]; fma: number[] }> {
  const mods = await buildGemms();
  const res = { exact: [] as number[], fma: [] as number[] };
  for (const s of shapes) {
    const M4 = ceil(s.M, 4);
    const N8 = ceil(s.N, 8);
    const floats = M4 * s.K + s.K * N8 + M4 * N8;
    const memory = new WebAssembly.Memory({ initial: Math.ceil((floats * 4 + 65536) / 65536) + 1 });
    const f = new Float32Array(memory.buffer);
    for (let i = 0; i < f.length; i++) f[i] = Math.random() - 0.5;
    const a = 65536;
    const b = a + M4 * s.K * 4;
    const c = b + s.K * N8 * 4;
    for (const kind of ["exact", "fma"] as const) {
      const { gemm } = new WebAssembly.Instance(mods[kind], { env: { memory } }).exports as {
        gemm: (...args: number[]) => void;
      };
      const ms = least(
        () => gemm(a, b, c, M4, s.K, N8, N8),
        repsFor(s),
      );
      res[kind].push(macs(s) / ms / 1e6);
    }
  }
  return res;
}

if (Deno.args.includes("--wasm-only")) {
  console.log(JSON.stringify(await wasmOnly()));
  Deno.exit(0);
}

registerFastCpuKernels();
tf.env().set("PROD", true);
await tf.setBackend("cpu");

/** GMAC/s of tf.matMul through the registered kernel, or through `kernel` called directly. */
function viaTfjs(kernel?: typeof legacyBatchMatMul): number[] {
  return shapes.map((s) => {
    const a = tf.randomNormal(s.tA ? [s.K, s.M] : [s.M, s.K]) as tf.Tensor2D;
    const b = tf.randomNormal(s.tB ? [s.N, s.K] : [s.K, s.N]) as tf.Tensor2D;
    const backend = tf.backend() as never;
    const attrs = { transposeA: s.tA, transposeB: s.tB };
    const ms = least(() => {
      if (!kernel) return tf.matMul(a, b, s.tA, s.tB).dispose();
      const info = kernel({ inputs: { a, b }, backend, attrs } as never);
      tf.engine().makeTensorFromTensorInfo(info).dispose();
    }, repsFor(s));
    tf.dispose([a, b]);
    return macs(s) / ms / 1e6;
  });
}

async function childWasmOnly(flags: string[]): Promise<{ exact: number[]; fma: number[] }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--lock=dev.lock",
      ...flags,
      new URL(import.meta.url).pathname,
      "--wasm-only",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code !== 0) throw new Error(new TextDecoder().decode(stderr));
  return JSON.parse(new TextDecoder().decode(stdout).trim().split("\n").at(-1)!);
}

async function torch(env: Record<string, string>) {
  const args = shapes.map((s) => [s.M, s.K, s.N, +s.tA, +s.tB].join(","));
  try {
    const { code, stdout } = await new Deno.Command("/usr/bin/python3", {
      args: [new URL("gemm_ceiling.py", import.meta.url).pathname, ...args],
      env,
      stdout: "piped",
      stderr: "null",
    }).output();
    if (code !== 0) return undefined;
    return JSON.parse(new TextDecoder().decode(stdout)) as {
      shapes: number[];
      threads: number;
      cpuOverWall: number;
    };
  } catch {
    return undefined;
  }
}

const columns: [string, number[]][] = [];
columns.push(["lossbench before", viaTfjs(legacyBatchMatMul)]);
columns.push(["lossbench now", viaTfjs()]);
const checked = await childWasmOnly([]);
columns.push(["wasm exact", checked.exact], ["wasm FMA*", checked.fma]);
const unchecked = await childWasmOnly(["--v8-flags=--no-wasm-bounds-checks"]);
columns.push(["exact, no bounds chk*", unchecked.exact], ["FMA, no bounds chk*", unchecked.fma]);
const notes: string[] = [];
if (!Deno.args.includes("--no-torch")) {
  for (
    const [label, env] of [["torch 1 thr (bench)", {}], ["torch 1 thr (BLAS 1)", {
      OPENBLAS_NUM_THREADS: "1",
    }]] as const
  ) {
    const t = await torch(env);
    if (!t) continue;
    columns.push([label, t.shapes]);
    notes.push(`${label}: ${t.threads} threads, CPU time ÷ wall time ${t.cpuOverWall.toFixed(2)}`);
  }
}

/** A column's GMAC/s over the whole step: total MACs over the summed times. */
const overall = (g: number[]) =>
  shapes.reduce((n, s) => n + macs(s), 0) / shapes.reduce((t, s, i) => t + macs(s) / g[i], 0);
const head = ["shape (M×K×N)", ...columns.map(([l]) => l)];
const rows = shapes.map((s, i) => [
  `${s.name} ${s.M}×${s.K}×${s.N}`,
  ...columns.map(([, g]) => r1(g[i]).toString()),
]);
rows.push(["step (all 8)", ...columns.map(([, g]) => r1(overall(g)).toString())]);
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (r: string[]) =>
  `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ")} |`;
console.log(`GMAC/s, batch 64; * measurement only. Load average ${Deno.loadavg()[0].toFixed(2)}.`);
console.log(line(head));
console.log(
  `|${widths.map((w, i) => (i === 0 ? "-" : "") + "-".repeat(w + 1) + (i ? ":" : "-")).join("|")}|`,
);
for (const r of rows) console.log(line(r));
for (const n of notes) console.log(n);
