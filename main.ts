// `deno task serve`: reads the config from the environment, opens KV, starts
// the worker pool, recovers runs a previous process left behind, and serves
// the API and the dashboard until SIGINT/SIGTERM.
import { dirname } from "node:path";
import { createApp } from "./routes/app.ts";
import type { HealthInfo } from "./routes/deps.ts";
import { readConfig, type ServiceConfig } from "./service/config.ts";
import { Datasets } from "./service/datasets.ts";
import { EventBus } from "./service/event_bus.ts";
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
  const remoteKv = /^https?:\/\//.test(cfg.kvPath); // KV Connect: nothing to create here
  if (!remoteKv) await Deno.mkdir(dirname(cfg.kvPath), { recursive: true });
  await Deno.mkdir(cfg.cacheDir, { recursive: true });

  const bus = new EventBus();
  // The store publishes every event it (or any process sharing the KV) commits.
  const store = await Store.open(cfg.kvPath, { bus, maxQueue: cfg.maxQueue, pollMs: cfg.pollMs });
  const datasets = new Datasets(cfg.datasets, cfg.cacheDir);
  // LOSSBENCH_WORKERS=0: API and dashboard only; `deno task worker` processes train.
  const pool = cfg.workers === 0 ? null : new WorkerPool(cfg.backend);
  const scheduler = new Scheduler(store, pool, datasets, bus, {
    leaseMs: cfg.leaseMs,
    pollMs: cfg.pollMs,
  });

  let info = { backend: cfg.backend as string, adapter: "none (API only)" };
  try {
    if (pool) {
      info = await pool.start((i) =>
        cfg.workers ?? (i.backend === "webgpu" ? 1 : navigator.hardwareConcurrency || 1)
      );
    }
  } catch (e) {
    // E.g. LOSSBENCH_BACKEND=webgpu on a machine without an adapter.
    console.error(`error: the training workers could not start: ${(e as Error).message}`);
    pool?.stop();
    Deno.exit(1);
  }
  const recovered = await scheduler.recover();
  let stopping = false;

  // Without a pool, the workers are other processes: counted from their KV heartbeats.
  const sum = (f: (w: (typeof scheduler.workers)[number]) => number) =>
    scheduler.workers.reduce((n, w) => n + f(w), 0);
  const workers = () =>
    pool
      ? { busy: pool.busy, ready: pool.readyCount, total: pool.size }
      : { busy: sum((w) => w.runs.length), ready: sum((w) => w.slots), total: sum((w) => w.slots) };
  const health = (): HealthInfo => ({
    status: stopping ? "stopping" : workers().ready > 0 ? "ok" : "degraded",
    backend: info.backend,
    adapter: info.adapter,
    workers: workers(),
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
      console.log(`lossbench listening on http://${host}:${port}/`);
      console.log(`backend: ${info.backend} (adapter: ${info.adapter})`);
      console.log(`workers: ${pool ? pool.size : "0 (API only; see deno task worker)"}`);
      console.log(`kv: ${cfg.kvPath}`);
      if (cfg.token) console.log("auth: bearer token required for POST and DELETE");
      if (recovered.resumed.length || recovered.interrupted.length) {
        console.log(
          `recovered: ${recovered.resumed.length} run(s) resuming from a checkpoint, ` +
            `${recovered.interrupted.length} marked interrupted`,
        );
      }
    },
  }, app.fetch);
  scheduler.start();

  // Stop taking work, end event streams, stop workers (their runs stay
  // `running` in KV, their leases given up: they resume from their checkpoints
  // on another worker process, or at the next start).
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    bus.closeAll();
    const timer = setTimeout(() => Deno.exit(0), SHUTDOWN_GRACE_MS);
    await scheduler.shutdown(); // stops the pool, hands its runs' leases back
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
