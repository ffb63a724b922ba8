// The CLI as a user runs it: a subprocess, real files.
import { z } from "zod";
import { kebab } from "../ml/cli/options.ts";
import { runFieldsSchema } from "../ml/config.ts";
import { CSV_COLUMNS } from "../ml/csv.ts";
import { synthetic, takeSubset } from "../ml/data/mod.ts";
import { LOSSES } from "../ml/losses/registry.ts";
import { MODELS } from "../ml/models/registry.ts";
import { assert, assertEquals } from "./util/assert.ts";
import { startServer } from "./util/server.ts";

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

/** The brief's small run: about a second on the cpu backend. */
const SMALL = [
  "--data",
  "synthetic",
  "--train-limit",
  "200",
  "--test-limit",
  "50",
  "--epochs",
  "1",
  "--backend",
  "cpu",
];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A summary row's value: "  label noise      sym noise 40%: …" → "sym noise 40%: …". */
function summaryRow(stderr: string, label: string): string {
  const line = stderr.split("\n").find((l) => l.startsWith(`  ${label}  `));
  assert(line !== undefined, `no "${label}" row in:\n${stderr}`);
  return line.slice(label.length + 2).trim();
}

Deno.test("--help and -h list every schema field with its default, every loss and model", async () => {
  const help = await cli(["--help"]);
  assertEquals(help.code, 0, help.stderr);
  const short = await cli(["-h"]);
  assertEquals(short.stdout, help.stdout);
  const text = help.stdout;
  const lines = text.split("\n");
  /** The option's help entry: its line and any wrapped continuation lines. */
  const entry = (flag: string) => {
    const i = lines.findIndex((l) => l.startsWith(`  --${flag} `));
    assert(i >= 0, `--${flag} missing from the help:\n${text}`);
    let j = i + 1;
    while (j < lines.length && /^ {10,}\S/.test(lines[j])) j++;
    return lines.slice(i, j).join(" ").replace(/\s+/g, " ");
  };
  const js = z.toJSONSchema(runFieldsSchema, { io: "input" }) as {
    properties: Record<string, { default?: unknown; properties?: Record<string, unknown> }>;
  };
  const flagOf: Record<string, string> = { params: "param", labelNoise: "noise" };
  for (const [key, s] of Object.entries(js.properties)) {
    if (key === "condition") {
      for (const sub of Object.keys(s.properties!)) entry(flagOf[sub] ?? kebab(sub));
      continue;
    }
    const e = entry(flagOf[key] ?? kebab(key));
    if (s.default !== undefined) {
      assert(e.includes(`default ${s.default}`), `${key}: default ${s.default} not in "${e}"`);
    }
  }
  assert(entry("epochs").includes("integer in [1, 500]"), entry("epochs"));
  assert(entry("noise").includes("symmetric|asymmetric") && entry("noise").includes("[0, 1)"));
  assert(text.includes("-h, --help"));
  for (const loss of LOSSES) {
    assert(new RegExp(`^  ${loss.name} +${escape(loss.title)}:`, "m").test(text), loss.name);
    for (const [p, d] of Object.entries(loss.params.parse({}) as Record<string, number>)) {
      assert(text.includes(`${p}: number`) && text.includes(`default ${d}`), `${loss.name}.${p}`);
    }
  }
  for (const m of MODELS) {
    const re = new RegExp(`^  ${m.name} +${escape(m.title)}:[^]*?\\([\\d,]+\\s+parameters\\)`, "m");
    assert(re.test(text), `${m.name} with its parameter count`);
  }
});

