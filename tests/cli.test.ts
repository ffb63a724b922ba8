// The CLI as a user runs it: a subprocess, real files.
import { assert, assertEquals } from "./util/assert.ts";
import { CSV_COLUMNS } from "../ml/csv.ts";

async function cli(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("../cli.ts", import.meta.url).pathname, ...args],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("train on synthetic data prints one line per epoch and writes the CSV", async () => {
  const dir = await Deno.makeTempDir();
  const csv = `${dir}/r.csv`;
  const r = await cli(
    [
      "--loss",
      "focal",
      "--gamma",
      "0.5",
      "--epochs",
      "2",
      "--data",
      "synthetic",
      "--train-limit",
      "1024",
      "--test-limit",
      "256",
      "--backend",
      "cpu",
      "--batch-size",
      "32",
      "--lr",
      "0.05",
      "--out",
      csv,
    ],
    { LOSSBENCH_CACHE: `${dir}/cache` },
  );
  assertEquals(r.code, 0, r.stderr);
  assertEquals(
    r.stdout.trim().split("\n").filter((l) => l.startsWith("epoch")).length,
    2,
    r.stdout,
  );
  const lines = (await Deno.readTextFile(csv)).trim().split("\n");
  assertEquals(lines[0], CSV_COLUMNS.join(","));
  assertEquals(lines.length, 3);
  const row = lines[2].split(",").map(Number);
  assertEquals(row[0], 2);
  assert(row.every(Number.isFinite), lines[2]);
  assert(row[4] > 0.2 && row[4] <= 1, `test_acc ${row[4]}`);
});

Deno.test("bad arguments exit 2 with a message naming the option", async () => {
  for (
    const [args, msg] of [
      [["--epochs", "2"], "--loss is required"],
      [["--loss", "hinge"], "loss"],
      [["--loss", "ce", "--epochs", "0"], "epochs"],
      [["--loss", "ce", "--lr", "abc"], "--lr"],
      [["--loss", "ce", "--bogus", "1"], "bogus"],
    ] as const
  ) {
    const r = await cli([...args]);
    assertEquals(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert(r.stderr.includes(msg), `${args.join(" ")}: ${r.stderr}`);
  }
});

Deno.test("a missing data path fails with a clear error", async () => {
  const r = await cli([
    "--loss",
    "ce",
    "--epochs",
    "1",
    "--data",
    "/nonexistent/set.tar.gz",
    "--backend",
    "cpu",
  ]);
  assertEquals(r.code, 1);
  assert(r.stderr.includes("/nonexistent/set.tar.gz"), r.stderr);
});

Deno.test("--backend webgpu without an adapter fails with a clear error", async () => {
  // DENO_WEBGPU_BACKEND=metal asks wgpu for a backend Linux lacks: no adapter.
  const r = await cli(
    ["--loss", "ce", "--epochs", "1", "--data", "synthetic", "--backend", "webgpu"],
    { DENO_WEBGPU_BACKEND: Deno.build.os === "darwin" ? "dx12" : "metal" },
  );
  assertEquals(r.code, 1, r.stderr);
  assert(r.stderr.includes("no WebGPU adapter found"), r.stderr);
});
