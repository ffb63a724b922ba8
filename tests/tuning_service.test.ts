// A tuned experiment over real HTTP against the real service, on tiny synthetic
// data: bad declarations are 400s naming the field; a 2-loss experiment with
// successive halving runs its trials (no test metrics), prunes and promotes by
// the rung's validation values, chooses, confirms on the comparison seeds, and
// serves both comparisons, the tuning evidence and trials.csv. A promoted trial
// (paused at two rungs) equals an uninterrupted run of its configuration.
// deno-lint-ignore-file no-explicit-any -- the API's JSON, read as the contract check already validated it
import { assert, assertEquals } from "./util/assert.ts";
import { api } from "./util/api.ts";
import { csvRecords } from "./util/csv.ts";
import { startServer } from "./util/server.ts";

const TINY = {
  data: "synthetic",
  trainLimit: 200,
  testLimit: 40,
  batchSize: 50,
  epochs: 4,
  valFraction: 0.2,
};
const TUNE = {
  space: { lr: { logUniform: [0.003, 0.3] }, "params.q": { uniform: [0.2, 0.9] } },
  trials: 4,
  seeds: [101],
  pruner: { asha: { reduction: 2, minEpochs: 1 } },
};
const LOSSES = [{ loss: "ce" }, { loss: "gce" }];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("a tuned experiment: 400s, trials, halving, choice, confirmation, evidence", async (t) => {
  const srv = await startServer({ env: { LOSSBENCH_WORKERS: "2" } });
  const base = srv.url;
  try {
    await t.step("bad declarations are 400s naming the field, and queue nothing", async () => {
      const bad = async (body: Record<string, unknown>, re: RegExp) => {
        const r = await api(base, "POST", "/api/experiments", {
          ...TINY,
          losses: LOSSES,
          seeds: [1, 2],
          ...body,
        });
        assertEquals(r.status, 400, r.text);
        assert(re.test(r.json.error), r.json.error);
      };
      await bad({ tune: TUNE, valFraction: 0 }, /^valFraction: tuning needs a validation split/);
      await bad({ tune: { ...TUNE, seeds: [2] } }, /^tune\.seeds: 2 also a comparison seed/);
      await bad(
        { tune: { ...TUNE, space: { epochs: { choice: [2] } } } },
        /^tune\.space\.epochs: not a tunable/,
      );
      await bad(
        { tune: { ...TUNE, space: { "params.gamma": { uniform: [0, 2] } } } },
        /^tune\.space\.params\.gamma: no loss of this experiment/,
      );
      await bad({ tune: { ...TUNE, metric: "testAcc" } }, /^tune\.metric: unknown metric/);
      await bad({ compare: ["tuned"] }, /^compare: "tuned" needs a tune stage/);
      assertEquals((await api(base, "GET", "/api/runs")).json.runs.length, 0);
    });

    let id = "";
    await t.step("it queues the trials and the defaults' runs", async () => {
      const r = await api(base, "POST", "/api/experiments", {
        ...TINY,
        losses: LOSSES,
        seeds: [1, 2],
        tune: TUNE,
        compare: ["defaults", "tuned"],
      });
      assertEquals(r.status, 201, r.text);
      id = r.json.id;
      const runs = r.json.runs as { tune?: { role: string }; stopAt?: number }[];
      assertEquals(runs.filter((x) => x.tune?.role === "trial").length, 8);
      assertEquals(runs.filter((x) => !x.tune).length, 4);
      assertEquals(r.json.tuning.rungs, [1, 2, 4]);
      assert(runs.filter((x) => x.tune).every((x) => x.stopAt === 1));
    });

    let tuning: Record<string, any> = {};
    await t.step("trials are halved by rung, a trial chosen per cell, confirmed", async () => {
      for (let i = 0; i < 600; i++) {
        tuning = (await api(base, "GET", `/api/experiments/${id}/tuning`)).json;
        const exp = (await api(base, "GET", `/api/experiments/${id}`)).json;
        const active = exp.runs.filter((x: { status: string }) =>
          ["queued", "running", "paused"].includes(x.status)
        );
        if (tuning.status === "done" && active.length === 0 && exp.runs.length === 16) break;
        await sleep(250);
      }
      assertEquals(tuning.status, "done");
      for (const cell of tuning.cells) {
        assertEquals(cell.decisions.map((d: { trials: number[] }) => d.trials.length), [4, 2]);
        assertEquals(cell.decisions[0].promoted.length, 2);
        assertEquals(cell.decisions[1].promoted.length, 1);
        const winner = cell.decisions[1].promoted[0];
        assertEquals(cell.chosen.trial, winner);
        const statuses = cell.trials.map((x: { status: string }) => x.status).sort();
        assertEquals(statuses, ["done", "pruned", "pruned", "pruned"]);
        const pruned = cell.trials.filter((x: { status: string }) => x.status === "pruned");
        assertEquals(pruned.map((x: { rung: number }) => x.rung).sort(), [0, 0, 1]);
        assertEquals(cell.trials[winner].epochs, 4);
        // The halving's promotions follow the rung's values (the best, ties to the lower index).
        const d0 = cell.decisions[0];
        const order = d0.trials.map((_: number, i: number) => i).sort((a: number, b: number) =>
          (d0.values[b] ?? -1) - (d0.values[a] ?? -1) || a - b
        );
        assertEquals(order.slice(0, 2).map((i: number) => d0.trials[i]).sort(), d0.promoted);
        assertEquals(cell.expectedBest.length, 4);
        assert(cell.cost.epochs === 1 + 1 + 2 + 4, `epochs ${cell.cost.epochs}`);
        assertEquals(cell.cost.epochsWithoutPruning, 16);
        assert(cell.cost.savedFraction > 0.4);
      }
      // Trial k tried the same lr in every cell.
      const lrs = tuning.cells.map((c: any) => c.trials.map((x: any) => x.values.lr));
      assertEquals(lrs[0], lrs[1]);
      assert(!("params.q" in tuning.cells[0].trials[0].values)); // ce has no q
    });

    await t.step(
      "trial epochs have no test fields; a promoted trial equals a fresh run",
      async () => {
        const cell = tuning.cells[1];
        const runId = cell.trials[cell.chosen.trial].runIds[0];
        const trial = (await api(base, "GET", `/api/runs/${runId}`)).json;
        assertEquals(trial.status, "done");
        assertEquals(trial.epochs.length, 4);
        for (const e of trial.epochs) assert(!("testAcc" in e) && !("confusion" in e));
        const fresh = await api(base, "POST", "/api/runs", trial.config);
        assertEquals(fresh.status, 201, fresh.text);
        let run;
        for (let i = 0; i < 400; i++) {
          run = (await api(base, "GET", `/api/runs/${fresh.json.id}`)).json;
          if (run.status === "done") break;
          await sleep(250);
        }
        assertEquals(run.status, "done");
        const pick = (e: Record<string, number>) => [e.trainLoss, e.trainAcc, e.valLoss, e.valAcc];
        assertEquals(trial.epochs.map(pick), run.epochs.map(pick));
      },
    );

    await t.step("both comparisons' statistics, each on its own runs", async () => {
      const exp = (await api(base, "GET", `/api/experiments/${id}?comparison=tuned`)).json;
      const confirm = exp.runs.filter((x: any) => x.tune?.role === "confirm");
      assertEquals(confirm.length, 4);
      for (const [i, cell] of tuning.cells.entries()) {
        const mine = confirm.filter((x: any) => x.cellKey === cell.key);
        assertEquals(mine.map((x: any) => x.config.seed).sort(), [1, 2]);
        assert(mine.every((x: any) => x.config.lr === cell.chosen.values.lr));
        assertEquals(exp.stats.cells[i].runs, 2);
        assert(mine.every((x: any) => typeof x.last.testAcc === "number"));
      }
      assertEquals(exp.stats.comparisons.length, 1);
      const def = (await api(base, "GET", `/api/experiments/${id}?comparison=defaults`)).json;
      assertEquals(def.stats.cells.map((c: any) => c.runs), [2, 2]);
      assert(def.stats.comparisons[0].diff !== exp.stats.comparisons[0].diff);
    });

    await t.step(
      "labels name what was trained, in every view; keys and claims still pair",
      async () => {
        const exp = (await api(base, "GET", `/api/experiments/${id}?comparison=tuned`)).json;
        const model = exp.runs[0].config.model;
        const m = model === "convnet" ? "" : ` · ${model}`;
        const [ce, gce] = exp.cells;
        // A trial: the values it tried (gce's q at the trial's value, not the declared 0.7).
        for (const r of exp.runs.filter((x: any) => x.tune?.role === "trial")) {
          const v = exp.tuning.trials[r.tune.trial];
          assertEquals(
            r.label,
            r.cellKey === ce.key
              ? `ce lr=${v.lr}${m} · trial ${r.tune.trial}`
              : `gce q=${v["params.q"]} lr=${v.lr}${m} · trial ${r.tune.trial}`,
          );
          assertEquals([r.config.lr, r.config.params.q], [
            v.lr,
            r.cellKey === ce.key ? undefined : v["params.q"],
          ]);
        }
        // A confirmation run and its cell at tuned settings: the chosen values.
        const chosen = tuning.cells.map((c: any) => c.chosen.values);
        const tunedLabels = [
          `ce${m} · tuned: lr ${chosen[0].lr}`,
          `gce${m} · tuned: lr ${chosen[1].lr}, q ${chosen[1]["params.q"]}`,
        ];
        for (const r of exp.runs.filter((x: any) => x.tune?.role === "confirm")) {
          const i = r.cellKey === ce.key ? 0 : 1;
          assertEquals(r.label, tunedLabels[i]);
          assertEquals(r.config.params.q, i ? chosen[1]["params.q"] : undefined);
        }
        assertEquals(exp.stats.cells.map((c: any) => [c.key, c.label]), [
          [ce.key, tunedLabels[0]],
          [gce.key, tunedLabels[1]],
        ]);
        const pair = exp.stats.comparisons[0];
        assertEquals([pair.a, pair.b, pair.labelA, pair.labelB], [ce.key, gce.key, ...tunedLabels]);
        // At the defaults, the declared labels; the tuning view: less the searched parameter.
        const def = (await api(base, "GET", `/api/experiments/${id}?comparison=defaults`)).json;
        assertEquals(def.stats.cells.map((c: any) => c.label), [`ce${m}`, `gce q=0.7${m}`]);
        assertEquals(exp.cells.map((c: any) => c.label), [`ce${m}`, `gce q=0.7${m}`]);
        assertEquals(tuning.cells.map((c: any) => c.label), [`ce${m}`, `gce${m}`]);
        // The CSV exports read the same labels.
        const csv = async (kind: string) =>
          csvRecords(
            await (await fetch(`${base}api/experiments/${id}/${kind}.csv?comparison=tuned`)).text(),
          );
        assertEquals([...new Set((await csv("summary")).map((x) => x.cell))], tunedLabels);
        const runsCsv = await csv("runs");
        for (const r of exp.runs) {
          const rows = runsCsv.filter((x) => x.run_id === r.id);
          assert(rows.every((x) => x.cell === r.label), r.label);
        }
        assertEquals(
          [...new Set((await csv("trials")).map((x) => x.cell))],
          [`ce${m}`, `gce${m}`],
        );
        // A claim or control naming a declared label still names the cell at tuned settings, and
        // its words use the tuned label; so does one naming the tuned label.
        for (const claim of [`gce q=0.7${m}>ce${m}`, `${tunedLabels[1]}>${ce.key}`]) {
          const r = await api(
            base,
            "GET",
            `/api/experiments/${id}?comparison=tuned&hypothesis=${encodeURIComponent(claim)}` +
              `&family=control&control=${encodeURIComponent(`gce q=0.7${m}`)}`,
          );
          assertEquals(r.status, 200, r.text);
          const h = r.json.stats.hypotheses[0];
          assertEquals([h.better, h.than], [gce.key, ce.key]);
          assert(h.claim.startsWith(`${tunedLabels[1]} beats ${tunedLabels[0]}`), h.claim);
          assertEquals(r.json.stats.families[0].name.startsWith(`against ${tunedLabels[1]}`), true);
        }
      },
    );

    await t.step("trials.csv: one row per cell and trial, 9 significant digits", async () => {
      const r = await fetch(`${base}api/experiments/${id}/trials.csv`);
      assertEquals(r.status, 200);
      const rows = csvRecords(await r.text());
      assertEquals(rows.length, 8);
      assertEquals(rows.filter((x) => x.chosen === "1").length, 2);
      assertEquals(rows.filter((x) => x.status === "pruned").length, 6);
      const v = tuning.cells[0].trials[0].value;
      assertEquals(Number(rows[0].value), Number(v.toPrecision(9)));
    });
  } finally {
    await srv.stop();
  }
});
