// `deno task serve`: reads the config from the environment, opens KV, starts
// the worker pool, recovers runs a previous process left behind, and serves
// the API and the dashboard until SIGINT/SIGTERM.
import { dirname } from "node:path";
import { createApp } from "./routes/app.ts";
import type { HealthInfo } from "./routes/deps.ts";
import { readConfig, type ServiceConfig } from "./service/config.ts";
import { Datasets } from "./service/datasets.ts";
import { EventBus } from "./service/event_bus.ts";
import { createLogger, runLog } from "./service/log.ts";
import { WorkerPool } from "./service/pool.ts";
import { Scheduler } from "./service/scheduler.ts";
import { Store } from "./service/store.ts";

/** How long shutdown waits for open connections before exiting anyway. */
const SHUTDOWN_GRACE_MS = 3_000;

async function main() {
  let cfg: ServiceConfig;
  try {
    cfg = readConfig();
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    Deno.exit(2);
  }
  await Deno.mkdir(dirname(cfg.kvPath), { recursive: true });
  await Deno.mkdir(cfg.cacheDir, { recursive: true });

  const log = createLogger(cfg.logFormat);
  const logRun = runLog(log);
  const bus = new EventBus();
  const store = await Store.open(cfg.kvPath, {
    onEvent: (e) => {
      bus.publish(e);
      logRun(e);
    },
    maxQueue: cfg.maxQueue,
  });
  const datasets = new Datasets(cfg.datasets, cfg.cacheDir, (m) => log.info(m));
  const pool = new WorkerPool(cfg.backend);
  const scheduler = new Scheduler(store, pool, datasets, bus, { log: (m) => log.info(m) });
  pool.hooks = scheduler.poolHooks;

  let info;
  try {
    info = await pool.start((i) =>
      cfg.workers ?? (i.backend === "webgpu" ? 1 : navigator.hardwareConcurrency || 1)
    );
  } catch (e) {
    // E.g. LOSSBENCH_BACKEND=webgpu on a machine without an adapter.
    console.error(`error: the training workers could not start: ${(e as Error).message}`);
    pool.stop();
    Deno.exit(1);
  }
  const recovered = await scheduler.recover();
  let stopping = false;

  const health = (): HealthInfo => ({
    status: stopping ? "stopping" : pool.readyCount > 0 ? "ok" : "degraded",
    backend: info.backend,
    adapter: info.adapter,
    workers: { busy: pool.busy, ready: pool.readyCount, total: pool.size },
  });
  const app = createApp({
    store,
    scheduler,
    bus,
    datasets,
    backend: info.backend,
    health,
    token: cfg.token,
    heartbeatMs: cfg.heartbeatMs,
  });

  const server = Deno.serve({
    port: cfg.port,
    hostname: cfg.host,
    onListen: ({ hostname, port }) => {
      const host = hostname.includes(":") ? `[${hostname}]` : hostname;
      const url = `http://${host}:${port}/`;
      log.info(`lossbench listening on ${url}`, { url });
      log.info(`backend: ${info.backend} (adapter: ${info.adapter})`, { ...info });
      log.info(`workers: ${pool.size}`, { workers: pool.size });
      log.info(`kv: ${cfg.kvPath}`, { kv: cfg.kvPath });
      const registered = [...cfg.datasets.keys()];
      log.info(
        `datasets: cifar10, synthetic${registered.length ? `, ${registered.join(", ")}` : ""}` +
          (registered.length ? "" : " (register more with LOSSBENCH_DATASETS=name=path)"),
        { datasets: datasets.names() },
      );
      if (cfg.token) console.log("auth: bearer token required for POST and DELETE");
      if (recovered.resumed.length || recovered.interrupted.length) {
        log.info(
          `recovered: ${recovered.resumed.length} run(s) resuming from a checkpoint, ` +
            `${recovered.interrupted.length} marked interrupted`,
        );
      }
    },
  }, app.fetch);
  scheduler.kick();

  // Stop taking work, end event streams, stop workers (their runs stay
  // `running` in KV and resume from their checkpoints at the next start).
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: shutting down`);
    scheduler.stop();
    bus.closeAll();
    pool.stop();
    const timer = setTimeout(() => Deno.exit(0), SHUTDOWN_GRACE_MS);
    await server.shutdown();
    await store.close();
    clearTimeout(timer);
    Deno.exit(0);
  };
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(sig, () => void shutdown(sig));
  }
}

if (import.meta.main) await main();
