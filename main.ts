// `deno task serve`: reads the config from the environment, opens KV, starts
// the worker pool, recovers runs a previous process left behind, and serves
// the API and the dashboard until SIGINT/SIGTERM.
import { dirname } from "node:path";
import { sweepStaleTempsOnce } from "./ml/data/cache.ts";
import { createApp } from "./routes/app.ts";
import type { HealthInfo } from "./routes/deps.ts";
import { HostAllowList, parseAllowedHosts } from "./routes/hosts.ts";
import { ConnectionClose } from "./routes/limits.ts";
import { readConfig, type ServiceConfig } from "./service/config.ts";
import { defaultLimits, Front } from "./service/front.ts";
import { readNoFileLimit } from "./service/nofile.ts";
import { Datasets } from "./service/datasets.ts";
import { EventBus } from "./service/event_bus.ts";
import { createLogger, runLog } from "./service/log.ts";
import { servicePool } from "./service/pool.ts";
import { Scheduler } from "./service/scheduler.ts";
import { exitOnSignal } from "./service/shutdown.ts";
import { StorageHealth } from "./service/storage_health.ts";
import { Store } from "./service/store.ts";
import { untilHook } from "./service/until.ts";
import { tuningHook } from "./service/tuning.ts";

/** Settings read here rather than in service/config.ts: the HTTP edge's. */
interface EdgeConfig {
  allowedHosts: string[];
  maxSubscribers?: number;
  maxSubscribersPerClient?: number;
  experimentReadsPerSecond?: number;
  maxConnections?: number;
  maxConnectionsPerAddress?: number;
  headerTimeoutMs: number;
  idleTimeoutMs: number;
}

function readEdgeConfig(env = Deno.env.toObject()): EdgeConfig {
  const int = (name: string, min: number, max: number) => {
    const v = env[name]?.trim();
    if (!v) return undefined;
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
      throw new Error(`${name} must be an integer in ${min}..${max}, got "${v}"`);
    }
    return Number(v);
  };
  return {
    allowedHosts: parseAllowedHosts(env.LOSSBENCH_ALLOWED_HOSTS),
    maxSubscribers: int("LOSSBENCH_SSE_MAX", 1, 100_000),
    maxSubscribersPerClient: int("LOSSBENCH_SSE_PER_CLIENT", 1, 100_000),
    experimentReadsPerSecond: int("LOSSBENCH_EXPERIMENT_READS", 1, 100_000),
    maxConnections: int("LOSSBENCH_MAX_CONNECTIONS", 1, 1_000_000),
    maxConnectionsPerAddress: int("LOSSBENCH_MAX_CONNECTIONS_PER_ADDRESS", 1, 1_000_000),
    // nginx's client_header_timeout and a keep-alive of the same length.
    headerTimeoutMs: int("LOSSBENCH_HEADER_TIMEOUT_MS", 100, 3_600_000) ?? 60_000,
    idleTimeoutMs: int("LOSSBENCH_IDLE_TIMEOUT_MS", 100, 3_600_000) ?? 60_000,
  };
}

