// Kernel threads in the service: the cores no run holds go to the runs (allotThreads), a lone
// cpu run trains on them (its progress says how many), and a second run takes its core back as
// soon as it is claimed, handing it back when it ends.
import { allotThreads } from "../service/threads_allot.ts";
import { api } from "./util/api.ts";
import { assertEquals } from "./util/assert.ts";
import { startServer } from "./util/server.ts";

Deno.test("allotThreads: every run a core, the rest shared out from the first run, capped", () => {
  assertEquals(allotThreads(0, 4, 4), []);
  assertEquals(allotThreads(1, 2, 2), [2]);
  assertEquals(allotThreads(2, 2, 2), [1, 1]);
  assertEquals(allotThreads(2, 5, 8), [3, 2]);
  assertEquals(allotThreads(3, 2, 2), [1, 1, 1], "more runs than cores: one thread each");
  assertEquals(allotThreads(1, 16, 4), [4], "the cap");
  assertEquals(allotThreads(1, 16, 1), [1], "LOSSBENCH_RUN_THREADS=1");
});

Deno.test({
  name: "a lone run trains on both cores; a second run takes one back, and gives it back",
  // One core: every run has one thread, and there is nothing to share out.
  ignore: navigator.hardwareConcurrency < 2,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const server = await startServer({
      env: { LOSSBENCH_WORKERS: "2", LOSSBENCH_BACKEND: "cpu", LOSSBENCH_RUN_THREADS: "2" },
    });
    const post = (path: string, body?: unknown) => api(server.url, "POST", path, body);
    const get = async (id: string) => (await api(server.url, "GET", `api/runs/${id}`)).json;
    /** Waits until run `id` reports `n` threads in its progress. */
    const threadsOf = async (id: string, n: number) => {
      const end = Date.now() + 60_000;
      let last;
      while (Date.now() < end) {
        last = await get(id);
        if (last.progress?.threads === n) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`run ${id} never reported ${n} threads: ${JSON.stringify(last)}`);
    };
    const long = { loss: "ce", data: "synthetic", epochs: 200, trainLimit: 512, testLimit: 64 };
    try {
      const a = (await post("api/runs", { ...long, seed: 1 })).json;
      await threadsOf(a.id, 2);
      const b = (await post("api/runs", { ...long, seed: 2 })).json;
      await threadsOf(b.id, 1);
      await threadsOf(a.id, 1);
      assertEquals((await post(`api/runs/${b.id}/cancel`)).status, 200);
      await threadsOf(a.id, 2);
      assertEquals((await post(`api/runs/${a.id}/cancel`)).status, 200);
      assertEquals((await get(a.id)).status, "cancelled");
    } finally {
      await server.stop();
    }
  },
});