Deno.test("an unknown option gets a suggestion; usage errors exit 2 in one style", async () => {
  const cases: [string[], string][] = [
    [["--loss", "ce", "--epoch", "3"], "error: unknown option --epoch; did you mean --epochs?"],
    [
      ["--loss", "ce", "--batchSize", "3"],
      "error: unknown option --batchSize; did you mean --batch-size?",
    ],
    [["--loss", "ce", "--bogus", "1"], "error: unknown option --bogus"],
    [["--epochs", "2"], "error: --loss: required (one of: ce, l1, focal"],
    [["--loss", "ce", "--lr", "abc"], 'error: --lr: not a number: "abc"'],
    [["--loss", "ce", "--epochs"], "error: --epochs: needs a value"],
    [["--loss", "ce", "--seed", "1", "--seed", "2"], "error: --seed: given twice"],
    [["--loss", "gce", "--param", "q"], 'error: --param: expected NAME=VALUE, got "q"'],
    [["--loss", "gce", "--param", "q=abc"], 'error: --param q: not a number: "abc"'],
    [["--loss", "ce", "--noise", "0.4"], "error: --noise: expected KIND:VALUE"],
    [["--loss", "ce", "stray"], 'error: "stray": unexpected argument'],
  ];
  for (const [args, msg] of cases) {
    const r = await cli(args);
    assertEquals(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert(r.stderr.startsWith(msg), `${args.join(" ")}: ${r.stderr}`);
    if (msg === "error: unknown option --bogus") assert(!r.stderr.includes("did you mean"));
    assertEquals(r.stdout, "");
  }
});

Deno.test("schema errors are the API's 400 messages, word for word", async () => {
  const cases: [Record<string, unknown>, string[]][] = [
    [{ loss: "gce", params: { q: 1.5 } }, ["--loss", "gce", "--param", "q=1.5"]],
    [{ loss: "ce", params: { q: 0.5 } }, ["--loss", "ce", "--param", "q=0.5"]],
    [{ loss: "focal", gamma: 1, params: { gamma: 2 } }, [
      "--loss",
      "focal",
      "--gamma",
      "1",
      "--param",
      "gamma=2",
    ]],
    [{ loss: "hinge" }, ["--loss", "hinge"]],
    [{ loss: "ce", epochs: 0 }, ["--loss", "ce", "--epochs", "0"]],
    [{ loss: "ce", valFraction: 0.7 }, ["--loss", "ce", "--val-fraction", "0.7"]],
    [{ loss: "ce", model: "resnet" }, ["--loss", "ce", "--model", "resnet"]],
    [
      { loss: "ce", condition: { labelNoise: { kind: "symmetric", rate: 1.2 } } },
      ["--loss", "ce", "--noise", "symmetric:1.2"],
    ],
    [
      { loss: "ce", condition: { imbalance: { profile: "log", ratio: 0.5 } } },
      ["--loss", "ce", "--imbalance", "log:0.5"],
    ],
  ];
  const srv = await startServer();
  try {
    for (const [body, args] of cases) {
      const res = await fetch(`${srv.url}api/runs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ data: "synthetic", ...body }),
      });
      const api = await res.json();
      assertEquals(res.status, 400, JSON.stringify(api));
      const r = await cli([...args, "--data", "synthetic"]);
      assertEquals(r.code, 2, r.stderr);
      assertEquals(r.stderr.split("\n")[0], `error: ${api.error}`, args.join(" "));
    }
  } finally {
    await srv.stop();
  }
});

Deno.test("--param reaches the loss; piped output has plain lines and a summary", async () => {
  const r = await cli(["--loss", "gce", "--param", "q=0.3", ...SMALL]);
  assertEquals(r.code, 0, r.stderr);
  const all = r.stdout + r.stderr;
  assert(!all.includes("\x1b") && !all.includes("\r"), "escape codes or carriage returns, piped");
  assert(r.stderr.includes("loss gce q=0.3,"), r.stderr);
  const epochs = r.stdout.trim().split("\n");
  assertEquals(epochs.length, 1, r.stdout);
  assert(
    /^epoch {3}1 {2}train loss \d+\.\d{4} acc +\d+\.\d\d% {2}test loss \d+\.\d{4} acc +\d+\.\d\d% f1 \d\.\d{4} {2}lr 0\.0100 {2}\d+\.\ds {2}\d+ img\/s$/
      .test(epochs[0]),
    epochs[0],
  );
  const testAcc = Number(/test loss \S+ acc +([\d.]+)%/.exec(epochs[0])![1]);
  assert(
    /^summary: gce q=0\.3 on synthetic, model convnet \([\d,]+ parameters\); 1 of 1 epochs/m
      .test(r.stderr),
    r.stderr,
  );
  // No validation split: no best epoch at all (it is never chosen on the test set).
  assert(!/best epoch|by test accuracy/.test(r.stderr), r.stderr);
  const final = summaryRow(r.stderr, "final (epoch 1)");
  assert(final.includes(`${testAcc.toFixed(2)}%`), final);
  for (const k of ["test acc", "F1", "loss", "ECE", "balanced acc"]) {
    assert(final.includes(k), final);
  }
  assert(!r.stderr.includes("label noise"), "no condition rows without a condition");
});

Deno.test("--noise reaches the run: exactly round(rate·n) labels flipped", async () => {
  const sym = await cli(["--loss", "ce", "--noise", "symmetric:0.4", ...SMALL]);
  assertEquals(sym.code, 0, sym.stderr);
  assertEquals(
    summaryRow(sym.stderr, "label noise"),
    `sym noise 40%: ${Math.round(0.4 * 200)} of 200 train labels flipped`,
  );
  assert(/train acc on clean labels [\d.]+%, on flipped labels [\d.]+%/.test(sym.stderr));

  // Asymmetric on a non-CIFAR set: class i → i+1 mod K, round(rate·n_c) in each class.
  const counts = new Array(10).fill(0);
  for (const y of takeSubset(synthetic().train, 200, 1).labels) counts[y]++;
  const asym = await cli(["--loss", "ce", "--noise", "asymmetric:0.3", ...SMALL]);
  assertEquals(asym.code, 0, asym.stderr);
  const flipped = counts.reduce((n, c) => n + Math.round(0.3 * c), 0);
  assertEquals(
    summaryRow(asym.stderr, "label noise"),
    `asym noise 30%: ${flipped} of 200 train labels flipped`,
  );
  const pairs = summaryRow(asym.stderr, "flips").replace(/, \+\d+ more$/, "").split(", ");
  for (const p of pairs) {
    const [, a, b, n] = /^class(\d+)→class(\d+) (\d+)$/.exec(p)!;
    assertEquals(Number(b), (Number(a) + 1) % 10, p);
    assertEquals(Number(n), Math.round(0.3 * counts[Number(a)]), p);
  }
});

Deno.test("--imbalance reaches the run: the step profile's counts; --val-fraction holds out", async () => {
  const counts = new Array(10).fill(0);
  for (const y of takeSubset(synthetic().train, 200, 1).labels) counts[y]++;
  const nMax = Math.max(...counts);
  const want = counts.map((c, i) => Math.min(c, i < 5 ? nMax : Math.floor(nMax / 4)));
  const r = await cli(["--loss", "ce", "--imbalance", "step:4", "--val-fraction", "0.1", ...SMALL]);
  assertEquals(r.code, 0, r.stderr);
  const total = want.reduce((a, b) => a + b, 0);
  assertEquals(
    summaryRow(r.stderr, "imbalance"),
    `LT step ρ=4: ${want.join(" ")} per class (${total} kept)`,
  );
  const held = Number(
    /^(\d+) images held out \(0\.1\)$/.exec(summaryRow(r.stderr, "validation"))![1],
  );
  const trained = summaryRow(r.stderr, "train counts").split(" (")[0].split(" ").map(Number);
  assertEquals(trained.reduce((a, b) => a + b, 0) + held, total);
  assert(held > 0 && held <= Math.ceil(0.1 * total) + 10, `held ${held}`);
  assert(/best on val +\d+ by validation accuracy/.test(r.stderr), r.stderr);

  // A ratio that empties a class is a usage error, named as the API names it.
  const bad = await cli(["--loss", "ce", "--imbalance", "exp:1000000", ...SMALL]);
  assertEquals(bad.code, 2, bad.stderr);
  assert(bad.stderr.includes("error: condition.imbalance.ratio: leaves classes"), bad.stderr);
});

Deno.test({
  name: "on a terminal, the epoch gets a progress bar with an ETA, redrawn in place",
  // script(1) gives the CLI a pseudo-terminal; without it there is nothing to test against.
  ignore: !(() => {
    try {
      return Deno.statSync("/usr/bin/script").isFile;
    } catch {
      return false;
    }
  })(),
  fn: async () => {
    const cmd = [Deno.execPath(), "run", "-A", new URL("../cli.ts", import.meta.url).pathname]
      .concat(["--loss", "ce", ...SMALL.slice(0, 2), ...SMALL.slice(4), "--batch-size", "16"])
      .concat(["--train-limit", "2000"])
      .join(" ");
    const out = await new Deno.Command("script", {
      args: ["-qec", cmd, "/dev/null"],
      env: { TERM: "xterm" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    assertEquals(out.code, 0, text);
    assert(
      /\repoch 1\/1 [█░]{20} \d+\/125 {2}loss \d\.\d{4} {2}\d+ img\/s {2}ETA /.test(text),
      text,
    );
    assert(text.includes("\x1b[K"), "the status line is cleared");
    assert(/\nsummary: ce on synthetic/.test(text.replace(/\r/g, "")), text);
  },
});
