// What the dashboard's browser tests watch on a page.
// deno-lint-ignore no-import-prefix -- a dev-only package: kept out of what serving installs
import type { Page } from "npm:puppeteer-core@^25.16.0";

/**
 * Console errors, uncaught exceptions and failed requests, as the page sees them. A 400 from a
 * URL matching `asked400` was asked for on purpose (Chrome logs it); an SSE stream cut by a
 * server restart or by closing the page is expected.
 */
export function watchErrors(page: Page, asked400?: RegExp): string[] {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    const text = m.text();
    if (asked400 && /status of 400/.test(text) && asked400.test(m.location().url ?? "")) return;
    errors.push(`console: ${text} (${m.location().url ?? ""})`);
  });
  page.on("pageerror", (e) => errors.push(`page: ${(e as Error).message ?? e}`));
  page.on("requestfailed", (r) => {
    if (r.url().endsWith("/api/events")) return;
    errors.push(`request: ${r.url()} ${r.failure()?.errorText}`);
  });
  return errors;
}
