// SSE replay from KV in-process (no server): a Last-Event-ID far behind gets
// every missed durable event, page after page, then the live ones, in order,
// with no gaps or duplicates, even when live events arrive during the replay.
import { eventRoutes } from "../routes/events.ts";
import type { Deps } from "../routes/deps.ts";
import { EventBus } from "../service/event_bus.ts";
import { Store } from "../service/store.ts";
import type { Run } from "../service/types.ts";
import type { TrainConfig } from "../ml/types.ts";
import { assertEquals } from "./util/assert.ts";
import { queuedRun } from "./util/runs.ts";

const run = (): Run => queuedRun({ loss: "ce", epochs: 1 } as TrainConfig);

Deno.test("Last-Event-ID far behind replays every page from KV, then goes live", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lossbench-replay-" });
  const bus = new EventBus();
  const store = await Store.open(`${dir}/kv`, { onEvent: (e) => bus.publish(e), maxQueue: 10_000 });
  try {
    for (let i = 0; i < 12; i++) await store.createRuns(Array.from({ length: 100 }, run));
    const app = eventRoutes({ store, bus } as unknown as Deps);
    const res = await app.request("/events", { headers: { "last-event-id": "150" } });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    const ids: number[] = [];
    let buf = "";
    let live = false;
    while (ids.length < 1200 - 150 + 100) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
      for (const m of buf.matchAll(/^id: (\d+)$/gm)) ids.push(Number(m[1]));
      buf = buf.slice(buf.lastIndexOf("\n\n") + 2);
      if (!live && ids.length > 200) {
        live = true; // 100 more events while the replay is still going
        await store.createRuns(Array.from({ length: 100 }, run));
      }
    }
    await reader.cancel();
    assertEquals(ids, Array.from({ length: 1150 }, (_, i) => 151 + i));
    assertEquals(bus.size, 0);
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});
