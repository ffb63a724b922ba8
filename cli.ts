// `deno task train`: one run from the command line. Prints one line per epoch
// on stdout and rewrites the CSV after every epoch, so a run stopped midway
// keeps what it finished; progress and the end-of-run summary go to stderr.
// The options come from the run schema (ml/cli/options.ts), as does every check.
import { initBackend } from "./ml/backend.ts";
import { countParams, renderHelp, USAGE } from "./ml/cli/help.ts";
import { parseArgs, UsageError } from "./ml/cli/options.ts";
import { epochStatus, LoadProgress, StatusLine } from "./ml/cli/progress.ts";
import { renderSummary } from "./ml/cli/summary.ts";
import { checkCondition, classCounts } from "./ml/conditions/mod.ts";
import { describeIssues, trainConfigSchema } from "./ml/config.ts";
import { toCsv } from "./ml/csv.ts";
import { parseJpegDecoder } from "./ml/data/jpeg.ts";
import { parseLabelFile } from "./ml/data/label_sets.ts";
import { loadDataset, takeSubset } from "./ml/data/mod.ts";
import { LOSS_NAMES, lossLabel } from "./ml/losses/registry.ts";
import { getModel } from "./ml/models/registry.ts";
import { trainingOptionsText } from "./ml/schedule.ts";
import { train } from "./ml/trainer.ts";
import { loneRunThreads } from "./ml/kernels/wasm/threads.ts";
import type { ConditionRecord, EpochMetrics, TrainConfig } from "./ml/types.ts";

/** Validates the command line: the run's config, or a UsageError in the API's words. */
export function configFromArgs(
  args: string[],
): { config: TrainConfig; out?: string; labels?: string } | "help" {
  const { fields, out, labels, help } = parseArgs(args);
  if (help) return "help";
  if (fields.loss === undefined) {
    throw new UsageError(`--loss: required (one of: ${LOSS_NAMES.join(", ")})`);
  }
  const r = trainConfigSchema.safeParse(fields);
  if (!r.success) throw new UsageError(describeIssues(r.error));
  return { config: r.data, out, labels };
}

function cacheDir(): string {
  return Deno.env.get("LOSSBENCH_CACHE") ?? ".lossbench/cache";
}

const pct = (x: number) => (100 * x).toFixed(2).padStart(6) + "%";

/** The stdout line of one epoch (its format is stable: scripts and tests read it). */
export function epochLine(m: EpochMetrics): string {
  return `epoch ${String(m.epoch).padStart(3)}  train loss ${m.trainLoss.toFixed(4)} acc ${
    pct(m.trainAcc)
  }` +
    `  test loss ${(m.testLoss ?? NaN).toFixed(4)} acc ${pct(m.testAcc ?? NaN)} f1 ${
      (m.f1 ?? NaN).toFixed(4)
    }` +
    `  lr ${m.lr.toPrecision(3)}  ${m.epochSeconds.toFixed(1)}s  ${
      m.trainImgPerSec.toFixed(0)
    } img/s`;
}

