// What the routers need from the service: handed in by main.ts (and tests).
import type { Datasets } from "../service/datasets.ts";
import type { EventBus } from "../service/event_bus.ts";
import type { Scheduler } from "../service/scheduler.ts";
import type { Store } from "../service/store.ts";

export interface HealthInfo {
  status: "ok" | "degraded" | "stopping";
  backend: string;
  adapter: string;
  workers: { busy: number; ready: number; total: number };
}

export interface Deps {
  store: Store;
  scheduler: Scheduler;
  bus: EventBus;
  datasets: Datasets;
  /** The pool's backend (what `auto` resolves to here). */
  backend: string;
  health(): HealthInfo;
  /** When set, every mutating route needs `Authorization: Bearer <token>`. */
  token?: string;
  /** Interval of SSE heartbeat comments (default 15 s). */
  heartbeatMs?: number;
  /** Largest request body accepted (default 64 KiB). */
  maxBodyBytes?: number;
  /** Most SSE clients at once (default 1000). */
  maxSubscribers?: number;
}
