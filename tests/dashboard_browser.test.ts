// deno-lint-ignore-file no-explicit-any -- browser-side callbacks, see `document` below
// The dashboard in a real browser (Debian's Chromium through puppeteer-core)
// against the real service on loopback: start the report's comparison from
// the page, watch the figures fill in over SSE, and check what a user sees.
import type { Browser, Page } from "puppeteer-core";
import { launchChromium, requireChromium } from "../tools/chromium.ts";
import { assert, assertEquals } from "./util/assert.ts";
import { startServer } from "./util/server.ts";

// Functions passed to page.evaluate run in the browser. Deno's type library
// has no DOM (and mixing in lib "dom" clashes with Deno's), so the few
// browser globals they use are declared loosely here.
declare const document: any;

const FIGURES = ["testAcc", "f1", "testLoss", "trainLoss", "trainAcc"];

/** Console errors, uncaught exceptions and failed requests, as the page sees them. */
function watchErrors(page: Page) {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    const text = m.text();
    // The validation check posts a bad body on purpose: Chrome logs that 400.
    if (/status of 400/.test(text) && /\/api\/runs$/.test(m.location().url ?? "")) return;
    errors.push(`console: ${text} (${m.location().url ?? ""})`);
  });
  page.on("pageerror", (e) => errors.push(`page: ${(e as Error).message ?? e}`));
  page.on("requestfailed", (r) => {
    // An SSE stream cut by a server restart or by closing the page is expected.
    if (r.url().endsWith("/api/events")) return;
    errors.push(`request: ${r.url()} ${r.failure()?.errorText}`);
  });
  return errors;
}

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
  name: "dashboard: a comparison started from the page draws live in Chromium",
  // puppeteer keeps sockets and timers of its own between steps.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await requireChromium();
    const dir = await Deno.makeTempDir({ prefix: "lossbench-dash-" });
    // The real service: PORT=0, a temporary KV (kept for the restart below), cpu.
    const kvPath = `${dir}/lossbench.kv`;
    const env = { LOSSBENCH_WORKERS: "2", LOSSBENCH_BACKEND: "cpu" };
    let server = await startServer({ env, kvPath });
    let browser: Browser | null = null;
    try {
      browser = await launchChromium(`${dir}/chromium`);
      const page = await browser.newPage();
      const errors = watchErrors(page);
      await page.setViewport({ width: 1280, height: 800 });
      const cdp = await page.createCDPSession();
      await cdp.send("Browser.setDownloadBehavior", { behavior: "allow", downloadPath: dir });

      await page.goto(server.url, { waitUntil: "load" });
      await page.waitForSelector("#conn[data-state=live]", { timeout: 10_000 });

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

      // The report's comparison, small enough for two shared cores.
      for (
        const [k, v] of Object.entries({
          epochs: "2",
          data: "synthetic",
          trainLimit: "256",
          testLimit: "128",
          batchSize: "32",
        })
      ) await setField(page, k, v);
      assertEquals(await page.$eval("#e-epochs", (el) => el.textContent), "", "error cleared");
      await page.click("#start-compare");

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
      const legends = await page.evaluate(() =>
        (globalThis as any).Chart.getChart(document.getElementById("chart-testAcc"))
          .data.datasets.map((d: any) => d.label)
      );
      assertEquals(legends, ["L1", "CE", "focal γ=0.5", "focal γ=2"]);

      // The canvases really drew: coloured lines, points and heatmap cells.
      await page.waitForFunction(() => !document.getElementById("cm-canvas")!.closest("[hidden]"));
      const pixels = await colouredPixels(page);
      for (const [id, n] of Object.entries(pixels)) assert(n > 200, `${id}: ${n} coloured pixels`);

      // The runs table: four rows, all done, with final metrics and a CSV link.
      await page.waitForFunction(
        () =>
          [...document.querySelectorAll("#runs-table .badge")].filter((b: any) =>
            b.textContent === "done"
          ).length === 4,
        { timeout: 20_000 },
      );
      const csvHref = await page.$eval("#runs-table a.button", (a: any) => a.href);
      const csv = await (await fetch(csvHref)).text();
      assert(csv.startsWith("epoch,train_loss,train_acc,test_loss,test_acc,f1"), csv.slice(0, 80));

      // Save PNG downloads a real PNG.
      await page.click("#save-testAcc");
      const png = `${dir}/lossbench-test-accuracy.png`;
      for (let i = 0; i < 50 && !(await exists(png)); i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const sig = (await Deno.readFile(png)).subarray(0, 8);
      assertEquals([...sig], [137, 80, 78, 71, 13, 10, 26, 10], "PNG signature");

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
        (n: number) => document.querySelectorAll("#runs-table tbody tr").length === n,
        { timeout: 15_000 },
        5,
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
