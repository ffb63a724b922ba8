// The SSE fan-out: a slow subscriber gets the latest progress only, every
// durable event in order, and is closed (to replay from KV) rather than
// holding an unbounded buffer. Plus the Last-Event-ID parser.
import { parseLastEventId } from "../routes/events.ts";
import { EventBus } from "../service/event_bus.ts";
import type { ProgressEvent, ServiceEvent } from "../service/types.ts";
import { assert, assertEquals } from "./util/assert.ts";

const progress = (seq: number, runId: string, batch: number): ProgressEvent => ({
  seq,
  type: "progress",
  runId,
  data: { runId, epoch: 1, batch, batches: 100, loss: 1, imgPerSec: 1, etaSeconds: 1 },
});
// The bus never looks inside an event's data.
const epoch = (seq: number, runId: string): ServiceEvent => ({
  seq,
  type: "epoch",
  runId,
  data: { runId } as Extract<ServiceEvent, { type: "epoch" }>["data"],
});

async function drain(sub: ReturnType<EventBus["subscribe"]>) {
  const out = [];
  while (sub.buffered > 0) out.push(await sub.next());
  return out;
}

Deno.test("a slow subscriber keeps the newest progress per run and every durable event, in order", async () => {
  const bus = new EventBus();
  const sub = bus.subscribe();
  for (let b = 1; b <= 1000; b++) bus.publish(progress(0, "a", b));
  bus.publish(epoch(1, "a"));
  bus.publish(progress(1, "b", 1));
  bus.publish(progress(1, "a", 1001));
  bus.publish(epoch(2, "a"));
  const got = await drain(sub);
  assertEquals(
    got.map((e) => e && e.type !== "heartbeat" ? [e.type, e.runId, e.seq] : e?.type),
    // Run a's older progress was dropped for its newest, which queues after epoch 1.
    [["epoch", "a", 1], ["progress", "b", 1], ["progress", "a", 1], ["epoch", "a", 2]],
  );
  assertEquals((got[2] as ProgressEvent).data.batch, 1001);
  sub.close();
  assertEquals(bus.size, 0);
});

Deno.test("a subscriber too far behind on durable events is closed, not buffered without bound", async () => {
  const bus = new EventBus();
  let closedWith = "";
  const slow = bus.subscribe({ maxDurable: 10, onClose: (r) => (closedWith = r) });
  const fast = bus.subscribe({ maxDurable: 10 });
  const seen: number[] = [];
  for (let i = 1; i <= 50; i++) {
    bus.publish(epoch(i, "a"));
    const e = await fast.next();
    if (e && e.type === "epoch") seen.push(e.seq);
  }
  assert(slow.closed && slow.reason === "overflow", "slow subscriber closed");
  assertEquals(closedWith, "overflow");
  assertEquals(await slow.next(), null);
  assertEquals(seen.length, 50, "the reading subscriber got every event");
  assertEquals(bus.size, 1);
});

Deno.test("a waiting subscriber gets events as they come; filters apply", async () => {
  const bus = new EventBus();
  const sub = bus.subscribe({ filter: (e) => e.runId === "b" });
  const next = sub.next();
  bus.publish(epoch(1, "a"));
  bus.publish(epoch(2, "b"));
  assertEquals((await next)?.type, "epoch");
  assertEquals(sub.buffered, 0);
  const pending = sub.next();
  bus.closeAll();
  assertEquals(await pending, null);
});

Deno.test("Last-Event-ID: digits are a sequence number, anything else counts as absent", () => {
  assertEquals(parseLastEventId("42"), 42);
  assertEquals(parseLastEventId(" 7 "), 7);
  assertEquals(parseLastEventId("0"), 0);
  for (const bad of [undefined, null, "", "abc", "-1", "1.5", "1e3", "99999999999999999999"]) {
    assertEquals(parseLastEventId(bad), undefined, String(bad));
  }
});
