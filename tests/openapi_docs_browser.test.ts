// /api/docs in a real browser (Debian's Chromium): Swagger UI renders every
// operation of the document, asks nothing of any other origin (no CDN, no
// validator badge), logs no error, and with a token sends a browser to sign in
// first and then works on the cookie.
// deno-lint-ignore no-import-prefix -- dev-only
import type { Page } from "npm:puppeteer-core@^25.16.0";
import { launchChromium } from "../tools/chromium.ts";
import { assert, assertEquals } from "./util/assert.ts";
import { startServer } from "./util/server.ts";

/** Every request the page makes, and its errors. */
function watch(page: Page) {
  const urls: string[] = [];
  const errors: string[] = [];
  page.on("request", (r) => urls.push(r.url()));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()} (${m.location().url ?? ""})`);
  });
  page.on("pageerror", (e) => errors.push(`page: ${(e as Error).message ?? e}`));
  page.on("requestfailed", (r) => errors.push(`request: ${r.url()} ${r.failure()?.errorText}`));
  return { urls, errors };
}

Deno.test("the API reference renders every operation, offline", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lossbench-docs-" });
  const srv = await startServer({ env: { LOSSBENCH_TOKEN: "s3cret-T0ken-2024xyz" } });
  const browser = await launchChromium(`${dir}/chromium`);
  try {
    const page = await browser.newPage();
    const { urls, errors } = watch(page);
    // Not signed in: the reference page, like the dashboard, goes to /login.
    await page.goto(`${srv.url}api/docs`);
    assertEquals(new URL(page.url()).pathname, "/login");
    await page.type('input[name="token"]', "s3cret-T0ken-2024xyz");
    await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
    // (The sign-in page's own requests are the dashboard's business.)
    urls.length = 0;
    errors.length = 0;
    await page.goto(`${srv.url}api/docs`);
    await page.waitForSelector(".opblock", { timeout: 30_000 });

    const doc = await (await fetch(`${srv.url}api/openapi.json`, {
      headers: { authorization: "Bearer s3cret-T0ken-2024xyz" },
    })).json();
    const operations = Object.values(doc.paths as Record<string, object>)
      .reduce((n, item) => n + Object.keys(item).length, 0);
    const shown = await page.$$eval(".opblock", (els) => els.length);
    assertEquals(shown, operations);
    const title = await page.$eval(".info .title", (el) => el.textContent ?? "");
    assert(title.startsWith("lossbench"), title);
    // The bearer and cookie schemes are offered.
    assert(await page.$(".auth-wrapper .authorize"), "no Authorize button");

    const origin = new URL(srv.url).origin;
    const foreign = urls.filter((u) => !u.startsWith(origin) && !u.startsWith("data:"));
    assertEquals(foreign, []);
    assert(urls.some((u) => u.endsWith("/api/openapi.json")));
    assertEquals(errors, []);
  } finally {
    await browser.close();
    await srv.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
