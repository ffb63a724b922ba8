// Writes docs/results.md and its figures from the service's own answers:
// every number below comes from GET /api/experiments/:id (statistics over the
// runs' recorded epochs), every figure is a screenshot of /figure.html.
import { launchChromium } from "../chromium.ts";
import { pText, pts as points, type Restated, settingMarkdown } from "./restate.ts";
import type { Api } from "./service.ts";
import type { StudySetting } from "./settings.ts";
import { jpegDecoderId, type JpegDecoderName } from "../../ml/data/jpeg.ts";
import { pilNote, twinSection } from "./human.ts";

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
  // (the true minus sign, as in the verdicts)
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
 * Wall time while any of these runs trained: the union of their spans, so that seeds added in a
 * later session do not count the days in between.
 */
export function busyMs(spans: { start: number; end: number }[]): number {
  let total = 0, reach = -Infinity;
  for (const x of [...spans].sort((a, b) => a.start - b.start)) {
    if (x.end <= reach) continue;
    total += x.end - Math.max(x.start, reach);
    reach = x.end;
  }
  return total;
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
  const wallMs = busyMs(spans);
  const images = spans.reduce((a, x) => a + x.images, 0);
  const perRun = runs.map((r: Json) => r.last?.trainImgPerSec ?? 0).sort((a: number, b: number) =>
    a - b
  );
  return {
    runs: runs.length,
    spans,
    wallMs,
    computeSeconds: spans.reduce((a, x) => a + x.seconds, 0),
    images,
    rate: images / (wallMs / 1000),
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

/** A cell picked by its loss (and focal's γ, when given). */
type Pick = { loss: string; gamma?: number };
const picks = (c: Json, p: Pick) =>
  c.loss === p.loss && (p.gamma === undefined || c.params.gamma === p.gamma);
const name = (p: Pick) => (p.gamma === undefined ? p.loss : `${p.loss} γ=${p.gamma}`);

/** A against B on the compared metric: the signed difference, its Holm p and its words. */
function against(stats: Json, view: Json, a: Pick, b: Pick) {
  const ka = view.cells.find((c: Json) => picks(c, a))?.key;
  const kb = view.cells.find((c: Json) => picks(c, b))?.key;
  const p = stats.comparisons.find((x: Json) =>
    (x.a === ka && x.b === kb) || (x.a === kb && x.b === ka)
  );
  if (!p || p.diff === null) return { p, diff: null, holm: null, words: "not compared" };
  const diff = (p.a === ka ? 1 : -1) * p.diff;
  const holm: number | null = p.pTHolm;
  const pts = `${diff > 0 ? "+" : "−"}${Math.abs(100 * diff).toFixed(2)} points`;
  const ph = holm === null ? "" : `p(Holm) ${holm < 0.001 ? "< 0.001" : `= ${pText(holm)}`}`;
  const words = holm === null
    ? `${pts}, no test possible (${p.reason ?? "too few seeds"})`
    : p.outcome === "A better" || p.outcome === "B better"
    ? `${pts}, significant (${ph})`
    : p.outcome === "equivalent"
    ? `${pts}, equivalent within ±0.50 points (${ph}, TOST p(Holm) = ${pText(p.pTostHolm)})`
    : `${pts}, inconclusive (${ph}; ${points(p.mde)} points detectable at n = ${p.n}, ` +
      `${p.seedsNeeded} seeds needed for 0.5)`;
  return { p, diff, holm, words };
}

const mean = (stats: Json, view: Json, c: Pick, metric: string): number | null => {
  const key = view.cells.find((x: Json) => picks(x, c))?.key;
  return stats.cells.find((x: Json) => x.key === key)?.summary[metric]?.mean ?? null;
};
const pctOf = (x: number | null) => (x === null ? "–" : `${(100 * x).toFixed(1)}%`);
const head = (label: string) => label.split(" · ")[0];

/** Focal γ=2 against CE on calibration, and which way the focal runs are off. */
function calibrationSentence(stats: Json, view: Json): string {
  const f2: Pick = { loss: "focal", gamma: 2 };
  const [eF, eC] = [mean(stats, view, f2, "ece"), mean(stats, view, { loss: "ce" }, "ece")];
  // Mean confidence minus accuracy over the focal runs' final test sets.
  // A tuning trial has no test split (no reliability); its confirmation runs do.
  const gaps = view.runs.filter((r: Json) =>
    r.tune?.role !== "trial" && r.last?.reliability &&
    picks(view.cells.find((c: Json) => c.key === r.cellKey), f2)
  )
    .map((r: Json) => {
      const rel = r.last.reliability;
      const n = rel.count.reduce((a: number, b: number) => a + b, 0);
      const conf = rel.count.reduce(
        (a: number, c: number, i: number) => a + c * rel.confidence[i],
        0,
      );
      return conf / n - r.last.testAcc;
    });
  const gap = gaps.reduce((a: number, b: number) => a + b, 0) / Math.max(1, gaps.length);
  const way = gap < 0 ? "under-confident" : "over-confident";
  return `**Calibration** (focal loss is known for improving it, Mukhoti et al. 2020): focal γ=2 ` +
    `ends with an ECE of ${pctOf(eF)} against CE's ${pctOf(eC)}` +
    (eF !== null && eC !== null && eF > eC
      ? `, so the claim does not hold here: its mean confidence is ${pctOf(Math.abs(gap))} ` +
        `${gap < 0 ? "below" : "above"} its accuracy (${way}; see the reliability diagrams below).`
      : `, so the claim holds here (mean confidence ${pctOf(Math.abs(gap))} ${
        gap < 0 ? "below" : "above"
      } accuracy).`);
}

/** CE's memorisation from the first to the last epoch, against the chance level. */
function memorisationTrend(stats: Json, view: Json, chance: number): string {
  const key = view.cells.find((c: Json) => c.loss === "ce")?.key;
  const rows = stats.cells.find((c: Json) => c.key === key)?.perEpoch.trainAccNoisy ?? [];
  if (!rows.length) return "";
  const [first, last] = [rows[0].mean, rows[rows.length - 1].mean];
  const above = last - chance;
  return `CE's goes from ${pctOf(first)} at epoch 1 to ${pctOf(last)} at epoch ${
    rows[rows.length - 1].epoch
  }: ${
    Math.abs(above) < 0.005
      ? "at chance, so this model does not memorise the noise."
      : above > 0
      ? `${(100 * above).toFixed(1)} points above chance, so CE fits a little of the noise.`
      : "below chance."
  }`;
}

/**
 * What a set of claims ("X beats CE") comes to: it holds where X is decided better, is refuted
 * where X is decided worse, and is untested where the pair is inconclusive at this n.
 */
export function claimStatus(xs: { name: string; diff: number | null; holm: number | null }[]) {
  const decided = (x: { holm: number | null }) => x.holm !== null && x.holm < 0.05;
  const holds = xs.filter((x) => decided(x) && x.diff! > 0).map((x) => x.name);
  const refuted = xs.filter((x) => decided(x) && x.diff! < 0).map((x) => x.name);
  const untested = xs.filter((x) => !decided(x)).map((x) => x.name);
  if (holds.length === xs.length) return "holds";
  const parts = [
    holds.length ? `holds for ${holds.join(", ")}` : "",
    refuted.length ? `is refuted for ${refuted.join(", ")}` : "",
    untested.length ? `is untested at this n for ${untested.join(", ")}` : "",
  ].filter(Boolean);
  return parts.length > 1
    ? `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}`
    : parts[0] ?? "is untested";
}

function findings(s: StudySetting, view: Json, stats: Json): string[] {
  const rank = ranking(stats, "testAcc");
  const order = rank.map((c: Json) =>
    `${head(c.label)} ${(100 * c.summary.testAcc.mean).toFixed(2)}%`
  );
  const sig = stats.comparisons.filter((p: Json) => p.pTHolm !== null && p.pTHolm < 0.05);
  const count = (o: string) => stats.comparisons.filter((p: Json) => p.outcome === o).length;
  const byEce = ranking(stats, "ece").map((c: Json) =>
    `${head(c.label)} ${pctOf(c.summary.ece.mean)}`
  );
  const out = [
    `Ranking by mean final test accuracy: ${order.join(" > ")}. ` +
    `${sig.length} of ${stats.comparisons.length} pairwise differences are significant after ` +
    `Holm's correction (paired t-test over seeds, α = 0.05); ${count("equivalent")} shown ` +
    `equivalent within ±0.5 points, ${count("inconclusive")} inconclusive.`,
    `Calibration, best first (ECE at the final epoch): ${byEce.join(", ")}.`,
  ];
  const ce: Pick = { loss: "ce" };
  if (s.id === "clean") {
    const f2 = against(stats, view, { loss: "focal", gamma: 2 }, ce);
    const f05 = against(stats, view, { loss: "focal", gamma: 0.5 }, ce);
    const f2f05 = against(stats, view, { loss: "focal", gamma: 2 }, { loss: "focal", gamma: 0.5 });
    const l1 = mean(stats, view, { loss: "l1" }, "testAcc");
    const status = claimStatus([
      { name: "focal γ=2 > CE", ...f2 },
      { name: "focal γ=0.5 > CE", ...f05 },
      { name: "focal γ=2 > focal γ=0.5", ...f2f05 },
    ]);
    out.push(
      `**The report's ranking** (focal γ=2 > focal γ=0.5 > CE ≫ L1, L1 near 10%) ` +
        `${status} here. ` +
        `Focal γ=2 against CE: ${f2.words}; focal γ=0.5 against CE: ${f05.words}; ` +
        `focal γ=2 against focal γ=0.5: ${f2f05.words}. ` +
        `L1 is far behind every other loss but not stuck at chance: ${pctOf(l1)} on average.`,
      calibrationSentence(stats, view),
    );
  }
  if (s.id === "noise" || s.id === "asym" || s.id === "capacity" || s.group === "human") {
    const robust = ["mae", "gce", "sce", "nce_rce"].filter((l) =>
      view.cells.some((c: Json) => c.loss === l)
    );
    const lines = robust.map((l) => `${l}: ${against(stats, view, { loss: l }, ce).words}`);
    const status = claimStatus(
      robust.map((l) => ({ name: l, ...against(stats, view, { loss: l }, ce) })),
    );
    out.push(
      `**The literature's claim** (MAE, GCE, SCE and NCE+RCE resist label noise where CE ` +
        `memorises it) ${status} at this scale. Against CE: ${lines.join("; ")}.`,
    );
    const memo = view.cells.map((c: Json) => {
      const m = mean(stats, view, { loss: c.loss, gamma: c.params.gamma }, "trainAccNoisy");
      return `${c.loss} ${pctOf(m)}`;
    });
    const ceClean = mean(stats, view, ce, "trainAccClean");
    out.push(
      `**Memorisation** (train accuracy on the flipped samples, against their wrong labels, at ` +
        `the last epoch): ${memo.join(", ")}.` +
        ((s.id === "noise" || s.id === "capacity") && ceClean !== null
          ? ` A model that ignores the flips matches a flipped sample's label only by chance: about ` +
            `(1 − ${pctOf(ceClean)}) / 9 = ${pctOf((1 - ceClean) / 9)} with CE's accuracy on the ` +
            `clean samples. ${memorisationTrend(stats, view, (1 - ceClean) / 9)}`
          : s.group === "human"
          ? ` Human flips concentrate on similar classes (truck ↔ automobile, cat ↔ dog), so ` +
            `a model that confuses those classes matches the given label without memorising it.`
          : s.id === "asym"
          ? ` Asymmetric flips go to a similar class (cat ↔ dog, truck → automobile), so a model ` +
            `that confuses those classes matches the given label without memorising it; this ` +
            `figure is not a clean memorisation measure here.`
          : ""),
    );
  }
  if (s.id === "lt") {
    const lines = [
      { loss: "cb_focal" },
      { loss: "balanced_softmax" },
      { loss: "focal", gamma: 2 },
    ].map((p) => `${name(p)}: ${against(stats, view, p, ce).words}`);
    const status = claimStatus(
      ["cb_focal", "balanced_softmax"].map((l) => ({
        name: l,
        ...against(stats, view, { loss: l }, ce),
      })),
    );
    const worst = view.cells.map((c: Json) =>
      `${c.loss} ${
        pctOf(mean(stats, view, { loss: c.loss, gamma: c.params.gamma }, "worstClassAcc"))
      }`
    );
    out.push(
      `**The literature's claim** (class-balanced losses and balanced softmax beat CE on ` +
        `long-tailed data) ${status} at this scale. Against CE: ${
          lines.join("; ")
        }. The test set is balanced, so test ` +
        `accuracy equals balanced accuracy here. Worst-class test accuracy: ${worst.join(", ")}.`,
    );
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

/** Which decoder turned the JPEG files into the pixels the page's numbers came from. */
export function pixelsNote(decoder: JpegDecoderName): string {
  const id = jpegDecoderId(decoder);
  return decoder === "jpeg-js"
    ? `**Pixels: decoded with ${id}.** Every run on this page was trained on the pixels that jpeg-js decoded from the JPEG files: lossbench's decoder when the study was trained. jpeg-js differs from libjpeg-turbo, which PIL and so the report's PyTorch pipeline use, on every one of the 60,000 files (in 61–70% of the values, by up to 11 levels). lossbench now decodes exactly as PIL does (libjpeg-turbo); these numbers were not retrained on those pixels, which would be a new study. \`deno task study --check\` retrains a run on the jpeg-js pixels it was trained on (\`--decoder\`, default jpeg-js).`
    : `**Pixels: decoded with ${id}.** Exactly the pixels PIL, and so the report's PyTorch pipeline, decodes from these files (checked on all 60,000 by tools/check_decode_copy.ts).`;
}

/** The service's comparisons and declared claims in the re-stated table's shape. */
function liveRows(stats: Json, title: string): Restated {
  const c0 = stats.comparisons[0];
  const pv = (x: number | null) => (x === null || x === undefined ? "–" : pText(x));
  return {
    setting: { title, n: c0?.n ?? 0, pairs: [] },
    family: { name: c0?.family ?? "", size: c0?.familySize ?? 0 },
    claims: stats.hypotheses ?? [],
    rows: stats.comparisons.map((p: Json) => ({
      pair: {
        labelA: p.labelA,
        labelB: p.labelB,
        pHolmText: pv(p.pTHolm),
        pWilcoxonText: pv(p.pWilcoxonHolm),
        pImproveText: p.pImprove === null ? "–" : p.pImprove.toFixed(2),
      },
      stats: p,
      judgement: p,
    })),
  };
}

/** The claims a setting was run to test, as the API's `hypothesis` query ("A>B" by label). */
export function claimsQuery(s: StudySetting, view: Json): string {
  const label = (loss: string, gamma?: number) =>
    view.cells.find((c: Json) => picks(c, { loss, gamma }))?.label;
  const pairs: [string | undefined, string | undefined][] = s.id === "clean"
    ? [[label("focal", 2), label("ce")], [label("focal", 0.5), label("ce")], [
      label("focal", 2),
      label("focal", 0.5),
    ]]
    : s.id === "lt"
    ? [[label("cb_focal"), label("ce")], [label("balanced_softmax"), label("ce")]]
    : ["mae", "gce", "sce", "nce_rce"].map((l) => [label(l), label("ce")]);
  return pairs.filter(([a, b]) => a && b)
    .map(([a, b]) => `&hypothesis=${encodeURIComponent(`${a}>${b}`)}`).join("");
}

export async function renderResults(
  api: Api,
  experiments: Map<StudySetting, string>,
  outDir: string,
  base: string,
  jpegDecoder: JpegDecoderName,
): Promise<void> {
  const figDir = `${outDir}/results`;
  await Deno.mkdir(figDir, { recursive: true });
  const md: string[] = [];
  const shots: { path: string; query: string; width: number; height: number }[] = [];
  const totals: string[] = [];
  let allImages = 0, allCompute = 0, allRuns = 0;
  const allSpans: { start: number; end: number }[] = [];
  const views = new Map<StudySetting, Json>();

  for (const [s, id] of experiments) {
    const first = await api.get(`/api/experiments/${id}?metric=testAcc`);
    const view = await api.get(`/api/experiments/${id}?metric=testAcc${claimsQuery(s, first)}`);
    const stats = view.stats;
    views.set(s, view);
    const t = await throughput(api, view);
    allImages += t.images;
    allSpans.push(...t.spans);
    allCompute += t.computeSeconds;
    allRuns += t.runs;
    totals.push(
      `| ${s.title} | ${t.runs} | ${hours(t.wallMs)} | ${hours(1000 * t.computeSeconds)} | ` +
        `${(t.images / 1e6).toFixed(1)} M | ${Math.round(t.rate)} | ${
          Math.round(t.medianRunRate)
        } |`,
    );
    md.push(`## ${s.title}`, "");
    if (s.data === "cifar10pil") {
      md.push(`**Pixels:** PIL's, decoded with ${jpegDecoderId("libjpeg-turbo")}.`, "");
    }
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
    md.push("", ...settingMarkdown(liveRows(stats, s.title), true));
    md.push("**What it shows.**", "", ...findings(s, view, stats).map((l) => `- ${l}`), "");
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
    pixelsNote(jpegDecoder),
    "",
    "**Published numbers, for scale.** The literature's claims come from much larger networks: under 40% symmetric noise on CIFAR-10 with ResNet-34, CE 81.9% and GCE 87.1% (Zhang & Sabuncu 2018); on long-tailed CIFAR-10 (ρ = 100) with ResNet-32, CE about 70.4% and class-balanced focal about 74.6% (Cui et al. 2019). This model has about 10,000 parameters: it underfits even clean CIFAR-10, so it has little capacity to memorise noise, and the ranking of losses may differ.",
    "",
    "**Compute.**",
    "",
    "| setting | runs | wall time | run time (sum) | images trained | img/s (all workers) | median img/s per run |",
    "|---|---:|---:|---:|---:|---:|---:|",
    ...totals,
    `| all | ${allRuns} | ${hours(busyMs(allSpans))} | ${hours(1000 * allCompute)} | ` +
    `${(allImages / 1e6).toFixed(1)} M | ${Math.round(allImages / (busyMs(allSpans) / 1000))} | |`,
    "",
  ];
  md.push(...twinSection(views));
  const pil = [...experiments.keys()].some((s) => s.data === "cifar10pil");
  if (pil) head.splice(head.indexOf(pixelsNote(jpegDecoder)) + 1, 0, "", pilNote());
  await screenshots(base, shots);
  await Deno.writeTextFile(`${outDir}/results.md`, [...head, ...md].join("\n"));
  console.error(`wrote ${outDir}/results.md and ${shots.length} figures in ${figDir}/`);
}
