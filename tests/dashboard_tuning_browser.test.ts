// deno-lint-ignore-file no-explicit-any -- browser-side callbacks and the API's JSON
// The tuning panel in a real browser (Debian's Chromium through puppeteer-core)
// against the real service, on a tiny synthetic tuned experiment (2 losses, 4
// trials with successive halving, both comparisons) opened while it tunes: the
// panel appears and follows the trials live to the service's own answer (rows,
// values, statuses, a pruned trial reading "pruned at rung …", the chosen trial
// highlighted), the isolation plot has a log lr axis with the chosen point
// marked, the budget curve has a band per cell, and the side-by-side table
// shows both comparisons' verdicts with the tuning's cost. The figure page
// draws the isolation plot and the budget curve.
// deno-lint-ignore no-import-prefix -- a dev-only package: kept out of what serving installs
import type { Browser, Page } from "npm:puppeteer-core@^25.16.0";
import { launchChromium, requireChromium } from "../tools/chromium.ts";
import { api } from "./util/api.ts";
import { assert, assertEquals } from "./util/assert.ts";
import { watchErrors } from "./util/browser.ts";
import { startServer } from "./util/server.ts";

declare const document: any;

const EXPERIMENT = {
  data: "synthetic",
  trainLimit: 200,
  testLimit: 40,
  batchSize: 50,
  epochs: 4,
  valFraction: 0.2,
  losses: [{ loss: "ce" }, { loss: "gce" }],
  seeds: [1, 2],
  tune: {
    space: {
      lr: { logUniform: [0.003, 0.3] },
      "params.q": { uniform: [0.2, 0.9] },
      weightDecay: { choice: [0, 0.0001, 0.0005] },
    },
    trials: 4,
    seeds: [101],
    pruner: { asha: { reduction: 2, minEpochs: 1 } },
  },
  compare: ["defaults", "tuned"],
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The trials tables as the page shows them: per cell, its rows. */
const tables = (page: Page) =>
  page.$$eval("#exp-trials .trials-card", (cards: any[]) =>
    cards.map((c) => ({
      cell: c.dataset.cell,
      rows: [...c.querySelectorAll("tbody tr")].map((tr: any) => ({
        trial: Number(tr.dataset.trial),
        status: tr.dataset.status,
        chosen: tr.classList.contains("chosen"),
        text: [...tr.children].map((x: any) => x.textContent.trim()),
      })),
    })));

Deno.test({
  name: "dashboard: a tuned experiment's panel, live, with both comparisons side by side",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await requireChromium();
    const dir = await Deno.makeTempDir({ prefix: "lossbench-tune-" });
    const server = await startServer({ env: { LOSSBENCH_WORKERS: "2" } });
    let browser: Browser | null = null;
    try {
      const started = await api(server.url, "POST", "/api/experiments", EXPERIMENT);
      assertEquals(started.status, 201, started.text);
      const id = started.json.id;
      browser = await launchChromium(`${dir}/chromium`);
      const page = await browser.newPage();
      const errors = watchErrors(page);
      await page.setViewport({ width: 1280, height: 900 });
      // Opened while it tunes: what follows must arrive live, with no reload.
      await page.goto(`${server.url}#experiment=${id}`, { waitUntil: "load" });
      await page.waitForSelector("#exp-tuning:not([hidden])", { timeout: 30_000 });
      assertEquals(await page.$eval("#exp-both", (e: any) => e.hidden), false);
      assertEquals(await page.$eval("#exp-csv-trials", (e: any) => e.hidden), false);

      // The service finishes: tuning, then both comparisons' runs.
      let tv: any = null;
      for (let i = 0; i < 1200; i++) {
        tv = (await api(server.url, "GET", `/api/experiments/${id}/tuning`)).json;
        const exp = (await api(server.url, "GET", `/api/experiments/${id}`)).json;
        const active = exp.runs.filter((r: any) =>
          ["queued", "running", "paused"].includes(r.status)
        );
        if (tv.status === "done" && exp.runs.length === 16 && !active.length) break;
        await sleep(250);
      }
      assertEquals(tv.status, "done");
      // The page catches up through its SSE-driven, paced reads.
      await page.waitForFunction(
        () =>
          document.getElementById("exp-tuning-status").textContent.startsWith("Tuned:") &&
          document.querySelectorAll("#exp-trials tr.chosen").length === 2 &&
          [...document.querySelectorAll("#exp-both-body thead th")]
              .filter((th: any) => th.textContent.includes("4 of 4 runs finished")).length === 2,
        { timeout: 60_000 },
      );

      // The trials tables: one per cell, a row per trial, as the service says.
      const shown = await tables(page);
      assertEquals(shown.map((c) => c.cell), tv.cells.map((c: any) => c.key));
      for (const [i, cell] of tv.cells.entries()) {
        const rows = shown[i].rows;
        assertEquals(rows.map((r) => r.trial), [0, 1, 2, 3]);
        assertEquals(rows.map((r) => r.status), cell.trials.map((t: any) => t.status));
        assertEquals(rows.filter((r) => r.chosen).map((r) => r.trial), [cell.chosen.trial]);
        for (const [k, r] of rows.entries()) {
          const t = cell.trials[k];
          const status = r.text.at(-1)!;
          assert(!/failed/.test(status), status);
          if (t.status === "pruned") {
            const ep = tv.rungs[t.rung];
            assert(status.startsWith(`pruned at rung ${t.rung} (${ep} epoch`), status);
          }
          // trial, the searched settings, the value, epochs, images, seconds, status.
          assert(r.text.includes(`${(t.value * 100).toFixed(1)}%`), r.text.join(" | "));
          assertEquals(r.text.at(-3), t.images.toLocaleString("en"));
          assertEquals(r.text[1], String(Number(t.values.lr.toPrecision(4))));
        }
        // ce has no q: its table has no q column; gce's has.
        const head = await page.$$eval(
          `#exp-trials .trials-card:nth-child(${i + 1}) thead th`,
          (ths: any[]) => ths.map((t) => t.textContent),
        );
        assertEquals(head.includes("q"), cell.loss === "gce", head.join(","));
      }
      assertEquals(
        shown.flatMap((c) => c.rows).filter((r) => r.status === "pruned").length,
        tv.cells.flatMap((c: any) => c.trials).filter((t: any) => t.status === "pruned").length,
      );
      assert(shown.flatMap((c) => c.rows).some((r) => r.status === "pruned"), "ASHA pruned some");

      // The isolation plot: a panel per cell, lr on a log axis, the chosen point marked.
      const iso = await page.$$eval("#exp-isolation canvas", (cs: any[]) =>
        cs.map((c) => {
          const chart = (globalThis as any).Chart.getChart(c);
          const chosen = chart.data.datasets.find((d: any) => d.label === "chosen");
          return {
            cell: c.dataset.cell,
            x: chart.scales.x.type,
            title: chart.options.scales.x.title.text,
            chosen: chosen.data.map((p: any) => p.x),
            points: chart.data.datasets.filter((d: any) => d.label !== "chosen" && !d.shared)
              .reduce((n: number, d: any) => n + d.data.length, 0),
          };
        }));
      assertEquals(iso.map((c) => c.cell), tv.cells.map((c: any) => c.key));
      for (const [i, c] of iso.entries()) {
        assertEquals(c.x, "logarithmic");
        assertEquals(c.title, "lr (log)");
        assertEquals(c.chosen, [tv.cells[i].chosen.values.lr]);
        assertEquals(c.points, 4);
      }
      // The colour: a setting every cell searched (weightDecay), named in the legend.
      assertEquals(await page.$eval("#exp-colour", (s: any) => s.value), "weightDecay");
      const legendText = await page.$eval("#exp-isolation-legend", (e: any) => e.textContent);
      assert(legendText.includes("colour: weightDecay"), legendText);

      // The budget curve: per cell, E[best of n] for n = 1..4 and its ±sd band; a cell named
      // without the parameter its trials searched (gce's q is not the declared 0.7 there).
      const budget = await page.$eval("#exp-budget", (c: any) => {
        const chart = (globalThis as any).Chart.getChart(c);
        return chart.data.datasets.map((d: any) => ({ label: d.label, n: d.data.length }));
      });
      assertEquals(budget.filter((d: any) => !/sd$/.test(d.label)).map((d: any) => d.label), [
        "ce",
        "gce",
      ]);
      assert(budget.every((d: any) => d.n === 4), JSON.stringify(budget));

      // Both comparisons side by side: the same pair, each column its own answer.
      const both = await page.$eval("#exp-both-body table", (t: any) => ({
        head: [...t.querySelectorAll("thead th")].map((x: any) => x.textContent),
        rows: [...t.querySelectorAll("tbody tr")].map((tr: any) =>
          [...tr.querySelectorAll("td[data-outcome]")].map((td: any) => td.title)
        ),
      }));
      assert(both.head[1].startsWith("at the shared defaults"), both.head[1]);
      assert(both.head[2].startsWith("at tuned settings"), both.head[2]);
      assert(both.head[2].includes("paid for by the tuning: 8 trial runs"), both.head[2]);
      const def = (await api(server.url, "GET", `/api/experiments/${id}?comparison=defaults`))
        .json;
      const tun = (await api(server.url, "GET", `/api/experiments/${id}?comparison=tuned`)).json;
      assertEquals(both.rows, [[
        def.stats.comparisons[0].verdict,
        tun.stats.comparisons[0].verdict,
      ]]);

      // The comparison shown above switches the page's statistics.
      assertEquals(await page.$eval("#exp-comparison", (s: any) => s.value), "defaults");
      await page.select("#exp-comparison", "tuned");
      await page.waitForFunction(
        (v: string) => document.querySelector("#exp-verdicts li")?.textContent === v,
        { timeout: 30_000 },
        tun.stats.comparisons[0].verdict,
      );

      // The figure page: the isolation plot and the budget curve, for the published page.
      await page.goto(`${server.url}figure.html?experiment=${id}&tuning=isolation`);
      await page.waitForSelector("body[data-ready='1']", { timeout: 30_000 });
      const fig = await page.evaluate(() => ({
        error: document.getElementById("error").hidden ? "" : document.getElementById("error")
          .textContent,
        axes: [...document.querySelectorAll(".multiple canvas")].map((c: any) =>
          (globalThis as any).Chart.getChart(c).scales.x.type
        ),
        title: document.querySelector("#wrap h1").textContent,
      }));
      assertEquals(fig.error, "");
      assertEquals(fig.axes, ["logarithmic", "logarithmic"]);
      assert(fig.title.includes("colour: weightDecay"), fig.title);
      await page.goto(`${server.url}figure.html?experiment=${id}&tuning=budget`);
      await page.waitForSelector("body[data-ready='1']", { timeout: 30_000 });
      const n = await page.evaluate(() =>
        (globalThis as any).Chart.getChart(document.getElementById("figure")).data.datasets.length
      );
      assertEquals(n, 6);
      // Each comparison's curves (what `deno task study` shows side by side): its own runs'
      // means, and at tuned settings a legend naming each cell's chosen settings.
      for (const comparison of ["defaults", "tuned"]) {
        const want = (await api(
          server.url,
          "GET",
          `/api/experiments/${id}?metric=testAcc&comparison=${comparison}`,
        )).json.stats.cells;
        await page.goto(
          `${server.url}figure.html?experiment=${id}&metric=testAcc&band=sd&comparison=${comparison}`,
        );
        await page.waitForSelector("body[data-ready='1']", { timeout: 30_000 });
        const lines = await page.evaluate(() =>
          (globalThis as any).Chart.getChart(document.getElementById("figure")).data.datasets
            .filter((d: any) => !d.band).map((d: any) => ({ label: d.label, y: d.data.at(-1).y }))
        );
        assertEquals(lines.length, 2);
        for (const [i, cell] of want.entries()) {
          assertEquals(lines[i].y, 100 * cell.perEpoch.testAcc.at(-1).mean);
          const chosen = tv.cells[i].chosen;
          const lr = `tuned: lr ${Number(chosen.values.lr.toPrecision(4))}`;
          assertEquals(lines[i].label.includes(lr), comparison === "tuned", lines[i].label);
        }
      }
      assertEquals(errors, []);
    } finally {
      await browser?.close();
      await server.stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
