// deno-lint-ignore-file no-explicit-any -- browser-side callbacks and JSON bodies
// Losses across conditions over real HTTP: a 3 losses × 2 conditions grid's statistics carry
// `acrossConditions` (mean ranks recomputed here from the cells' own summaries, Friedman's χ²
// from SciPy), a one-condition experiment's don't, and the dashboard's experiment view draws the
// critical-difference diagram in a real browser. The diagram's pure parts are checked first.
// deno-lint-ignore no-import-prefix -- a dev-only package: kept out of what serving installs
import type { Browser } from "npm:puppeteer-core@^25.16.0";
import { launchChromium, requireChromium } from "../tools/chromium.ts";
import { assert, assertEquals } from "./util/assert.ts";
import { api } from "./util/api.ts";
import { scipy } from "./util/scipy.ts";
import { startServer } from "./util/server.ts";
import { describeMetrics } from "../ml/metrics/registry.ts";

// The page's modules are browser code, type-checked against the DOM by `deno task check:static`;
// imported by a computed URL they stay out of this program's check, which has Deno's types. They
// name metrics from the registry, as GET /api/metrics serves it.
const page = (name: string): Promise<any> =>
  import(new URL(`../static/js/${name}`, import.meta.url).href);
(await page("metrics.js")).setMetrics({ metrics: describeMetrics() });
const { cdCaption, cdSvg, cliques } = await page("cd-diagram.js");

declare const document: any;

Deno.test("cd diagram: groups within one CD, one label per loss, the tests in the caption", () => {
  assertEquals(cliques([1, 1.5, 2.2, 3.9, 4.1], 1.0), [[0, 1], [1, 2], [3, 4]]);
  assertEquals(cliques([1, 2, 3], 0.5), []);
  assertEquals(cliques([1, 1.1, 1.2], 5), [[0, 2]]);
  const across = {
    metric: "testAcc",
    better: "higher",
    alpha: 0.05,
    blocks: [{ key: "a", label: "clean" }, { key: "b", label: "noise" }],
    losses: [
      { key: "ce", label: "ce", meanRank: 2.5 },
      { key: "gce", label: "gce <q=0.7>", meanRank: 1 },
      { key: "mae", label: "mae", meanRank: 2.5 },
    ],
    friedman: { chi2: 3, df: 2, p: 0.22, f: 3, df1: 2, df2: 2, pF: 0.25 },
    nemenyi: { q: 2.343, cd: 2.34 },
    pairs: [],
    bootstrap: { reps: 2000, seed: 1 },
  };
  const svg = cdSvg(across);
  assertEquals(svg.match(/class="cd-loss"/g)?.length, 3);
  assertEquals(svg.match(/class="cd-group"/g)?.length, 1);
  assert(svg.includes("gce &lt;q=0.7&gt; (1.00)"), "labels are escaped, with the mean rank");
  assert(svg.includes("CD = 2.34"));
  const cap = cdCaption(across);
  assert(cap.includes("Friedman χ²(2) = 3.00, p = 0.22"), cap);
  assert(cap.includes("Iman–Davenport F(2, 2) = 3.00, p = 0.25"), cap);
});

const TINY = {
  data: "synthetic",
  trainLimit: 200,
  testLimit: 100,
  batchSize: 20,
  epochs: 2,
  lr: 0.05,
};

function scipyFriedman(scores: number[][]): Promise<number> {
  const script = "import json,sys\nfrom scipy import stats\ns=json.load(sys.stdin)\n" +
    "print(stats.friedmanchisquare(*zip(*s)).statistic)";
  return scipy<number>(script, scores);
}

