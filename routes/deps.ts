// What the routers need from the service: handed in by main.ts (and tests).
import type { Datasets } from "../service/datasets.ts";
import type { EventBus } from "../service/event_bus.ts";
import type { Scheduler } from "../service/scheduler.ts";
import type { StorageHealth } from "../service/storage_health.ts";
import type { Store } from "../service/store.ts";
import type { HostAllowList } from "./hosts.ts";

export interface HealthInfo {
  status: "ok" | "degraded" | "stopping";
  backend: string;
  adapter: string;
  workers: { busy: number; ready: number; total: number };
  /** Why the status is not "ok". */
  reason?: string;
  /** The HTTP front's counts (service/front.ts); absent in app.request tests. */
  connections?: {
    open: number;
    max: number;
    accepted: number;
    refused: number;
    acceptErrors: number;
    timedOut: number;
  };
}

export interface Deps {
  store: Store;
  scheduler: Scheduler;
  bus: EventBus;
  datasets: Datasets;
  /** The pool's backend (what `auto` resolves to here). */
  backend: string;
  health(): HealthInfo;
  /**
   * When set, every route but a bare GET /api/health and the sign-in page needs
   * `Authorization: Bearer <token>` or the sign-in cookie (see auth.ts).
   */
  token?: string;
  /** Host-header allow-list (see hosts.ts); none: any Host is answered. */
  hosts?: HostAllowList;
  /** Learns of storage failures (507s) and reports them in /api/health. */
  storage?: StorageHealth;
  /** Reads of whole experiments served per second, beyond a burst of as many (default 10). */
  experimentReadsPerSecond?: number;
  /** Interval of SSE heartbeat comments (default 15 s). */
  heartbeatMs?: number;
  /** Largest request body accepted (default 64 KiB). */
  maxBodyBytes?: number;
  /** Most SSE clients at once (default 1000). */
  maxSubscribers?: number;
  /**
   * Hold every response to the OpenAPI contract (contract/check.ts); default:
   * LOSSBENCH_CONTRACT_CHECK=1. For tests.
   */
  contractCheck?: boolean;
  /** Most SSE streams one client (remote address) may hold (default max(4, 10% of the above)). */
  maxSubscribersPerClient?: number;
}
