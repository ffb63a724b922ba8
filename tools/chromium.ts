// Debian's Chromium through puppeteer-core (no browser download), with the
// flags this closed-network machine needs. Used by the browser test and by
// tools/screenshot.ts. puppeteer-core is imported by full specifier, not
// through deno.json's import map: `deno task serve` installs that map's
// packages on a first start, and serving never needs a browser.
// deno-lint-ignore no-import-prefix -- a dev-only package: kept out of what serving installs
import puppeteer, { type Browser } from "npm:puppeteer-core@^25.16.0";

export const CHROMIUM = "/usr/bin/chromium";

/** Fails loudly (never skips) when the browser is missing: CI installs it. */
export async function requireChromium(): Promise<void> {
  try {
    await Deno.stat(CHROMIUM);
  } catch {
    throw new Error(
      `${CHROMIUM} not found: the dashboard test needs Debian's chromium ` +
        "(apt-get install chromium; .ci/run installs it)",
    );
  }
}

/** Headless Chromium with a fresh profile in `profile`. */
export async function launchChromium(profile: string): Promise<Browser> {
  await requireChromium();
  return await puppeteer.launch({
    executablePath: CHROMIUM,
    // The machine's network is closed: without these, Chromium's background
    // services keep trying to connect and stall or spam the log.
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--user-data-dir=${profile}`,
    ],
  });
}