Deno.test({
  name:
    "across: an experiment with 2 conditions has acrossConditions, and the page draws its CD diagram",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const srv = await startServer({ env: { LOSSBENCH_WORKERS: "2" } });
    const base = srv.url;
    let browser: Browser | null = null;
    const dir = await Deno.makeTempDir({ prefix: "lossbench-cd-" });
    try {
      const one = await api(base, "POST", "api/experiments", {
        ...TINY,
        losses: [{ loss: "ce" }, { loss: "l1" }],
        seeds: [1],
      });
      assertEquals(one.status, 201);
      const created = await api(base, "POST", "api/experiments", {
        ...TINY,
        losses: [{ loss: "ce" }, { loss: "l1" }, { loss: "focal", params: { gamma: 2 } }],
        conditions: [{}, { labelNoise: { kind: "symmetric", rate: 0.4 } }],
        seeds: [1],
      });
      assertEquals(created.status, 201, JSON.stringify(created.json));
      const id = created.json.id;
      let exp: any;
      for (let i = 0; i < 1200; i++) {
        exp = (await api(base, "GET", `api/experiments/${id}`)).json;
        if (exp.runs.every((r: any) => r.status === "done")) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      exp = (await api(base, "GET", `api/experiments/${id}?metric=testAcc`)).json;
      const across = exp.stats.acrossConditions;
      assert(across, "acrossConditions present");
      assertEquals(across.blocks.map((b: any) => b.label), ["clean", "sym noise 40%"]);
      // Mean ranks from the cells' own mean test accuracy: rank within each condition, 1 = best.
      const means = exp.stats.cells.map((c: any) => c.summary.testAcc.mean);
      const scores = [[means[0], means[1], means[2]], [means[3], means[4], means[5]]];
      const rank = (row: number[], j: number) =>
        1 + row.filter((x) => x > row[j]).length + (row.filter((x) => x === row[j]).length - 1) / 2;
      const expected = [0, 1, 2].map((j) => (rank(scores[0], j) + rank(scores[1], j)) / 2);
      assertEquals(across.losses.map((l: any) => l.meanRank), expected);
      assertEquals(across.losses.map((l: any) => l.label), ["ce", "l1", "focal γ=2"]);
      const chi2 = await scipyFriedman(scores);
      assert(Math.abs(across.friedman.chi2 - chi2) < 1e-9, `${across.friedman.chi2} vs ${chi2}`);
      assertEquals(across.pairs.length, 3);
      for (const p of across.pairs) {
        assert(p.pImproveCi[0] <= p.pImprove && p.pImprove <= p.pImproveCi[1]);
      }
      // One condition: nothing across conditions.
      const single = (await api(base, "GET", `api/experiments/${one.json.id}`)).json;
      assertEquals(single.stats.acrossConditions, undefined);

      await requireChromium();
      browser = await launchChromium(`${dir}/chromium`);
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      await page.setViewport({ width: 1280, height: 800 });
      await page.goto(`${base}#experiment=${id}`, { waitUntil: "load" });
      await page.waitForSelector("#exp-cd svg .cd-loss", { timeout: 20_000 });
      const labels = await page.$$eval(
        "#exp-cd .cd-loss",
        (els: any[]) => els.map((e) => e.textContent),
      );
      assertEquals(labels.length, 3);
      assert(labels.some((l: string) => l.startsWith("focal γ=2 (")), labels.join());
      const caption = await page.$eval("#exp-cd figcaption", (e: any) => e.textContent);
      assert(caption.includes(`Friedman χ²(2) = ${across.friedman.chi2.toFixed(2)}`), caption);
      assertEquals(await page.$$eval("#exp-cd .cd-pairs tbody tr", (r: any[]) => r.length), 3);
      // The one-condition experiment has no diagram.
      await page.goto(`${base}#experiment=${one.json.id}`, { waitUntil: "load" });
      await page.reload({ waitUntil: "load" });
      await page.waitForFunction(
        (oid: string) =>
          document.querySelector("#exp-select")?.value === oid &&
          document.querySelector("#exp-summary tr") && !document.querySelector("#exp-cd"),
        { timeout: 20_000 },
        one.json.id,
      );
      assertEquals(errors, []);
    } finally {
      await browser?.close();
      await srv.stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
