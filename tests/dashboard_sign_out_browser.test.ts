// With LOSSBENCH_TOKEN set, in a real browser (Debian's Chromium): sign in at /login, the
// dashboard shows "Sign out" (and only then: health says the session is the cookie), and the
// button clears the cookie: the browser is back at /login, and the dashboard sends it there again.
import { launchChromium } from "../tools/chromium.ts";
import { assert, assertEquals } from "./util/assert.ts";
import { startServer } from "./util/server.ts";

Deno.test("the dashboard signs out: the button clears the session and goes to /login", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lossbench-signout-" });
  const srv = await startServer({ env: { LOSSBENCH_TOKEN: "s3cret-T0ken-2024xyz" } });
  const browser = await launchChromium(`${dir}/chromium`);
  try {
    const page = await browser.newPage();
    await page.goto(srv.url);
    assertEquals(new URL(page.url()).pathname, "/login");
    await page.type('input[name="token"]', "s3cret-T0ken-2024xyz");
    await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
    assertEquals(new URL(page.url()).pathname, "/");
    await page.waitForSelector("#sign-out:not([hidden])", { timeout: 15_000 });
    const cookies = () => page.cookies().then((cs) => cs.map((c) => c.name));
    assert((await cookies()).some((n) => n.startsWith("lossbench_session")), "not signed in");

    await Promise.all([page.waitForNavigation(), page.click("#sign-out button")]);
    assertEquals(new URL(page.url()).pathname, "/login");
    assertEquals((await cookies()).filter((n) => n.startsWith("lossbench_session")), []);
    await page.goto(srv.url);
    assertEquals(new URL(page.url()).pathname, "/login", "still signed in after signing out");
  } finally {
    await browser.close();
    await srv.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("without a token the dashboard offers no sign-out", async () => {
  const srv = await startServer();
  try {
    const health = await (await fetch(`${srv.url}api/health`)).json();
    assertEquals(health.session, "none");
    const html = await (await fetch(srv.url)).text();
    assert(/<form id="sign-out"[^>]*hidden/.test(html), "the form is hidden until health says so");
  } finally {
    await srv.stop();
  }
});
