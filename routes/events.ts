// Server-sent events: GET /api/events (every run) and /api/runs/:id/events.
//
// Each event has an `id:`. Durable events (`status`, `epoch`) use their KV
// sequence number; `progress` events repeat the id of the latest durable event
// sent before them. A client reconnecting with `Last-Event-ID: N` first gets
// the durable events after N from KV, then the live stream, with no gaps and
// no duplicates. Without Last-Event-ID, /api/events starts live and a run's
// stream replays that run's whole history first; a malformed Last-Event-ID is
// treated as absent. A run's stream ends after the run's final status.
//
// The stream is pull-based: an event is encoded only when the client has taken
// the previous one, so a client that stops reading holds no more than its
// subscriber's bounded buffer (see service/event_bus.ts), never training.
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { z } from "zod";
import type { Item } from "../service/event_bus.ts";
import { type DurableEvent, isTerminal, type ServiceEvent } from "../service/types.ts";
import { err, idParam, route, router } from "./contract/route.ts";
import { sseEventSchema } from "./contract/schemas.ts";
import type { Deps } from "./deps.ts";
import { apiError } from "./errors.ts";
import { findRun } from "./runs.ts";

const HEARTBEAT_MS = 15_000;
const RECONNECT_MS = 2_000;
/** Durable events one client may have unsent before it is dropped (it then replays). */
const MAX_BUFFERED_DURABLE = 256;
const REPLAY_PAGE = 500;

/** `Last-Event-ID` as a sequence number, or undefined when absent or malformed. */
export function parseLastEventId(v: string | undefined | null): number | undefined {
  if (v === undefined || v === null || !/^\d{1,15}$/.test(v.trim())) return undefined;
  return Number(v.trim());
}

const enc = new TextEncoder();

export function encodeEvent(e: ServiceEvent, id: number): string {
  const type = e.type === "deleted" ? "status" : e.type;
  return `id: ${id}\nevent: ${type}\ndata: ${JSON.stringify(e.data)}\n\n`;
}

function isDurable(e: Item): e is DurableEvent {
  return e.type === "status" || e.type === "epoch";
}

/** A run's stream ends once its final status is out. */
function ends(e: Item, runId?: string): boolean {
  return runId !== undefined &&
    (e.type === "deleted" || (e.type === "status" && isTerminal(e.data.status)));
}

/** Streams one client may hold: a bounded share, so one client cannot take every slot. */
export function perClientLimit(deps: Deps): number {
  const max = deps.maxSubscribers ?? 1000;
  return deps.maxSubscribersPerClient ?? Math.max(4, Math.floor(max / 10));
}

/**
 * Who holds a stream, for the per-client share: the remote address. (With a
 * token, every signed-in client holds the same one, so the token would make
 * them all one client; the address keeps them apart.)
 */
export function clientKey(c: Context): string {
  const addr = (c.env as { remoteAddr?: { hostname?: string } } | undefined)?.remoteAddr;
  return addr?.hostname ?? "unknown";
}

const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  "x-accel-buffering": "no",
};

interface SseOptions {
  runId?: string;
  since?: number;
  client: string;
  /** Settles when the response has been delivered or its connection is gone (Deno.serve's `completed`). */
  completed?: Promise<void>;
}

/** A stream's context from the request: who holds it and when its connection ends. */
function streamOf(c: Context): Pick<SseOptions, "client" | "completed"> {
  const env = c.env as { completed?: Promise<void> } | undefined;
  return { client: clientKey(c), completed: env?.completed };
}

/**
 * A HEAD gets the stream's headers and no stream: Hono answers HEAD with the GET handler
 * and drops the body unread, so a subscription opened for it would never be closed.
 */
function sseHead(deps: Deps, client: string): Response {
  admit(deps, client);
  return new Response(null, { headers: SSE_HEADERS });
}

function admit(deps: Deps, client: string): void {
  const share = perClientLimit(deps);
  if (deps.bus.countFor(client) >= share) {
    throw apiError(
      429,
      `too many event streams from this client (at most ${share}); close some and retry`,
    );
  }
  if (deps.bus.size >= (deps.maxSubscribers ?? 1000)) {
    throw apiError(503, "too many event streams open; try again later");
  }
}

