// `deno task train`: the report's study from the command line. Prints one line
// per epoch and rewrites the CSV after every epoch, so a run stopped midway
// keeps what it finished.
import { parseArgs } from "node:util";
import { initBackend } from "./ml/backend.ts";
import { parseTrainConfig } from "./ml/config.ts";
import { toCsv } from "./ml/csv.ts";
import { loadDataset, takeSubset } from "./ml/data/mod.ts";
import { lossLabel } from "./ml/losses/registry.ts";
import { train } from "./ml/trainer.ts";
import type { EpochMetrics } from "./ml/types.ts";

const USAGE = `usage: deno task train --loss ce|l1|focal [--gamma 2] [--epochs N]
  [--batch-size B] [--lr X] [--momentum X] [--step-size N] [--step-gamma X]
  [--seed N] [--data cifar10|synthetic|PATH|URL] [--train-limit N] [--test-limit N]
  [--backend auto|cpu|webgpu] [--out results.csv]`;

const NUMERIC: Record<string, string> = {
  gamma: "gamma",
  epochs: "epochs",
  "batch-size": "batchSize",
  lr: "lr",
  momentum: "momentum",
  "step-size": "stepSize",
  "step-gamma": "stepGamma",
  seed: "seed",
  "train-limit": "trainLimit",
  "test-limit": "testLimit",
};

function parseCli(args: string[]) {
  const options: Record<string, { type: "string" | "boolean" }> = {
    loss: { type: "string" },
    data: { type: "string" },
    backend: { type: "string" },
    model: { type: "string" },
    out: { type: "string" },
    help: { type: "boolean" },
  };
  for (const k of Object.keys(NUMERIC)) options[k] = { type: "string" };
  const { values } = parseArgs({ args, options, strict: true, allowPositionals: false });
  if (values.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  const raw: Record<string, unknown> = {};
  for (const k of ["loss", "data", "backend", "model"]) {
    if (values[k] !== undefined) raw[k] = values[k];
  }
  for (const [flag, key] of Object.entries(NUMERIC)) {
    const v = values[flag];
    if (v === undefined) continue;
    const n = Number(v);
    if (v === "" || !Number.isFinite(n)) throw new Error(`--${flag}: not a number: ${v}`);
    raw[key] = n;
  }
  if (raw.loss === undefined) throw new Error("--loss is required (ce, l1 or focal)");
  return { config: parseTrainConfig(raw), out: values.out as string | undefined };
}

function cacheDir(): string {
  return Deno.env.get("LOSSBENCH_CACHE") ?? ".lossbench/cache";
}

const pct = (x: number) => (100 * x).toFixed(2).padStart(6) + "%";

async function main() {
  let parsed;
  try {
    parsed = parseCli(Deno.args);
  } catch (e) {
    console.error(`error: ${(e as Error).message}\n${USAGE}`);
    Deno.exit(2);
  }
  const { config, out } = parsed;
  const info = await initBackend(config.backend);
  console.error(`backend ${info.backend} (${info.adapter})`);
  const data = await loadDataset(config.data, {
    cacheDir: cacheDir(),
    onProgress: (msg) => console.error(msg),
  });
  data.train = takeSubset(data.train, config.trainLimit, config.seed);
  data.test = takeSubset(data.test, config.testLimit, config.seed);
  console.error(
    `data ${data.name}: ${data.train.count} train, ${data.test.count} test, ` +
      `${data.height}×${data.width}×${data.channels}, ${data.classes.length} classes`,
  );
  const lossName = lossLabel(config.loss, config.params);
  console.error(
    `loss ${lossName}, ${config.epochs} epochs, batch ${config.batchSize}, lr ${config.lr}`,
  );

  const done: EpochMetrics[] = [];
  const abort = new AbortController();
  Deno.addSignalListener("SIGINT", () => abort.abort());
  try {
    await train(config, data, {
      signal: abort.signal,
      onProgress: (p) => {
        if (Deno.stderr.isTerminal()) {
          const line =
            `  epoch ${p.epoch} batch ${p.batch}/${p.batches} loss ${p.loss.toFixed(4)} ` +
            `${p.imgPerSec.toFixed(0)} img/s`;
          Deno.stderr.writeSync(new TextEncoder().encode(`\r${line}\x1b[K`));
        }
      },
      onEpoch: async (m) => {
        done.push(m);
        if (Deno.stderr.isTerminal()) Deno.stderr.writeSync(new TextEncoder().encode("\r\x1b[K"));
        console.log(
          `epoch ${String(m.epoch).padStart(3)}  train loss ${m.trainLoss.toFixed(4)} acc ${
            pct(m.trainAcc)
          }` +
            `  test loss ${m.testLoss.toFixed(4)} acc ${pct(m.testAcc)} f1 ${m.f1.toFixed(4)}` +
            `  lr ${m.lr.toPrecision(3)}  ${m.epochSeconds.toFixed(1)}s  ${
              m.trainImgPerSec.toFixed(0)
            } img/s`,
        );
        if (out) {
          const tmp = `${out}.tmp`;
          await Deno.writeTextFile(tmp, toCsv(done));
          await Deno.rename(tmp, out);
        }
      },
    });
  } catch (e) {
    if ((e as Error).name === "AbortError") {
      console.error(`interrupted after ${done.length} epoch(s)${out ? `; ${out} holds them` : ""}`);
      Deno.exit(130);
    }
    throw e;
  }
  if (out) console.error(`wrote ${out}`);
}

if (import.meta.main) {
  try {
    await main();
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
