// `deno task worker`: a training-only process. It opens the shared KV
// (LOSSBENCH_KV: a file several processes share, or a KV Connect URL with
// DENO_KV_ACCESS_TOKEN), starts LOSSBENCH_WORKERS Web Workers, and trains
// queued runs whose data set it can resolve (LOSSBENCH_DATASETS) alongside any
// number of other worker processes and `deno task serve` processes, until
// SIGINT/SIGTERM. It serves no HTTP: any API process shows its runs.
import { dirname } from "node:path";
import { readConfig, type ServiceConfig } from "./service/config.ts";
import { Datasets } from "./service/datasets.ts";
import { servicePool } from "./service/pool.ts";
import { Scheduler } from "./service/scheduler.ts";
import { exitOnSignal } from "./service/shutdown.ts";
import { Store } from "./service/store.ts";

async function main() {
  let cfg: ServiceConfig;
  try {
    cfg = readConfig();
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    Deno.exit(2);
  }
  if (cfg.workers === 0) {
    console.error("error: LOSSBENCH_WORKERS=0: a worker process needs at least one worker");
    Deno.exit(2);
  }
  if (!/^https?:\/\//.test(cfg.kvPath)) await Deno.mkdir(dirname(cfg.kvPath), { recursive: true });
  await Deno.mkdir(cfg.cacheDir, { recursive: true });

  const store = await Store.open(cfg.kvPath, { maxQueue: cfg.maxQueue, pollMs: 0 });
  const datasets = new Datasets(cfg.datasets, cfg.cacheDir, undefined, cfg.jpegDecoder, {
    decoders: cfg.datasetDecoders,
    labelFiles: cfg.labelFiles,
  });
  const pool = servicePool(cfg.backend, cfg.runThreads);
  const scheduler = new Scheduler(store, pool, datasets, {
    leaseMs: cfg.leaseMs,
    pollMs: cfg.pollMs,
  });
  let info;
  try {
    info = await pool.start((i) =>
      cfg.workers ?? (i.backend === "webgpu" ? 1 : navigator.hardwareConcurrency || 1)
    );
  } catch (e) {
    console.error(`error: the training workers could not start: ${(e as Error).message}`);
    pool.stop();
    Deno.exit(1);
  }
  const recovered = await scheduler.recover();
  scheduler.start();
  console.log(`lossbench worker ${scheduler.workerId} training from ${cfg.kvPath}`);
  console.log(`backend: ${info.backend} (adapter: ${info.adapter})`);
  console.log(`workers: ${pool.size}; data sets: ${datasets.names().join(", ")}`);
  if (recovered.resumed.length || recovered.interrupted.length) {
    console.log(
      `recovered: ${recovered.resumed.length} run(s) resuming from a checkpoint, ` +
        `${recovered.interrupted.length} marked interrupted`,
    );
  }

  exitOnSignal(async (signal) => {
    console.log(`${signal}: shutting down`);
    await scheduler.shutdown(); // its runs go to other workers at once
    await store.close();
  });
}

if (import.meta.main) await main();
