// 50 SSE clients at once while a run trains, one of which never reads: every
// reading client gets every status and epoch event once, training finishes,
// and the server lets go of each client when it disconnects.
import { assert, assertEquals } from "./util/assert.ts";
import { startServer } from "./util/server.ts";
import { collect, openSse, type SseEvent, type SseStream } from "./util/sse.ts";

const CLIENTS = 50;

async function health(base: string) {
  return await (await fetch(`${base}api/health`)).json();
}

Deno.test("50 SSE clients, one never reading, while a run trains", async () => {
  const srv = await startServer();
  const base = srv.url;
  const streams: SseStream[] = [];
  try {
    for (let i = 0; i < CLIENTS; i++) {
      streams.push(await openSse(`${base}api/events`));
    }
    assertEquals((await health(base)).subscribers, CLIENTS);
    const [stuck, ...readers] = streams; // `stuck` never reads a byte after the headers

    const t0 = performance.now();
    const res = await fetch(`${base}api/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        loss: "ce",
        epochs: 3,
        data: "synthetic",
        trainLimit: 256,
        testLimit: 64,
        batchSize: 32,
      }),
    });
    const run = await res.json();
    const final = (e: SseEvent) =>
      e.event === "status" && JSON.parse(e.data).id === run.id &&
      JSON.parse(e.data).status === "done";
    const all = await Promise.all(readers.map((s) => collect(s, final, 90_000)));
    const seconds = (performance.now() - t0) / 1000;

    for (const events of all) {
      const mine = events.filter((e) =>
        e.event !== ":" && JSON.parse(e.data).runId === run.id ||
        e.event === "status" && JSON.parse(e.data).id === run.id
      );
      const durable = mine.filter((e) => e.event !== "progress");
      assertEquals(
        durable.map((e) =>
          e.event === "epoch" ? JSON.parse(e.data).epoch : JSON.parse(e.data).status
        ),
        ["queued", "running", 1, 2, 3, "done"],
      );
      const ids = durable.map((e) => Number(e.id));
      assert(ids.every((id, i) => i === 0 || id > ids[i - 1]), `ids: ${ids}`);
    }
    const h = await health(base);
    assertEquals(h.status, "ok");
    console.log(`run of 3 epochs with ${CLIENTS} SSE clients (one stuck): ${seconds.toFixed(1)} s`);

    // Disconnected clients are let go.
    for (const s of streams) await s.close();
    let subs = CLIENTS;
    for (let i = 0; i < 50 && subs > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      subs = (await health(base)).subscribers;
    }
    assertEquals(subs, 0, "subscribers after every client left");
    assert(stuck.response.ok);
  } finally {
    for (const s of streams) await s.close();
    await srv.stop();
  }
});
