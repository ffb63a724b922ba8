// Writes docs/results.md and its figures from the service's own answers:
// every number below comes from GET /api/experiments/:id (statistics over the
// runs' recorded epochs), every figure is a screenshot of /figure.html.
import { launchChromium } from "../chromium.ts";
import type { Api } from "./service.ts";
import type { StudySetting } from "./settings.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

const REPORT_METRICS = ["testAcc", "f1", "testLoss"];
const TABLE_METRICS = ["testAcc", "f1", "testLoss", "ece"];
const NAMES: Record<string, string> = {
  testAcc: "test accuracy (%)",
  f1: "macro F1 (%)",
  testLoss: "test loss",
  ece: "ECE (%)",
  balancedAcc: "balanced accuracy (%)",
  worstClassAcc: "worst-class accuracy (%)",
  trainAccNoisy: "train acc. on flipped labels (%)",
  trainAccClean: "train acc. on clean labels (%)",
};
const isPercent = (m: string) => m !== "testLoss";

/** "56.12 ± 0.41 (5)" from a summary; losses with 4 decimals. */
function cellText(s: Json, metric: string): string {
  if (!s || s.mean === null) return "–";
  const k = isPercent(metric) ? 100 : 1;
  const d = isPercent(metric) ? 2 : 4;
  const sd = s.sd === null ? "" : ` ± ${(k * s.sd).toFixed(d)}`;
  return `${(k * s.mean).toFixed(d)}${sd} (${s.n})`;
}

function hours(ms: number): string {
  const m = Math.round(ms / 60_000);
  return m >= 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : `${m} min`;
}

/**
 * Wall time, images trained and throughput of one experiment's runs. A run's
 * own time is the sum of its epochs' seconds (a run resumed after a restart
 * gets a new startedAt), so it starts that long before it finished.
 */
async function throughput(api: Api, view: Json) {
  const runs = view.runs.filter((r: Json) => r.status === "done");
  const spans = await Promise.all(runs.map(async (r: Json) => {
    const { epochs } = await api.get(`/api/runs/${r.id}`);
    const seconds = epochs.reduce((a: number, e: Json) => a + e.epochSeconds, 0);
    const end = Date.parse(r.finishedAt);
    const n = (r.prepared?.trainCounts ?? []).reduce((a: number, b: number) => a + b, 0);
    return { start: end - 1000 * seconds, end, seconds, images: n * epochs.length };
  }));
  const start = Math.min(...spans.map((x) => x.start));
  const end = Math.max(...spans.map((x) => x.end));
  const images = spans.reduce((a, x) => a + x.images, 0);
  const perRun = runs.map((r: Json) => r.last?.trainImgPerSec ?? 0).sort((a: number, b: number) =>
    a - b
  );
  return {
    runs: runs.length,
    wallMs: end - start,
    computeSeconds: spans.reduce((a, x) => a + x.seconds, 0),
    images,
    rate: images / ((end - start) / 1000),
    medianRunRate: perRun[Math.floor(perRun.length / 2)] ?? 0,
  };
}

/** Cells ranked by mean of a metric at the summary point (higher first unless a loss). */
function ranking(stats: Json, metric: string): Json[] {
  const sign = metric === "testLoss" || metric === "ece" ? 1 : -1;
  return [...stats.cells]
    .filter((c: Json) => c.summary[metric]?.mean !== null && c.summary[metric] !== undefined)
    .sort((a: Json, b: Json) => sign * (a.summary[metric].mean - b.summary[metric].mean));
}

/** The comparison between two cells (by loss name), oriented as stored. */
function pair(stats: Json, view: Json, a: string, b: string): Json | undefined {
  const key = (loss: string) => view.cells.find((c: Json) => c.label.split(" ")[0] === loss)?.key;
  const [ka, kb] = [key(a), key(b)];
  return stats.comparisons.find((p: Json) =>
    (p.a === ka && p.b === kb) || (p.a === kb && p.b === ka)
  );
}

/** "significantly better", "not significantly different", … for `a` against `b`. */
function claim(p: Json | undefined, a: string, view: Json): string {
  if (!p) return "not compared";
  const aFirst = view.cells.find((c: Json) => c.key === p.a)?.label.split(" ")[0] === a;
  const diff = (aFirst ? 1 : -1) * (p.diff ?? 0);
  const holm = p.pTHolm;
  if (holm === null || holm === undefined) return `no test possible (${p.reason ?? "n too small"})`;
  const dir = diff > 0 ? "higher" : "lower";
  return holm < 0.05
    ? `significantly ${dir} (${diff > 0 ? "+" : "−"}${
      Math.abs(100 * diff).toFixed(2)
    } points, p(Holm) = ${holm.toPrecision(2)})`
    : `${dir} by ${Math.abs(100 * diff).toFixed(2)} points, not significant (p(Holm) = ${
      holm.toPrecision(2)
    })`;
}

