// The HTTP API against the real server process over loopback: a run followed
// over SSE to the end, its CSV, validation, ids and states, cancel, delete,
// experiments, Last-Event-ID replay, heartbeats.
import { CSV_COLUMNS, csvRow } from "../ml/csv.ts";
import type { EpochMetrics } from "../ml/types.ts";
import type { Run } from "../service/types.ts";
import { assert, assertEquals } from "./util/assert.ts";
import { startServer } from "./util/server.ts";
import { collect, openSse, type SseEvent } from "./util/sse.ts";

/** Small enough to train in about a second on the cpu backend. */
const TINY = { data: "synthetic", trainLimit: 64, testLimit: 32, batchSize: 32 };

type RunWithEpochs = Run & { epochs: EpochMetrics[] };

async function api(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(base + path.replace(/^\//, ""), {
    method,
    headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return { status: res.status, json, text, headers: res.headers };
}

const isFinal = (e: SseEvent) =>
  e.event === "status" &&
  ["done", "failed", "cancelled", "interrupted"].includes(JSON.parse(e.data).status);

Deno.test("service API", async (t) => {
  const srv = await startServer({ env: { LOSSBENCH_SSE_HEARTBEAT_MS: "300" } });
  const base = srv.url;
  try {
    await t.step("prints URL, backend, workers and KV path first", async () => {
      await srv.waitForLine(/^kv: /);
      const lines = srv.output().split("\n").filter((l) => !l.startsWith("Task"));
      assert(/^lossbench listening on http:\/\/127\.0\.0\.1:\d+\/$/.test(lines[0]), lines[0]);
      assertEquals(lines.slice(1, 4), [
        "backend: cpu (adapter: cpu)",
        "workers: 1",
        `kv: ${srv.kvPath}`,
      ]);
    });

    await t.step("health", async () => {
      const r = await api(base, "GET", "/api/health");
      assertEquals(r.status, 200);
      assertEquals(r.json.status, "ok");
      assertEquals(r.json.backend, "cpu");
      assertEquals(r.json.workers, { busy: 0, ready: 1, total: 1 });
      assertEquals(r.json.queue.length, 0);
      // Which data sets load offline: synthetic always, cifar10 not on a fresh cache.
      const ready = Object.fromEntries(
        r.json.datasetInfo.map((d: { name: string; ready: boolean }) => [d.name, d.ready]),
      );
      assertEquals(ready, {
        cifar10: false,
        synthetic: true,
        "synthetic:easy": true,
        "synthetic:hard": true,
      });
    });

    let runId = "";
    await t.step("a run on synthetic data, followed over SSE to the end", async () => {
      const r = await api(base, "POST", "/api/runs", {
        loss: "focal",
        gamma: 2,
        epochs: 2,
        ...TINY,
      });
      assertEquals(r.status, 201, r.text);
      const run = r.json as Run;
      runId = run.id;
      assertEquals(r.headers.get("location"), `/api/runs/${run.id}`);
      assertEquals(run.status, "queued");
      assertEquals(run.config.loss, "focal");
      assertEquals(run.config.lr, 0.01); // defaults filled in
      assertEquals(run.epochsDone, 0);

      const s = await openSse(`${base}api/runs/${run.id}/events`);
      const events = await collect(s, isFinal);
      await s.close();
      const durable = events.filter((e) => e.event === "status" || e.event === "epoch");
      assertEquals(
        durable.map((e) =>
          e.event === "status" ? JSON.parse(e.data).status : `epoch ${JSON.parse(e.data).epoch}`
        ),
        ["queued", "running", "epoch 1", "epoch 2", "done"],
      );
      const ids = durable.map((e) => Number(e.id));
      assert(ids.every((id, i) => i === 0 || id > ids[i - 1]), `ids increase: ${ids}`);
      const progress = events.filter((e) => e.event === "progress").map((e) => JSON.parse(e.data));
      assert(progress.length >= 1, "progress events");
      for (const p of progress) {
        assertEquals(p.runId, run.id);
        for (const k of ["epoch", "batch", "batches", "loss", "imgPerSec", "etaSeconds"]) {
          assert(typeof p[k] === "number", `progress.${k}`);
        }
      }

      const full = (await api(base, "GET", `/api/runs/${run.id}`)).json as RunWithEpochs;
      assertEquals(full.status, "done");
      assertEquals(full.epochsDone, 2);
      assertEquals(full.epochs.map((e) => e.epoch), [1, 2]);
      assertEquals(full.last, full.epochs[1]);
      assertEquals(full.backend, "cpu");
      assertEquals(full.classes, Array.from({ length: 10 }, (_, i) => `class${i}`));
      assert(full.startedAt && full.finishedAt, "timestamps");
      // No validation split: no best epoch (it is never chosen on the test set).
      assertEquals(full.best, undefined);
      // The SSE epoch events are the recorded epochs.
      const sseEpochs = durable.filter((e) => e.event === "epoch").map((e) => JSON.parse(e.data));
      assertEquals(sseEpochs, full.epochs.map((e) => ({ runId: run.id, ...e })));

      const csv = await api(base, "GET", `/api/runs/${run.id}/results.csv`);
      assertEquals(csv.status, 200);
      assert(csv.headers.get("content-type")!.startsWith("text/csv"));
      assertEquals(csv.text, [CSV_COLUMNS.join(","), ...full.epochs.map(csvRow)].join("\n") + "\n");
      assertEquals(csv.text.trim().split("\n").length, 3);

      const list = (await api(base, "GET", "/api/runs")).json;
      assertEquals(list.runs[0].id, run.id);
    });

    await t.step(
      "Last-Event-ID replays only what came after it; a malformed one counts as none",
      async () => {
        const all = await collect(await openSse(`${base}api/runs/${runId}/events`), isFinal);
        const durable = all.filter((e) => e.event === "status" || e.event === "epoch");
        const firstEpoch = durable.find((e) => e.event === "epoch")!;
        const after = await collect(
          await openSse(`${base}api/runs/${runId}/events`, { "last-event-id": firstEpoch.id! }),
          isFinal,
        );
        assertEquals(
          after.filter((e) => e.event !== ":").map((e) => e.id),
          durable.slice(durable.indexOf(firstEpoch) + 1).map((e) => e.id),
        );
        // A run's stream without a usable Last-Event-ID replays the whole history.
        const bad = await collect(
          await openSse(`${base}api/runs/${runId}/events`, { "last-event-id": "not-a-number" }),
          isFinal,
        );
        assertEquals(
          bad.filter((e) => e.event !== "progress" && e.event !== ":").map((e) => e.id),
          durable.map((e) => e.id),
        );
        // The global stream replays from KV after a valid id ...
        const g = await openSse(`${base}api/events`, { "last-event-id": firstEpoch.id! });
        const replayed = await collect(g, isFinal);
        await g.close();
        assertEquals(
          replayed.filter((e) => e.event !== ":").map((e) => e.id),
          durable.slice(durable.indexOf(firstEpoch) + 1).map((e) => e.id),
        );
      },
    );

    await t.step(
      "heartbeats keep a quiet stream alive; a malformed id on /api/events means live only",
      async () => {
        const s = await openSse(`${base}api/events`, { "last-event-id": "x" });
        const got = await collect(s, (e) => e.event === ":" && e.data === "heartbeat", 10_000);
        await s.close();
        assertEquals(got.filter((e) => e.event !== ":").length, 0, "no replay");
        assert(got.some((e) => e.data === "heartbeat"), "heartbeat comment");
      },
    );

    await t.step("bad bodies are refused, naming the field", async () => {
      const cases: [unknown, number, string][] = [
        [{ epochs: 2 }, 400, "loss"],
        [{ loss: "mse" }, 400, "loss"],
        [{ loss: "ce", epochs: 0 }, 400, "epochs"],
        [{ loss: "ce", epochs: 1e6 }, 400, "epochs"],
        [{ loss: "ce", lr: "fast" }, 400, "lr"],
        [{ loss: "ce", batchSize: 1.5 }, 400, "batchSize"],
        [{ loss: "ce", learningRate: 0.1 }, 400, "unknown field(s): learningRate"],
        [{ loss: "ce", data: "/etc/passwd" }, 400, "data: unknown data set"],
        [{ loss: "ce", data: "https://example.com/x.tar.gz" }, 400, "data: unknown data set"],
        [{ loss: "ce", backend: "webgpu" }, 400, "backend"],
        [[1, 2], 400, "expected object"],
        ["{not json", 400, "not valid JSON"],
        ["", 400, "not valid JSON"],
      ];
      for (const [body, status, msg] of cases) {
        const r = await api(base, "POST", "/api/runs", body);
        assertEquals(r.status, status, JSON.stringify(body));
        assert(
          typeof r.json?.error === "string" && r.json.error.includes(msg),
          `${JSON.stringify(body)}: ${r.text}`,
        );
      }
      const form = await api(base, "POST", "/api/runs", undefined, {
        "content-type": "text/plain",
      });
      assertEquals(form.status, 415);
      assert(form.json.error.includes("application/json"));
      // The 413 drops the connection after its JSON (tests/service_security.test.ts reads it).
      const huge = await fetch(`${base}api/runs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ loss: "ce", data: "x".repeat(100_000) }),
      });
      assertEquals(huge.status, 413);
      await huge.body?.cancel().catch(() => {});
      assertEquals((await api(base, "GET", "/api/health")).json.queue.length, 0);
    });

    await t.step("unknown ids are 404; actions the state forbids are 409", async () => {
      for (const id of ["nope", "0000000000000000zz", "../../etc"]) {
        for (
          const [m, p] of [["GET", ""], ["POST", "/cancel"], ["DELETE", ""], [
            "GET",
            "/results.csv",
          ], ["GET", "/events"]]
        ) {
          const r = await api(base, m, `/api/runs/${encodeURIComponent(id)}${p}`);
          assertEquals(r.status, 404, `${m} ${id}${p}`);
          assert(r.json.error.includes("no run"), r.text);
        }
      }
      assertEquals((await api(base, "GET", "/api/experiments/nope")).status, 404);
      assertEquals((await api(base, "GET", "/api/nothing")).status, 404);

      const cancelDone = await api(base, "POST", `/api/runs/${runId}/cancel`);
      assertEquals(cancelDone.status, 409);
      assert(cancelDone.json.error.includes("already done"), cancelDone.text);
    });

    await t.step("cancel a running and a queued run; delete only finished runs", async () => {
      const long = await api(base, "POST", "/api/runs", { loss: "ce", epochs: 200, ...TINY });
      const queued = await api(base, "POST", "/api/runs", { loss: "l1", epochs: 1, ...TINY });
      const s = await openSse(`${base}api/runs/${long.json.id}/events`);
      await collect(s, (e) => e.event === "epoch");
      await s.close();

      const del = await api(base, "DELETE", `/api/runs/${long.json.id}`);
      assertEquals(del.status, 409);
      assert(del.json.error.includes("running"), del.text);

      const t0 = performance.now();
      const c = await api(base, "POST", `/api/runs/${long.json.id}/cancel`);
      const ms = performance.now() - t0;
      assertEquals(c.status, 200, c.text);
      assertEquals(c.json.status, "cancelled");
      assert(ms < 5000, `cancel took ${ms} ms`);
      const after = (await api(base, "GET", `/api/runs/${long.json.id}`)).json as RunWithEpochs;
      assert(after.epochs.length >= 1 && after.epochs.length < 200, "epochs kept");
      assertEquals(after.epochs.length, after.epochsDone);

      // The queued run got the freed worker; cancel whatever state it is in now.
      const q = await api(base, "POST", `/api/runs/${queued.json.id}/cancel`);
      assert([200, 409].includes(q.status), q.text);

      const watcher = await openSse(new URL("/api/events", base).href);
      assertEquals((await api(base, "DELETE", `/api/runs/${long.json.id}`)).status, 204);
      const seen = await collect(
        watcher,
        (e) => e.event === "status" && JSON.parse(e.data).status === "deleted",
        10_000,
      );
      await watcher.close();
      assertEquals(JSON.parse(seen.at(-1)!.data), { id: long.json.id, status: "deleted" });
      assertEquals((await api(base, "GET", `/api/runs/${long.json.id}`)).status, 404);
      assertEquals((await api(base, "GET", `/api/runs/${long.json.id}/results.csv`)).status, 404);
    });

    await t.step("a queued run is cancelled at once", async () => {
      const busy = await api(base, "POST", "/api/runs", { loss: "ce", epochs: 200, ...TINY });
      const waiting = await api(base, "POST", "/api/runs", { loss: "ce", epochs: 1, ...TINY });
      const c = await api(base, "POST", `/api/runs/${waiting.json.id}/cancel`);
      assertEquals(c.status, 200);
      assertEquals(c.json.status, "cancelled");
      assertEquals(c.json.startedAt, undefined);
      assertEquals(
        (await api(base, "POST", `/api/runs/${busy.json.id}/cancel`)).json.status,
        "cancelled",
      );
    });

    await t.step("experiments: the report's comparison by default", async () => {
      const bad = await api(base, "POST", "/api/experiments", { loss: "ce" });
      assertEquals(bad.status, 400);
      assert(bad.json.error.includes("unknown field(s): loss"), bad.text);

      const r = await api(base, "POST", "/api/experiments", { epochs: 1, ...TINY });
      assertEquals(r.status, 201, r.text);
      assertEquals(
        r.json.runs.map((
          x: Run,
        ) => [x.config.loss, x.config.loss === "focal" ? x.config.params.gamma : null]),
        [["l1", null], ["ce", null], ["focal", 0.5], ["focal", 2]],
      );
      assert(r.json.runs.every((x: Run) => x.experimentId === r.json.id && x.config.epochs === 1));

      const two = await api(base, "POST", "/api/experiments", {
        epochs: 1,
        ...TINY,
        losses: [{ loss: "focal", gamma: 1 }, { loss: "ce" }],
      });
      assertEquals(two.status, 201);
      assertEquals(two.json.runs.length, 2);

      // Wait for the first experiment's runs through the global stream.
      const ids = new Set(r.json.runs.map((x: Run) => x.id));
      const s = await openSse(`${base}api/events`, { "last-event-id": "0" });
      const finished = new Set<string>();
      await collect(s, (e) => {
        if (isFinal(e) && ids.has(JSON.parse(e.data).id)) finished.add(JSON.parse(e.data).id);
        return finished.size === ids.size;
      });
      await s.close();
      const exp = await api(base, "GET", `/api/experiments/${r.json.id}`);
      assertEquals(exp.status, 200);
      assertEquals(exp.json.runs.map((x: Run) => x.status), ["done", "done", "done", "done"]);
      for (const x of two.json.runs) await api(base, "POST", `/api/runs/${x.id}/cancel`);
    });
  } finally {
    await srv.stop();
  }
});

Deno.test("bearer token guards every route; a full queue answers 429", async () => {
  const srv = await startServer({
    env: { LOSSBENCH_TOKEN: "s3cret-T0ken-2024xyz", LOSSBENCH_QUEUE_MAX: "2" },
  });
  const base = srv.url;
  try {
    const body = { loss: "ce", epochs: 200, ...TINY };
    const none = await api(base, "POST", "/api/runs", body);
    assertEquals(none.status, 401);
    assert(none.json.error.includes("missing bearer token"), none.text);
    assert(none.headers.get("www-authenticate")?.startsWith("Bearer"), "challenge");
    const wrong = await api(base, "POST", "/api/runs", body, { authorization: "Bearer nope" });
    assertEquals(wrong.status, 401);
    assertEquals(wrong.json.error, "invalid bearer token");
    // Reads need it too; a bare health check stays open (tests/service_security.test.ts).
    const auth = { authorization: "Bearer s3cret-T0ken-2024xyz" };
    assertEquals((await api(base, "GET", "/api/runs")).status, 401);
    assertEquals((await api(base, "GET", "/api/runs", undefined, auth)).status, 200);
    assertEquals((await api(base, "GET", "/api/health")).json, { status: "ok" });

    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await api(base, "POST", "/api/runs", body, auth);
      assertEquals(r.status, 201, r.text);
      ids.push(r.json.id);
    }
    // One runs, two wait: the queue (max 2) is full.
    const waitRunning = async () => {
      for (
        let i = 0;
        i < 100 && (await api(base, "GET", "/api/health", undefined, auth)).json.queue.length > 2;
        i++
      ) {
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await waitRunning();
    const full = await api(base, "POST", "/api/runs", body, auth);
    assertEquals(full.status, 429);
    assert(full.json.error.includes("queue is full"), full.text);
    const exp = await api(base, "POST", "/api/experiments", { epochs: 1, ...TINY }, auth);
    assertEquals(exp.status, 429);

    assertEquals((await api(base, "POST", `/api/runs/${ids[0]}/cancel`)).status, 401);
    assertEquals((await api(base, "DELETE", `/api/runs/${ids[0]}`)).status, 401);
    for (const id of ids.reverse()) {
      const c = await api(base, "POST", `/api/runs/${id}/cancel`, undefined, auth);
      assertEquals(c.json.status, "cancelled", c.text);
    }
    assertEquals((await api(base, "DELETE", `/api/runs/${ids[0]}`, undefined, auth)).status, 204);
  } finally {
    await srv.stop();
  }
});
