// deno-lint-ignore-file no-explicit-any -- browser-side callbacks, see `document` below
// The dashboard in a real browser (Debian's Chromium through puppeteer-core)
// against the real service on loopback, offline: a first run that works
// without CIFAR-10 (one banner saying how to provide it), the report's
// comparison started from the page and drawn live over SSE, the figures'
// controls (stable looks, fitted axes, zoom, log scale, smoothing, tooltips),
// and the runs table as a workspace (groups, filters, sort, settings, diff,
// export).
// deno-lint-ignore no-import-prefix -- a dev-only package: kept out of what serving installs
import type { Browser, Page } from "npm:puppeteer-core@^25.16.0";
import { launchChromium, requireChromium } from "../tools/chromium.ts";
import { assert, assertEquals } from "./util/assert.ts";
import { watchErrors } from "./util/browser.ts";
import { startServer } from "./util/server.ts";

// Functions passed to page.evaluate run in the browser. Deno's type library
// has no DOM (and mixing in lib "dom" clashes with Deno's), so the few
// browser globals they use are declared loosely here.
declare const document: any;
declare const requestAnimationFrame: (f: () => void) => number;

const FIGURES = ["testAcc", "f1", "testLoss", "trainLoss", "trainAcc"];

/** What the figures show: per chart, the number of points of each line. */
function chartPoints(page: Page) {
  return page.evaluate((keys: string[]) => {
    const Chart = (globalThis as any).Chart;
    return Object.fromEntries(keys.map((k) => {
      const chart = Chart.getChart(document.getElementById(`chart-${k}`));
      return [k, chart ? chart.data.datasets.map((d: any) => d.data.length) : null];
    }));
  }, FIGURES);
}

/** Pixels of each canvas that are clearly coloured (lines, points, heatmap cells). */
function colouredPixels(page: Page) {
  return page.evaluate((ids: string[]) =>
    Object.fromEntries(ids.map((id) => {
      const c = document.getElementById(id);
      const { data } = c.getContext("2d")!.getImageData(0, 0, c.width, c.height);
      let n = 0;
      for (let i = 0; i < data.length; i += 4) {
        const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
        if (Math.max(r, g, b) - Math.min(r, g, b) > 60) n++;
      }
      return [id, n];
    })), [...FIGURES.map((k) => `chart-${k}`), "cm-canvas"]);
}

interface Line {
  label: string;
  color: string;
  point: string;
  dash: string;
  data: number[];
  raw: number[];
}

/** Labels, colours and markers of a figure's lines (raw copies left out). */
function lines(page: Page, key = "testAcc"): Promise<Line[]> {
  return page.evaluate((k: string) => {
    const chart = (globalThis as any).Chart.getChart(document.getElementById(`chart-${k}`));
    return chart.data.datasets.filter((d: any) => !d.rawShadow).map((d: any) => ({
      label: d.label,
      color: d.borderColor,
      point: d.pointStyle,
      dash: (d.borderDash ?? []).join(","),
      data: d.data.map((p: any) => p.y),
      raw: d.data.map((p: any) => p.raw ?? p.y),
    }));
  }, key);
}

/** The runs table's visible rows: label, status and the texts of the cells. */
function tableRows(page: Page) {
  return page.evaluate(() =>
    [...document.querySelectorAll("#runs-table tbody tr:not(.group-head)")]
      .filter((tr: any) => !tr.hidden)
      .map((tr: any) => ({
        id: tr.dataset.id,
        group: tr.parentElement.dataset.group,
        label: tr.querySelector(".run-cell strong").textContent,
        status: tr.querySelector(".badge").textContent,
        cells: [...tr.cells].map((td: any) => td.textContent.trim()),
      }))
  );
}

/** Header texts of the runs table. */
function headers(page: Page) {
  return page.$$eval("#runs-table thead th", (ths) => ths.map((th: any) => th.textContent.trim()));
}