async function main(status: StatusLine): Promise<number> {
  const t0 = performance.now();
  let parsed;
  try {
    parsed = configFromArgs(Deno.args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`error: ${e.message}\n${USAGE} (--help lists the options)`);
    return 2;
  }
  if (parsed === "help") {
    console.log(renderHelp());
    return 0;
  }
  const { config, out, labels } = parsed;
  const info = await initBackend(config.backend);
  // A lone run: on the cpu its kernels split over every core (LOSSBENCH_RUN_THREADS caps them).
  const threads = info.backend === "cpu" ? loneRunThreads() : 1;
  status.line(
    `backend ${info.backend} (${info.adapter})${threads > 1 ? `, ${threads} kernel threads` : ""}`,
  );

  const tLoad = performance.now();
  const load = new LoadProgress(status, config.data);
  let data;
  try {
    data = await loadDataset(config.data, {
      cacheDir: cacheDir(),
      onProgress: load.message,
      // Only to check runs recorded with the former decoder (see ml/data/jpeg.ts).
      jpegDecoder: parseJpegDecoder(
        Deno.env.get("LOSSBENCH_JPEG_DECODER"),
        "LOSSBENCH_JPEG_DECODER",
      ),
    });
  } finally {
    load.done();
  }
  if (labels !== undefined) {
    try {
      data.train.labelSets = parseLabelFile(await Deno.readTextFile(labels), data);
    } catch (e) {
      console.error(`error: --labels ${labels}: ${(e as Error).message}`);
      return 2;
    }
  }
  data.train = takeSubset(data.train, config.trainLimit, config.seed);
  data.test = takeSubset(data.test, config.testLimit, config.seed);
  const dataSeconds = (performance.now() - tLoad) / 1000;
  status.line(
    `data ${data.name}: ${data.train.count} train, ${data.test.count} test, ` +
      `${data.height}×${data.width}×${data.channels}, ${data.classes.length} classes`,
  );
  // A condition that cannot apply to this data set is a usage error, as it is a 400 for the API.
  const problem = checkCondition(
    config.condition,
    classCounts(data.train.labels, data.classes.length),
    data.classes,
    config.valFraction,
    Object.keys(data.train.labelSets ?? {}),
  );
  if (problem) {
    console.error(`error: ${problem}`);
    return 2;
  }
  const spec = {
    height: data.height,
    width: data.width,
    channels: data.channels,
    classes: data.classes.length,
  };
  let params: number | null = null;
  try {
    params = countParams(getModel(config.model), spec);
  } catch (e) {
    console.error(`error: model: ${(e as Error).message}`);
    return 2;
  }
  const label = lossLabel(config.loss, config.params);
  const options = trainingOptionsText(config);
  status.line(
    `loss ${label}, model ${config.model} (${params.toLocaleString("en-US")} parameters), ` +
      `${config.epochs} epochs, batch ${config.batchSize}, lr ${config.lr}` +
      (options ? `, ${options}` : ""),
  );

  const done: EpochMetrics[] = [];
  let record: ConditionRecord | null = null;
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  Deno.addSignalListener("SIGINT", onSigint);
  const summary = (interrupted = false) =>
    renderSummary({
      config,
      lossLabel: label,
      epochs: done,
      record,
      classes: data.classes,
      params,
      seconds: (performance.now() - t0) / 1000,
      dataSeconds,
      interrupted,
    });
  try {
    await train(config, data, {
      signal: abort.signal,
      onPrepared: (r) => {
        record = r;
      },
      onProgress: (p) =>
        status.set(epochStatus(p, {
          epochs: config.epochs,
          trainCount: record ? record.trainCounts.reduce((a, b) => a + b, 0) : data.train.count,
          batchSize: config.batchSize,
          epochSeconds: done.map((m) => m.epochSeconds),
        })),
      onEpoch: async (m) => {
        done.push(m);
        status.clear();
        console.log(epochLine(m));
        if (out) {
          const tmp = `${out}.tmp`;
          await Deno.writeTextFile(tmp, toCsv(done));
          await Deno.rename(tmp, out);
        }
      },
    });
  } catch (e) {
    status.clear();
    if ((e as Error).name === "AbortError") {
      console.error(summary(true));
      console.error(`interrupted after ${done.length} epoch(s)${out ? `; ${out} holds them` : ""}`);
      return 130;
    }
    throw e;
  } finally {
    Deno.removeSignalListener("SIGINT", onSigint);
  }
  console.error(summary());
  if (out) console.error(`wrote ${out}`);
  return 0;
}

if (import.meta.main) {
  const status = new StatusLine();
  let code: number;
  try {
    code = await main(status);
  } catch (e) {
    status.clear();
    console.error(`error: ${(e as Error).message}`);
    code = 1;
  }
  Deno.exit(code);
}
