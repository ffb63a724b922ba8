// Screenshot of a running dashboard, as the README's figures are made:
//   deno run -A tools/screenshot.ts [URL] [OUT.png] [WIDTHxHEIGHT] [--full]
//     [--click=SELECTOR]... [--at=SELECTOR] [--element=SELECTOR]
// --click clicks an element (in order, e.g. "#untick-all", then a row's
// checkbox) before the shot; --at scrolls an element to the top of the view;
// --element shoots just that element, whole (e.g. "#view-experiment" with
// URL …/#experiment=ID: the experiment view without the sticky start form).
// Uses Debian's Chromium (/usr/bin/chromium) through puppeteer-core.
import { launchChromium } from "./chromium.ts";

const [url = "http://127.0.0.1:8000/", out = "dashboard.png", size = "1280x800"] = Deno.args.filter(
  (a) => !a.startsWith("--"),
);
const option = (name: string) =>
  Deno.args.filter((a) => a.startsWith(`--${name}=`)).map((a) => a.slice(name.length + 3));
const [width, height] = size.split("x").map(Number);
const profile = await Deno.makeTempDir();
const browser = await launchChromium(profile);
try {
  const page = await browser.newPage();
  await page.setViewport({ width, height });
  await page.goto(url, { waitUntil: "networkidle2" });
  await new Promise((r) => setTimeout(r, 3000)); // let the charts draw from /api/runs and SSE
  for (const selector of option("click")) {
    await page.click(selector);
    await new Promise((r) => setTimeout(r, 300));
  }
  for (const selector of option("at")) {
    await page.$eval(selector, (el) => el.scrollIntoView({ block: "start" }));
    await new Promise((r) => setTimeout(r, 300));
  }
  const [element] = option("element");
  if (element) {
    const el = await page.$(element);
    if (!el) throw new Error(`no element ${element}`);
    await el.screenshot({ path: out });
  } else await page.screenshot({ path: out, fullPage: Deno.args.includes("--full") });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await Deno.remove(profile, { recursive: true });
}