async function tick(page: Page, label: string, group: string, on: boolean) {
  await page.evaluate(
    async (l: string, g: string, want: boolean) => {
      // The page renders once per animation frame: let the last change land first.
      const frame = () => new Promise<void>((r) => requestAnimationFrame(() => r()));
      await frame();
      await frame();
      const tr = [...document.querySelectorAll(`#runs-table tbody[data-group="${g}"] tr`)]
        .find((r: any) => r.querySelector(".run-cell strong")?.textContent === l) as any;
      const box = tr.querySelector("input[type=checkbox]");
      if (box.checked !== want) box.click();
      await frame();
      await frame();
    },
    label,
    group,
    on,
  );
}

async function waitForFile(path: string) {
  for (let i = 0; i < 100 && !(await exists(path)); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  return await Deno.readFile(path);
}

async function setField(page: Page, name: string, value: string) {
  await page.$eval(`#f-${name}`, (el, v) => {
    const input = el as any;
    input.closest("details")?.setAttribute("open", "");
    input.focus();
    input.value = v as string;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }, value);
}

Deno.test({
  name: "dashboard: offline first run, live figures and the runs workspace in Chromium",
  // puppeteer keeps sockets and timers of its own between steps.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await requireChromium();
    const dir = await Deno.makeTempDir({ prefix: "lossbench-dash-" });
    // The real service: PORT=0, a temporary KV (kept for the restart below), cpu,
    // and a CIFAR-10 that cannot be had, as on a machine without network.
    const kvPath = `${dir}/lossbench.kv`;
    const env = {
      LOSSBENCH_WORKERS: "2",
      LOSSBENCH_BACKEND: "cpu",
      CIFAR10_URL: `${dir}/missing/cifar-10-binary.tar.gz`,
    };
    let server = await startServer({ env, kvPath });
    let browser: Browser | null = null;
    try {
      browser = await launchChromium(`${dir}/chromium`);
      const page = await browser.newPage();
      const errors = watchErrors(page, /\/api\/runs$/); // the validation check posts a bad body on purpose
      await page.setViewport({ width: 1280, height: 800 });
      const cdp = await page.createCDPSession();
      await cdp.send("Browser.setDownloadBehavior", { behavior: "allow", downloadPath: dir });

      await page.goto(server.url, { waitUntil: "load" });
      await page.waitForSelector("#conn[data-state=live]", { timeout: 10_000 });

      // 1. A first run that works offline: the form starts on synthetic data, a few epochs.
      assertEquals(await page.$eval("#f-data", (el: any) => el.value), "synthetic");
      assertEquals(await page.$eval("#f-epochs", (el: any) => el.value), "5");

      // A validation error from the API lands beside its field.
      await setField(page, "epochs", "1000");
      await page.click("#start-run");
      await page.waitForFunction(() => document.getElementById("e-epochs")!.textContent !== "", {
        timeout: 10_000,
      });
      const epochsError = await page.$eval("#f-epochs", (el) => ({
        text: el.parentElement!.querySelector(".error")!.textContent,
        invalid: el.getAttribute("aria-invalid"),
      }));
      assert(/500/.test(epochsError.text ?? ""), `epochs error: ${epochsError.text}`);
      assertEquals(epochsError.invalid, "true");

      // The comparison on cifar10, which this server cannot get: one banner, not
      // four long errors, saying how to provide the data set.
      await setField(page, "data", "cifar10");
      await setField(page, "epochs", "2");
      await page.click("#start-compare");
      await page.waitForFunction(
        () =>
          [...document.querySelectorAll("#runs-table .badge")].filter((b: any) =>
            b.textContent === "failed"
          ).length === 4,
        { timeout: 30_000 },
      );
      await page.waitForSelector("#data-banner:not([hidden])", { timeout: 5_000 });
      // Starting an experiment opened its statistics; the runs are in the Runs view.
      assertEquals(await page.$eval("#view-experiment", (el: any) => el.hidden), false);
      await page.click("#tab-runs");
      const banner = await page.$eval("#data-banner", (el: any) => el.textContent);
      assert(/4 runs on cifar10 failed/.test(banner), banner);
      for (const hint of ["CIFAR10_URL=", "LOSSBENCH_DATASETS=", "deno task serve"]) {
        assert(banner.includes(hint), `banner names ${hint}: ${banner}`);
      }
      assertEquals(await page.$$eval(".banner", (els) => els.length), 1, "one banner");
      // In the table each error is cut short; the full text is one click away.
      const failed = await page.$$eval(
        "#runs-table .run-error",
        (els) =>
          els.filter((e: any) => e.textContent).map((e: any) => ({
            summary: e.querySelector("summary")?.textContent ?? null,
            fullShown: e.querySelector("details")?.open ?? null,
          })),
      );
      assertEquals(failed.length, 4);
      for (const f of failed) {
        assert(f.summary && f.summary.length < 80, `short summary: ${f.summary}`);
        assertEquals(f.fullShown, false);
      }
      await page.click("#runs-table .run-error summary");
      const full = await page.$eval(
        "#runs-table .run-error details",
        (d: any) => ({ open: d.open, text: d.querySelector("p").textContent }),
      );
      assert(full.open && /CIFAR10_URL file not found/.test(full.text), full.text);
      // The banner's button puts the form back on data that works offline.
      await page.click("#banner-synthetic");
      assertEquals(await page.$eval("#f-data", (el: any) => el.value), "synthetic");

      // The report's comparison, small enough for two shared cores.
      for (
        const [k, v] of Object.entries({
          epochs: "2",
          trainLimit: "1024",
          testLimit: "256",
          batchSize: "32",
        })
      ) await setField(page, k, v);
      assertEquals(await page.$eval("#e-epochs", (el) => el.textContent), "", "error cleared");
      await page.click("#start-compare");
      await page.waitForSelector("#view-experiment:not([hidden])", { timeout: 10_000 });
      await page.click("#tab-runs");

      // Four lines in every figure, each with both epochs.
      await page.waitForFunction(
        (keys: string[]) => {
          const Chart = (globalThis as any).Chart;
          return keys.every((k) => {
            const ds = Chart.getChart(document.getElementById(`chart-${k}`))?.data.datasets;
            return ds?.length === 4 && ds.every((d: any) => d.data.length === 2);
          });
        },
        { timeout: 75_000, polling: 250 },
        FIGURES,
      );
      const points = await chartPoints(page);
      for (const k of FIGURES) assertEquals(points[k], [2, 2, 2, 2], `${k} lines`);
      const before = await lines(page);
      // The service's cell labels name the lines.
      assertEquals(before.map((l) => l.label), ["l1", "ce", "focal γ=0.5", "focal γ=2"]);
      const looks = new Set(before.map((l) => `${l.color}|${l.point}|${l.dash}`));
      assertEquals(looks.size, 4, "four different looks");

      // The canvases really drew: coloured lines, points and heatmap cells.
      await page.waitForFunction(() => !document.getElementById("cm-canvas")!.closest("[hidden]"));
      const pixels = await colouredPixels(page);
      for (const [id, n] of Object.entries(pixels)) assert(n > 200, `${id}: ${n} coloured pixels`);

      // The runs table: the four finished, with final metrics and a CSV link.
      await page.waitForFunction(
        () =>
          [...document.querySelectorAll("#runs-table .badge")].filter((b: any) =>
            b.textContent === "done"
          ).length === 4,
        { timeout: 20_000 },
      );
      const csvHref = await page.$eval("#runs-table a.button:not([hidden])", (a: any) => a.href);
      const csv = await (await fetch(csvHref)).text();
      assert(csv.startsWith("epoch,train_loss,train_acc,test_loss,test_acc,f1"), csv.slice(0, 80));

      // At 1280 px the table fits its panel, Actions included.
      const fit = await page.evaluate(() => {
        const wrap = document.querySelector(".table-wrap").getBoundingClientRect();
        const cells = [...document.querySelectorAll("#runs-table td.actions-cell")]
          .map((td: any) => td.getBoundingClientRect());
        return {
          overflow: document.querySelector(".table-wrap").scrollWidth -
            document.querySelector(".table-wrap").clientWidth,
          outside: cells.filter((r) => r.right > wrap.right + 1 || r.left < wrap.left).length,
          cells: cells.length,
        };
      });
      assertEquals(fit, { overflow: 0, outside: 0, cells: 8 }, "Actions visible at 1280 px");

      // 3. Figures. Unticking a run leaves every other line's look unchanged.
      const done = (await tableRows(page)).filter((r) => r.status === "done");
      const group = done[0].group;
      await tick(page, "l1", group, false);
      const unticked = await lines(page);
      assertEquals(unticked.map((l) => l.label), ["ce", "focal γ=0.5", "focal γ=2"]);
      for (const l of unticked) {
        const was = before.find((b) => b.label === l.label)!;
        assertEquals([l.color, l.point, l.dash], [was.color, was.point, was.dash], l.label);
      }
      await tick(page, "l1", group, true);
      assertEquals(
        (await lines(page)).find((l) => l.label === "l1")!.color,
        before[0].color,
        "L1 back in its colour",
      );

      // The accuracy axis fits the data instead of spanning 0–100%.
      const yAcc = await page.evaluate(() => {
        const c = (globalThis as any).Chart.getChart(document.getElementById("chart-testAcc"));
        const ys = c.data.datasets.flatMap((d: any) => d.data.map((p: any) => p.y));
        return {
          min: c.scales.y.min,
          max: c.scales.y.max,
          lo: Math.min(...ys),
          hi: Math.max(...ys),
        };
      });
      assert(yAcc.min <= yAcc.lo && yAcc.max >= yAcc.hi, `covers the data ${JSON.stringify(yAcc)}`);
      assert(yAcc.max - yAcc.min < 0.8, `fitted, not 0–1: ${JSON.stringify(yAcc)}`);
      assert(yAcc.max <= 1 && yAcc.min >= 0, `within 0–1: ${JSON.stringify(yAcc)}`);

      // Tooltips speak the table's units: CE's final accuracy as the table shows it.
      const tooltip = await page.evaluate(() => {
        const c = (globalThis as any).Chart.getChart(document.getElementById("chart-testAcc"));
        const i = c.data.datasets.findIndex((d: any) => d.label === "ce");
        c.tooltip.setActiveElements([{ datasetIndex: i, index: 1 }], { x: 0, y: 0 });
        c.update("none");
        return c.tooltip.body.flatMap((b: any) => b.lines);
      });
      const ceRow = (await tableRows(page)).find((r) => r.label === "ce" && r.status === "done")!;
      const accCell = await page.$eval(
        `#runs-table tr[data-id="${ceRow.id}"]`,
        (tr: any) => {
          const i = [...tr.closest("table").tHead.rows[0].cells].findIndex((th: any) =>
            th.dataset.col === "acc"
          );
          return tr.cells[i].textContent;
        },
      );
      assert(/^\d+\.\d%$/.test(accCell), accCell);
      assertEquals(tooltip, [`ce: ${accCell}`], "tooltip in percent, as the table");

      // Zoom by dragging a box, reset with a double-click.
      const box = (await (await page.$("#chart-testAcc"))!.boundingBox())!;
      await page.mouse.move(box.x + box.width * 0.35, box.y + box.height * 0.2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.5, { steps: 5 });
      await page.mouse.up();
      const zoomed = await page.evaluate(() => {
        const c = (globalThis as any).Chart.getChart(document.getElementById("chart-testAcc"));
        return { zoomed: c.isZoomedOrPanned(), x: [c.scales.x.min, c.scales.x.max] };
      });
      assert(zoomed.zoomed && zoomed.x[1] - zoomed.x[0] < 1, `zoomed: ${JSON.stringify(zoomed)}`);
      assertEquals(await page.$eval("#reset-testAcc", (b: any) => b.hidden), false, "reset shown");
      await page.click("#chart-testAcc", { count: 2 });
      assertEquals(
        await page.evaluate(() =>
          (globalThis as any).Chart.getChart(document.getElementById("chart-testAcc"))
            .isZoomedOrPanned()
        ),
        false,
        "double-click resets the zoom",
      );

      // Log scale for the losses only.
      const yTypes = () =>
        page.evaluate(() =>
          ["testLoss", "trainLoss", "testAcc"].map((k) =>
            (globalThis as any).Chart.getChart(document.getElementById(`chart-${k}`)).scales.y.type
          )
        );
      await page.click("#log-loss");
      assertEquals(await yTypes(), ["logarithmic", "logarithmic", "linear"]);
      await page.click("#log-loss");
      assertEquals(await yTypes(), ["linear", "linear", "linear"]);

      // Smoothing: TensorBoard's debiased EMA over the raw points, display only.
      await page.$eval("#smoothing", (el: any) => {
        el.value = "0.6";
        el.dispatchEvent(new Event("input", { bubbles: true }));
      });
      const smoothed = await lines(page);
      assertEquals(smoothed.length, 4, "raw copies stay out of the lines");
      for (const l of smoothed) {
        const [a, b] = l.raw;
        const want = a === b ? b : (0.4 * 0.6 * a + 0.4 * b) / (1 - 0.36);
        assert(Math.abs(l.data[1] - want) < 1e-12, `${l.label}: ${l.data} from ${l.raw}`);
        assertEquals(l.raw, before.find((x) => x.label === l.label)!.data, "raw kept");
      }
      assertEquals(
        await page.evaluate(() =>
          (globalThis as any).Chart.getChart(document.getElementById("chart-testAcc"))
            .legend.legendItems.length
        ),
        4,
      );
      await page.$eval("#smoothing", (el: any) => {
        el.value = "0";
        el.dispatchEvent(new Event("input", { bubbles: true }));
      });
      for (const l of await lines(page)) {
        assertEquals(l.data, before.find((x) => x.label === l.label)!.data, `${l.label} raw again`);
      }

      // Save PNG downloads a real PNG.
      await page.click("#save-testAcc");
      const sig = (await waitForFile(`${dir}/lossbench-test-accuracy.png`)).subarray(0, 8);
      assertEquals([...sig], [137, 80, 78, 71, 13, 10, 26, 10], "PNG signature");

      // 4. The runs table as a workspace: grouped by experiment...
      const groups = await page.$$eval(
        "#runs-table tr.group-head",
        (trs) => trs.filter((t: any) => !t.hidden).map((t: any) => t.textContent),
      );
      assertEquals(groups.length, 2, `two experiments: ${groups}`);
      assert(groups.every((g) => /^Experiment #\w{4} · 4 runs/.test(g)), groups.join(" | "));
      // ...filtered by status, data, loss and text...
      const shownAfter = async (sel: string, value: string) => {
        await page.select(sel, value);
        const rows = await tableRows(page);
        await page.select(sel, "");
        return rows;
      };
      const failedRows = await shownAfter("#runs-filter-status", "failed");
      assertEquals(failedRows.map((r) => r.status), ["failed", "failed", "failed", "failed"]);
      const synth = await shownAfter("#runs-filter-data", "synthetic");
      assertEquals(synth.length, 4);
      assert(synth.every((r) => r.status === "done"), "the synthetic runs are the done ones");
      assertEquals((await shownAfter("#runs-filter-loss", "focal")).length, 4);
      await page.type("#runs-search", "γ=2 cifar");
      const searched = await tableRows(page);
      assertEquals(searched.map((r) => [r.label, r.status]), [["focal γ=2", "failed"]]);
      await page.$eval("#runs-search", (el: any) => {
        el.value = "";
        el.dispatchEvent(new Event("input", { bubbles: true }));
      });
      assertEquals((await tableRows(page)).length, 8);
      // ...sorted by any column (here: final accuracy, best first, within each group)...
      await page.click('#runs-table th[data-col="acc"] button');
      const sortState = await page.$eval(
        '#runs-table th[data-col="acc"]',
        (th: any) => th.getAttribute("aria-sort"),
      );
      assertEquals(sortState, "descending");
      const accs = (await tableRows(page)).filter((r) => r.status === "done").map((r) => r.id);
      const accOf = await page.evaluate(async (ids: string[]) => {
        const out: number[] = [];
        for (const id of ids) {
          out.push((await (await fetch(`/api/runs/${id}`)).json()).last.testAcc);
        }
        return out;
      }, accs);
      assertEquals(accOf, [...accOf].sort((a, b) => b - a), "sorted by final accuracy");
      // ...with a settings view: hyperparameters as columns...
      await page.click("#view-settings");
      const settingsHead = await headers(page);
      for (const col of ["LR", "Batch", "Momentum", "Seed", "Data", "Train images"]) {
        assert(settingsHead.some((t) => t.startsWith(col)), `${col} in ${settingsHead}`);
      }
      const lrIndex = settingsHead.findIndex((t) => t.startsWith("LR ") || t === "LR");
      const batchIndex = settingsHead.findIndex((t) => t.startsWith("Batch"));
      const synthRow = (await tableRows(page)).find((r) => r.status === "done")!;
      assertEquals([synthRow.cells[lrIndex], synthRow.cells[batchIndex]], ["0.01", "32"]);
      await page.click("#view-metrics");
      // ...a diff of two ticked runs, whose curves the figures overlay...
      await page.click("#untick-all");
      await tick(page, "ce", group, true);
      await tick(page, "focal γ=2", group, true);
      await page.waitForSelector("#runs-diff:not([hidden])", { timeout: 5000 });
      const diff = await page.$$eval(
        "#diff-table tbody tr.differs",
        (trs) => trs.map((tr: any) => [...tr.children].map((c: any) => c.textContent)),
      );
      // The settings as stored (the labels in the headers name them for people).
      assertEquals(diff, [["Loss", "ce", "focal"], ["Loss params", "–", "gamma=2"]]);
      assertEquals((await lines(page)).map((l) => l.label), ["ce", "focal γ=2"]);
      // ...and the ticked runs export as one CSV.
      await page.click("#export-csv");
      const exported = new TextDecoder().decode(await waitForFile(`${dir}/lossbench-2-runs.csv`));
      const rows = exported.trim().split("\n");
      assertEquals(rows.length, 1 + 2 * 2, exported);
      assert(rows[0].startsWith("run_id,label,experiment_id,status,config_loss"), rows[0]);
      assertEquals(
        new Set(rows.slice(1).map((r) => r.split(",")[1])),
        new Set(["ce", "focal γ=2"]),
      );
      await page.click("#untick-all");
      await tick(page, "l1", group, true);
      await tick(page, "ce", group, true);
      await tick(page, "focal γ=0.5", group, true);
      await tick(page, "focal γ=2", group, true);

      // Kept after the test (the rest of `dir` is removed) for a human to look at.
      const shots = await Deno.makeTempDir({ prefix: "lossbench-dashboard-shots-" });
      const shot = `${shots}/dashboard-1280x800.png`;
      await page.screenshot({ path: shot, fullPage: true });
      console.log(`screenshot: ${shot}`);

      assertEquals(errors, [], "no console errors");

      // A server restart: the page reconnects by itself and catches up. While
      // the server is down Chrome logs the refused SSE reconnects: expected.
      const port = new URL(server.url).port;
      await server.stop();
      await page.waitForSelector("#conn[data-state=reconnecting]", { timeout: 10_000 });
      server = await startServer({ env: { ...env, PORT: port }, kvPath });
      await page.waitForSelector("#conn[data-state=live]", { timeout: 20_000 });
      const res = await fetch(`${server.url}api/runs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          loss: "ce",
          epochs: 1,
          data: "synthetic",
          trainLimit: 64,
          testLimit: 64,
        }),
      });
      assertEquals(res.status, 201);
      const id = (await res.json()).id;
      await page.waitForFunction(
        (n: number) => document.querySelectorAll("#runs-table tbody tr[data-id]").length === n,
        { timeout: 15_000 },
        9,
      );
      assert(id, "new run id");
      const unexpected = errors.filter((e) =>
        !/ERR_CONNECTION_REFUSED \(http:\/\/127\.0\.0\.1:\d+\/api\/events\)$/.test(e)
      );
      assertEquals(unexpected, [], "no console errors after the restart");
    } finally {
      await browser?.close();
      await server.stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});

async function exists(path: string) {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