function sse(deps: Deps, opts: SseOptions): Response {
  const { runId, since, client } = opts;
  admit(deps, client);
  // Subscribe before reading the replay, so nothing falls between the two.
  const sub = deps.bus.subscribe({
    filter: runId ? (e) => e.runId === runId : undefined,
    maxDurable: MAX_BUFFERED_DURABLE,
    onClose: () => clearInterval(heartbeat),
    client,
  });
  let lastSent = since ?? deps.store.lastSeq;
  // Replayed from KV a page at a time, until a page comes back short.
  let replay: DurableEvent[] = [];
  let replaying = since !== undefined;
  let done = false;
  let heartbeat: ReturnType<typeof setInterval> | undefined;

  const cleanup = () => {
    clearInterval(heartbeat);
    sub.close();
  };
  // The slot is freed when the connection goes, even if the body is never read or cancelled.
  opts.completed?.then(cleanup, cleanup);

  const body = new ReadableStream<Uint8Array>({
    start(ctrl) {
      ctrl.enqueue(enc.encode(`retry: ${RECONNECT_MS}\n: lossbench events\n\n`));
      heartbeat = setInterval(
        () => sub.push({ type: "heartbeat" }),
        deps.heartbeatMs ?? HEARTBEAT_MS,
      );
    },
    async pull(ctrl) {
      if (done) return;
      if (replaying && replay.length === 0) {
        replay = await deps.store.listEvents(lastSent, runId, REPLAY_PAGE);
        replaying = replay.length === REPLAY_PAGE;
      }
      let item: Item | null | undefined = replay.shift();
      while (item === undefined) {
        const next = await sub.next();
        if (next === null) {
          // Closed: by the client, at shutdown, or too slow (then it reconnects and replays).
          done = true;
          cleanup();
          ctrl.close();
          return;
        }
        // Already sent from the replay.
        if (isDurable(next) && next.seq <= lastSent) continue;
        item = next;
      }
      if (item.type === "heartbeat") {
        ctrl.enqueue(enc.encode(": heartbeat\n\n"));
        return;
      }
      lastSent = Math.max(lastSent, item.seq);
      ctrl.enqueue(enc.encode(encodeEvent(item, lastSent)));
      if (ends(item, runId)) {
        done = true;
        cleanup();
        ctrl.close();
      }
    },
    cancel() {
      cleanup();
    },
  }, { highWaterMark: 1 });

  return new Response(body, { headers: SSE_HEADERS });
}

const lastEventId = z.object({
  "last-event-id": z.string().optional().describe(
    "The last event id received: the stream first replays the stored (status, epoch) events " +
      "after it, then goes live, with no gaps and no duplicates. A malformed one counts as absent.",
  ),
});

const stream = (description: string) => ({
  description: `${description} Heartbeat comments every 15 s; \`retry: 2000\` first.`,
  content: { "text/event-stream": { schema: sseEventSchema } },
});

const busy = {
  429: err("This client holds its share of event streams"),
  503: err("Too many event streams open"),
};

export function eventRoutes(deps: Deps): OpenAPIHono {
  const r = router();

  r.openapi(
    route({
      method: "get",
      path: "/events",
      tags: ["events"],
      summary: "Every run's events",
      description: "Without Last-Event-ID the stream starts live. Each item is one event: " +
        '`status` (a run changed status, or was deleted: `status: "deleted"`), `epoch` ' +
        "(a run finished an epoch) or `progress` (batch progress, not stored).",
      request: { headers: lastEventId },
      responses: { 200: stream("Events of every run, until the client closes it."), ...busy },
    }),
    (c) =>
      c.req.raw.method === "HEAD" ? sseHead(deps, clientKey(c)) : sse(deps, {
        since: parseLastEventId(c.req.header("last-event-id")),
        ...streamOf(c),
      }),
  );

  r.openapi(
    route({
      method: "get",
      path: "/runs/{id}/events",
      tags: ["events"],
      summary: "One run's events",
      description: "Without Last-Event-ID the run's whole history is replayed first. The " +
        "stream ends after the run's final status (or its deletion).",
      request: { ...idParam("run"), headers: lastEventId },
      responses: {
        200: stream("The run's events."),
        404: err("No run with this id"),
        ...busy,
      },
    }),
    async (c) => {
      const run = await findRun(deps, c);
      if (c.req.raw.method === "HEAD") return sseHead(deps, clientKey(c));
      const since = parseLastEventId(c.req.header("last-event-id")) ?? 0;
      return sse(deps, { runId: run.id, since, ...streamOf(c) });
    },
  );

  return r;
}