async function main() {
  let cfg: ServiceConfig;
  let edge: EdgeConfig;
  try {
    cfg = readConfig();
    edge = readEdgeConfig();
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    Deno.exit(2);
  }
  // The front's caps follow the open-file limit (Deno has already raised soft to hard).
  const noFile = readNoFileLimit();
  const remoteKv = /^https?:\/\//.test(cfg.kvPath); // KV Connect: nothing to create here
  if (!remoteKv) await Deno.mkdir(dirname(cfg.kvPath), { recursive: true });
  await Deno.mkdir(cfg.cacheDir, { recursive: true });
  // Temp files a killed decode or download left behind (the loaders also do this on first use).
  await sweepStaleTempsOnce(cfg.cacheDir, console.log);

  const log = createLogger(cfg.logFormat);
  const bus = new EventBus();
  const logEvent = runLog(log);
  const until = untilHook((m) => log.info(m)); // seeds added until decided (service/until.ts)
  const tuning = tuningHook((m) => log.info(m)); // rung decisions and selection (service/tuning.ts)
  // The store publishes every event it (or any process sharing the KV) commits;
  // the log tells each run's lifecycle from the same events.
  const store = await Store.open(cfg.kvPath, {
    bus,
    onEvent: (e) => {
      logEvent(e);
      until.onEvent(e);
      tuning.onEvent(e);
    },
    maxQueue: cfg.maxQueue,
    pollMs: cfg.pollMs,
  });
  const datasets = new Datasets(cfg.datasets, cfg.cacheDir, (m) => log.info(m), cfg.jpegDecoder, {
    decoders: cfg.datasetDecoders,
    labelFiles: cfg.labelFiles,
  });
  // LOSSBENCH_WORKERS=0: API and dashboard only; `deno task worker` processes train.
  const pool = cfg.workers === 0 ? null : servicePool(cfg.backend, cfg.runThreads);
  // Routes and the scheduler's background writes report to one tracker (/api/health).
  const storage = new StorageHealth();
  const scheduler = new Scheduler(store, pool, datasets, {
    leaseMs: cfg.leaseMs,
    pollMs: cfg.pollMs,
    log: (m) => log.info(m),
    storage,
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
  until.start(store, scheduler);
  tuning.start(store, scheduler);
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
    ...(!stopping && workers().ready === 0 ? { reason: "no training worker is ready" } : {}),
    backend: info.backend,
    adapter: info.adapter,
    workers: workers(),
    ...(front ? { connections: { ...front.stats, max: limits.maxConnections } } : {}),
  });
  const caps = defaultLimits(noFile.soft);
  const limits = {
    maxConnections: edge.maxConnections ?? caps.maxConnections,
    maxPerAddress: edge.maxConnectionsPerAddress ??
      Math.min(caps.maxPerAddress, edge.maxConnections ?? Infinity),
    headerTimeoutMs: edge.headerTimeoutMs,
    // An event stream is silent between heartbeats: it must outlast two of them.
    idleTimeoutMs: Math.max(edge.idleTimeoutMs, 2 * cfg.heartbeatMs + 1000),
  };
  let front: Front | undefined;
  const hosts = new HostAllowList(cfg.host, edge.allowedHosts);
  const app = createApp({
    store,
    scheduler,
    bus,
    datasets,
    backend: info.backend,
    health,
    token: cfg.token,
    heartbeatMs: cfg.heartbeatMs,
    hosts,
    storage,
    maxSubscribers: edge.maxSubscribers,
    maxSubscribersPerClient: edge.maxSubscribersPerClient,
    experimentReadsPerSecond: edge.experimentReadsPerSecond,
  });

  const onListen = ({ hostname, port }: Deno.NetAddr) => {
    hosts.port = port;
    const host = hostname.includes(":") ? `[${hostname}]` : hostname;
    const url = `http://${host}:${port}/`;
    log.info(`lossbench listening on ${url}`, { url });
    log.info(`backend: ${info.backend} (adapter: ${info.adapter})`, { ...info });
    log.info(`workers: ${pool ? pool.size : "0 (API only; see deno task worker)"}`, {
      workers: pool?.size ?? 0,
    });
    log.info(`kv: ${cfg.kvPath}`, { kv: cfg.kvPath });
    const registered = [...cfg.datasets.keys()];
    log.info(
      `datasets: cifar10, synthetic${registered.length ? `, ${registered.join(", ")}` : ""}` +
        (registered.length ? "" : " (register more with LOSSBENCH_DATASETS=name=path)"),
      { datasets: datasets.names() },
    );
    log.info(`hosts: ${hosts.describe()}`);
    if (cfg.token) {
      log.info("auth: token required for every route but /api/health (sign in at /login)");
    }
    if (recovered.resumed.length || recovered.interrupted.length) {
      log.info(
        `recovered: ${recovered.resumed.length} run(s) resuming from a checkpoint, ` +
          `${recovered.interrupted.length} marked interrupted`,
      );
    }
    log.info(
      `connections: at most ${limits.maxConnections}, ${limits.maxPerAddress} per address; ` +
        `open-file limit ${noFile.soft ?? "unknown"}; header timeout ` +
        `${limits.headerTimeoutMs} ms, idle ${limits.idleTimeoutMs} ms`,
      { ...limits, noFile: noFile.soft ?? null },
    );
    if (noFile.soft !== undefined && noFile.soft < 4096) {
      log.error(
        `warning: the open-file limit is ${noFile.soft}; connections are capped for it. ` +
          "Raise the hard limit (`ulimit -Hn 65536`, or LimitNOFILE=65536 under systemd) " +
          "to serve more clients.",
      );
    } else if (noFile.soft === undefined && edge.maxConnections === undefined) {
      log.info(
        `the open-file limit is unknown (${noFile.problem}): connections are capped as for ` +
          "1024; set LOSSBENCH_MAX_CONNECTIONS to size them yourself",
      );
    }
  };
  let server: Front;
  try {
    server = front = new Front({
      hostname: cfg.host,
      port: cfg.port,
      ...limits,
      handler: (req, info) => app.fetch(req, info),
      // A refused body's response ends with ConnectionClose on purpose (routes/limits.ts).
      onError: (e) => {
        if (!(e instanceof ConnectionClose)) console.error("server error:", e);
        return new Response(JSON.stringify({ error: "internal error" }), {
          status: 500,
          headers: { "content-type": "application/json; charset=utf-8" },
        });
      },
      log: (m) => log.error(m),
    });
  } catch (e) {
    console.error(`error: could not listen on ${cfg.host}:${cfg.port}: ${(e as Error).message}`);
    await scheduler.shutdown();
    Deno.exit(1);
  }
  onListen(server.addr);
  scheduler.start();

  // Stop taking work, end event streams, stop workers (their runs stay
  // `running` in KV, their leases given up: they resume from their checkpoints
  // on another worker process, or at the next start).
  exitOnSignal(async (signal) => {
    stopping = true;
    log.info(`${signal}: shutting down`);
    bus.closeAll();
    await scheduler.shutdown(); // stops the pool, hands its runs' leases back
    await server.shutdown();
    await store.close();
  });
}

if (import.meta.main) await main();
