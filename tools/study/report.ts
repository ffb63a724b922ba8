// Writes docs/results.md (or, for --only, docs/results-<only>.md) and its figures from the service's own answers:
// every number below comes from GET /api/experiments/:id (statistics over the
// runs' recorded epochs), every figure is a screenshot of /figure.html.
import { launchChromium } from "../chromium.ts";
import { pText, type Restated, settingMarkdown } from "./restate.ts";
import type { Api } from "./service.ts";
import type { StudySetting } from "./settings.ts";
import { jpegDecoderId, type JpegDecoderName } from "../../ml/data/jpeg.ts";
import { pilNote, twinSection } from "./human.ts";
import { claimsQuery, findings } from "./findings.ts";
import { busyMs, cellText, computeRow, hours, NAMES, type Shot, throughput } from "./compute.ts";
import { tunedSection } from "./tuned_section.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

const REPORT_METRICS = ["testAcc", "f1", "testLoss"];
const TABLE_METRICS = ["testAcc", "f1", "testLoss", "ece"];

export { busyMs };

async function screenshots(base: string, jobs: Shot[]) {
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

export async function renderResults(
  api: Api,
  experiments: Map<StudySetting, string>,
  outDir: string,
  base: string,
  jpegDecoder: JpegDecoderName,
  only?: string[],
): Promise<void> {
  const figDir = `${outDir}/results`;
  await Deno.mkdir(figDir, { recursive: true });
  const md: string[] = [];
  const shots: Shot[] = [];
  const totals: string[] = [];
  let allImages = 0, allCompute = 0, allRuns = 0;
  const allSpans: { start: number; end: number }[] = [];
  const views = new Map<StudySetting, Json>();

  const count = (t: Awaited<ReturnType<typeof throughput>>) => {
    allImages += t.images;
    allSpans.push(...t.spans);
    allCompute += t.computeSeconds;
    allRuns += t.runs;
  };
  for (const [s, id] of experiments) {
    const first = await api.get(`/api/experiments/${id}?metric=testAcc`);
    if (first.tune) {
      // Both comparisons side by side, the tuning's evidence and its cost (tools/study/tuned.ts).
      const part = await tunedSection(api, s, id, first, claimsQuery(s, first), figDir);
      md.push(...part.md);
      shots.push(...part.shots);
      for (const [title, t] of part.compute) {
        count(t);
        totals.push(computeRow(title, t));
      }
      continue;
    }
    const view = await api.get(`/api/experiments/${id}?metric=testAcc${claimsQuery(s, first)}`);
    const stats = view.stats;
    views.set(s, view);
    const t = await throughput(api, view.runs);
    count(t);
    totals.push(computeRow(s.title, t));
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

  // `--only` renders a part of the study on a page of its own (results-<only>.md), so that
  // settings trained later extend the published page without retraining the rest of it.
  const allPil = [...experiments.keys()].every((s) => s.data === "cifar10pil");
  const page = only ? `results-${only.join("-")}.md` : "results.md";
  const command = only ? `deno task study --only ${only.join(",")}` : "deno task study";
  const head = [
    only
      ? `# The loss-function study, reproduced with lossbench (part: ${only.join(", ")})`
      : "# The loss-function study, reproduced with lossbench",
    "",
    ...(only
      ? [
        "Part of [the study](results.md), trained after its other settings and rendered on its own page; the setup below is the study's. Losses run at their declared parameters unless a setting says it was tuned.",
        "",
      ]
      : []),
    `Generated by \`${command}\` on ${
      new Date().toISOString().slice(0, 10)
    }; every number and figure on this page comes from that command's output (the service's statistics and its own figure page). Rerun it to regenerate the page; \`deno task study --check clean/ce/1\` retrains one run and checks that it reproduces its recorded numbers exactly.`,
    "",
    "**Setup.** The report's ConvNet (conv 3→4 → pool → conv 4→8 → pool → fc 32 → fc 10), its transforms (random crop 32 with 4 px padding, horizontal flip, normalisation) and its hyperparameters unchanged: SGD with momentum 0.9, lr 0.01 halved every 10 epochs, batch 64, 20 epochs, on lossbench's cpu backend. Seeds are paired: seed k gives every cell the same initial weights, batches and augmentation, and the same label flips or class subset. Bands in the figures are ±1 standard deviation over seeds; the tables give mean ± sd (n).",
    "",
    ...([...experiments.keys()].some((s) => s.body.tune)
      ? [
        "**Tuned settings.** A setting marked tuned gives every loss its own lr and parameters, chosen on a validation split with the same budget for every loss (its section says how), and shows that comparison next to the same losses at the setup's shared hyperparameters, on the same seeds.",
        "",
      ]
      : []),
    "**Data caveat.** The data is a JPEG-compressed copy of CIFAR-10 (the official split and labels, 50,000 train and 10,000 test images); pixel values differ slightly from the official binary release, so accuracies are comparable with, not identical to, figures on the official files. Conditions change the train split only; the test set stays balanced and clean.",
    "",
    pixelsNote(allPil ? "libjpeg-turbo" : jpegDecoder),
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
  if (pil && !allPil) head.splice(head.indexOf(pixelsNote(jpegDecoder)) + 1, 0, "", pilNote());
  await screenshots(base, shots);
  await Deno.writeTextFile(`${outDir}/${page}`, [...head, ...md].join("\n"));
  console.error(`wrote ${outDir}/${page} and ${shots.length} figures in ${figDir}/`);
}