function findings(s: StudySetting, view: Json, stats: Json): string[] {
  const rank = ranking(stats, "testAcc");
  const order = rank.map((c: Json) => `${c.label} ${(100 * c.summary.testAcc.mean).toFixed(2)}%`);
  const sig = stats.comparisons.filter((p: Json) => p.pTHolm !== null && p.pTHolm < 0.05);
  const out = [
    `Ranking by mean final test accuracy: ${order.join(" > ")}.`,
    `${sig.length} of ${stats.comparisons.length} pairwise differences are significant after Holm's correction (paired t-test over seeds, α = 0.05).`,
  ];
  if (s.id === "clean") {
    const l1 = view.cells.find((c: Json) => c.loss === "l1");
    const l1Acc = stats.cells.find((c: Json) => c.key === l1?.key)?.summary.testAcc.mean;
    out.push(
      `The report ranked focal γ=2 > focal γ=0.5 > cross-entropy ≫ L1, with L1 stuck near 10%. ` +
        `Here L1 reaches ${(100 * l1Acc).toFixed(2)}% on average. ` +
        `Focal γ=2 against CE: ${claim(pair(stats, view, "focal", "ce"), "focal", view)}; ` +
        `see the comparison table for both focal settings.`,
    );
  }
  if (s.id === "noise" || s.id === "asym") {
    for (const robust of ["mae", "gce", "sce", "nce_rce"]) {
      const p = pair(stats, view, robust, "ce");
      if (p) out.push(`${robust} against CE: ${claim(p, robust, view)}.`);
    }
    const mem = stats.cells.map((c: Json) =>
      `${c.label.split(" · ")[0]} ${(100 * (c.summary.trainAccNoisy?.mean ?? NaN)).toFixed(1)}%`
    );
    out.push(
      `Memorisation (train accuracy on the flipped samples, against their wrong labels, at the last epoch): ${
        mem.join(", ")
      }.`,
    );
  }
  if (s.id === "lt") {
    for (const l of ["cb_focal", "balanced_softmax", "focal"]) {
      out.push(`${l} against CE: ${claim(pair(stats, view, l, "ce"), l, view)}.`);
    }
    const worst = stats.cells.map((c: Json) =>
      `${c.label.split(" · ")[0]} ${(100 * (c.summary.worstClassAcc?.mean ?? NaN)).toFixed(1)}%`
    );
    out.push(`Worst-class test accuracy: ${worst.join(", ")}.`);
  }
  return out;
}

async function screenshots(
  base: string,
  jobs: { path: string; query: string; width: number; height: number }[],
) {
  const profile = await Deno.makeTempDir();
  const browser = await launchChromium(profile);
  try {
    const page = await browser.newPage();
    for (const j of jobs) {
      await page.setViewport({ width: j.width, height: j.height });
      await page.goto(new URL(`figure.html?${j.query}`, base).href, { waitUntil: "load" });
      await page.waitForSelector("body[data-ready='1']", { timeout: 30_000 });
      await page.screenshot({ path: j.path });
    }
  } finally {
    await browser.close();
    await Deno.remove(profile, { recursive: true });
  }
}

