// deno-lint-ignore-file no-explicit-any -- browser-side callbacks, see `document` below
// The start form's condition rows in a real browser (Chromium through
// puppeteer-core) against the real service: built from GET /api/conditions
// (a select per stage with every registered kind, the chosen kind's fields
// from its JSON Schema), a kind's field error from the API's 400 shown beside
// its row, and what the page sends reaching the experiment's cells.
// deno-lint-ignore no-import-prefix -- a dev-only package: kept out of what serving installs
import type { Browser, Page } from "npm:puppeteer-core@^25.16.0";
import { launchChromium, requireChromium } from "../tools/chromium.ts";
import { assert, assertEquals } from "./util/assert.ts";
import { getJson, startServer } from "./util/server.ts";

declare const document: any;

async function set(page: Page, selector: string, value: string) {
  await page.$eval(selector, (el: any, v: string) => {
    el.closest("details")?.setAttribute("open", "");
    el.value = v;
    el.dispatchEvent(new Event(el.tagName === "SELECT" ? "change" : "input", { bubbles: true }));
  }, value);
}

const row = "#condition-rows .condition-row:first-child";
const stage = (key: string) => `${row} select[data-stage=${key}]`;

Deno.test({
  name: "dashboard: the condition form is built from GET /api/conditions and sends what it shows",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await requireChromium();
    const dir = await Deno.makeTempDir({ prefix: "lossbench-cond-" });
    const server = await startServer({ env: { LOSSBENCH_WORKERS: "1", LOSSBENCH_BACKEND: "cpu" } });
    let browser: Browser | null = null;
    const api = (path: string) => getJson(server.url, path);
    try {
      const catalog = await api("api/conditions");
      browser = await launchChromium(`${dir}/chromium`);
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String((e as Error).message ?? e)));
      await page.goto(server.url, { waitUntil: "load" });
      await page.waitForSelector("#conn[data-state=live]", { timeout: 10_000 });
      // Every registered kind of every stage, in the registry's order, after "none".
      const last = catalog.stages.at(-1);
      await page.waitForSelector(`${stage(last.key)} option[value=${last.kinds.at(-1).name}]`, {
        timeout: 10_000,
      });
      for (const s of catalog.stages) {
        const options = await page.$$eval(
          `${stage(s.key)} option`,
          (os) => os.map((o: any) => o.value),
        );
        assertEquals(options, ["", ...s.kinds.map((k: any) => k.name)], s.key);
      }
      // A kind's fields come from its schema: human noise asks for a set (its example first).
      await set(page, stage("labelNoise"), "human");
      const setInput = `${row} .cond-part[data-stage=labelNoise] input[data-param=set]`;
      assertEquals(await page.$eval(setInput, (e: any) => [e.type, e.value]), ["text", "worse"]);
      // Symmetric noise: a rate with the schema's bounds; the imbalance ratio likewise.
      await set(page, stage("labelNoise"), "symmetric");
      const rate = `${row} input[data-param=rate]`;
      assertEquals(await page.$eval(rate, (e: any) => [e.type, e.min, e.max]), [
        "number",
        "0",
        "1",
      ]);
      await set(page, stage("imbalance"), "exp");
      const ratio = `${row} input[data-param=ratio]`;
      assertEquals(await page.$eval(ratio, (e: any) => e.min), "1");

      // One loss, one seed, tiny settings.
      while ((await page.$$("#loss-rows .loss-row")).length > 1) {
        await page.click("#loss-rows .loss-row:last-child .remove");
      }
      for (
        const [k, v] of Object.entries({
          seeds: "1",
          epochs: "1",
          data: "synthetic",
          trainLimit: "200",
          testLimit: "50",
        })
      ) await set(page, `#f-${k}`, v);

      // rate 1: inside the input's max, refused by the schema's exclusive bound, shown beside the row.
      await set(page, rate, "1");
      await set(page, ratio, "2");
      await page.click("#start-compare");
      await page.waitForFunction(() => document.getElementById("e-conditions-0").textContent, {
        timeout: 10_000,
      });
      const text = await page.$eval("#e-conditions-0", (e: any) => e.textContent);
      assert(/^Too big: expected number to be <1/.test(text), text);
      assertEquals(await page.$eval(rate, (e: any) => e.getAttribute("aria-invalid")), "true");
      assertEquals((await api("api/experiments")).experiments.length, 0, "nothing queued");

      // Fixed, it reaches the experiment's cell as the registry's shape, labelled by the server.
      await set(page, rate, "0.2");
      await page.click("#start-compare");
      await page.waitForSelector("#view-experiment:not([hidden])", { timeout: 10_000 });
      const [exp] = (await api("api/experiments")).experiments;
      const detail = await api(`api/experiments/${exp.id}`);
      assertEquals(detail.cells.map((c: any) => [c.condition, c.label]), [[
        { labelNoise: { kind: "symmetric", rate: 0.2 }, imbalance: { profile: "exp", ratio: 2 } },
        "l1 · LT exp ρ=2 + sym noise 20%",
      ]]);
      assertEquals(errors, []);
    } finally {
      await browser?.close();
      await server.stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