export async function renderResults(
  api: Api,
  experiments: Map<StudySetting, string>,
  outDir: string,
  base: string,
): Promise<void> {
  const figDir = `${outDir}/results`;
  await Deno.mkdir(figDir, { recursive: true });
  const md: string[] = [];
  const shots: { path: string; query: string; width: number; height: number }[] = [];
  const totals: string[] = [];
  let allImages = 0, allWall = 0, allCompute = 0, allRuns = 0;

  for (const [s, id] of experiments) {
    const view = await api.get(`/api/experiments/${id}?metric=testAcc`);
    const stats = view.stats;
    const t = await throughput(api, view);
    allImages += t.images;
    allWall += t.wallMs;
    allCompute += t.computeSeconds;
    allRuns += t.runs;
    totals.push(
      `| ${s.title} | ${t.runs} | ${hours(t.wallMs)} | ${hours(1000 * t.computeSeconds)} | ` +
        `${(t.images / 1e6).toFixed(1)} M | ${Math.round(t.rate)} | ${
          Math.round(t.medianRunRate)
        } |`,
    );
    md.push(`## ${s.title}`, "");
    md.push(
      `Experiment \`${id}\` (“${s.name}”): ${view.cells.length} cells × seeds ${
        view.seeds.join(", ")
      }; ` +
        `${stats.runs.finished} of ${stats.runs.total} runs finished. Summary point: the final epoch.`,
      "",
    );
    const metrics = [...REPORT_METRICS, "ece", ...s.extraMetrics];
    for (const m of metrics) {
      const file = `${s.id}-${m}.png`;
      shots.push({
        path: `${figDir}/${file}`,
        query: `experiment=${id}&metric=${m}&band=sd`,
        width: 900,
        height: 480,
      });
      md.push(`![${NAMES[m] ?? m}, ${s.title}](results/${file})`, "");
    }
    const cols = [...TABLE_METRICS, ...s.extraMetrics];
    md.push(
      `Final epoch, mean ± sd (n seeds):`,
      "",
      `| cell | ${cols.map((c) => NAMES[c] ?? c).join(" | ")} |`,
      `|---|${cols.map(() => "---:").join("|")}|`,
    );
    for (const c of stats.cells) {
      md.push(`| ${c.label} | ${cols.map((m) => cellText(c.summary[m], m)).join(" | ")} |`);
    }
    md.push(
      "",
      "Pairwise comparisons of final test accuracy (paired by seed, Holm-adjusted over all pairs):",
      "",
    );
    md.push(
      "| pair | difference (points) | 95% CI | p (t, Holm) | p (Wilcoxon, Holm) | P(A > B) | verdict |",
    );
    md.push("|---|---:|---|---:|---:|---:|---|");
    for (const p of stats.comparisons) {
      const f = (
        x: number | null,
        k = 100,
        d = 2,
      ) => (x === null || x === undefined ? "–" : (k * x).toFixed(d));
      const pv = (
        x: number | null,
      ) => (x === null || x === undefined ? "–" : x < 0.001 ? "< 0.001" : x.toPrecision(2));
      const verdict = p.verdict.slice(p.verdict.lastIndexOf(": ") + 2);
      md.push(
        `| ${p.labelA} − ${p.labelB} | ${f(p.diff)} | ${
          p.ci95 ? `[${f(p.ci95[0])}, ${f(p.ci95[1])}]` : "–"
        } | ` +
          `${pv(p.pTHolm)} | ${pv(p.pWilcoxonHolm)} | ${f(p.pImprove, 1, 2)} | ${verdict} |`,
      );
    }
    md.push("", "**What it shows.**", "", ...findings(s, view, stats).map((l) => `- ${l}`), "");
    if (s.id === "clean") {
      view.cells.forEach((c: Json, i: number) => {
        if (c.loss !== "ce" && !(c.loss === "focal" && c.params.gamma === 2)) return;
        const file = `${s.id}-reliability-${c.loss}${c.params.gamma ?? ""}.png`;
        shots.push({
          path: `${figDir}/${file}`,
          query: `experiment=${id}&reliability=${i}`,
          width: 700,
          height: 420,
        });
        md.push(`![reliability of ${c.label}](results/${file})`, "");
      });
    }
  }

  const head = [
    "# The loss-function study, reproduced with lossbench",
    "",
    `Generated by \`deno task study\` on ${
      new Date().toISOString().slice(0, 10)
    }; every number and figure on this page comes from that command's output (the service's statistics and its own figure page). Rerun it to regenerate the page; \`deno task study --check clean/ce/1\` retrains one run and checks that it reproduces its recorded numbers exactly.`,
    "",
    "**Setup.** The report's ConvNet (conv 3→4 → pool → conv 4→8 → pool → fc 32 → fc 10), its transforms (random crop 32 with 4 px padding, horizontal flip, normalisation) and its hyperparameters unchanged: SGD with momentum 0.9, lr 0.01 halved every 10 epochs, batch 64, 20 epochs, on lossbench's cpu backend. Seeds are paired: seed k gives every cell the same initial weights, batches and augmentation, and the same label flips or class subset. Bands in the figures are ±1 standard deviation over seeds; the tables give mean ± sd (n).",
    "",
    "**Data caveat.** The data is a JPEG-compressed copy of CIFAR-10 (the official split and labels, 50,000 train and 10,000 test images); pixel values differ slightly from the official binary release, so accuracies are comparable with, not identical to, figures on the official files. Conditions change the train split only; the test set stays balanced and clean.",
    "",
    "**Published numbers, for scale.** The literature's claims come from much larger networks: under 40% symmetric noise on CIFAR-10 with ResNet-34, CE 81.9% and GCE 87.1% (Zhang & Sabuncu 2018); on long-tailed CIFAR-10 (ρ = 100) with ResNet-32, CE about 70.4% and class-balanced focal about 74.6% (Cui et al. 2019). This model has about 10,000 parameters: it underfits even clean CIFAR-10, so it has little capacity to memorise noise, and the ranking of losses may differ.",
    "",
    "**Compute.**",
    "",
    "| setting | runs | wall time | run time (sum) | images trained | img/s (all workers) | median img/s per run |",
    "|---|---:|---:|---:|---:|---:|---:|",
    ...totals,
    `| all | ${allRuns} | ${hours(allWall)} | ${hours(1000 * allCompute)} | ` +
    `${(allImages / 1e6).toFixed(1)} M | ${Math.round(allImages / (allWall / 1000))} | |`,
    "",
  ];
  await screenshots(base, shots);
  await Deno.writeTextFile(`${outDir}/results.md`, [...head, ...md].join("\n"));
  console.error(`wrote ${outDir}/results.md and ${shots.length} figures in ${figDir}/`);
}
