// The human-noise group's page parts: its pixels note, and its own comparison (Wei et al. 2022): each loss on a
// human label set against the same loss on its matrix twin, paired by seed
// across the two experiments (seed k: the same initial weights and batches),
// Holm over the losses. Positive: the twin (synthetic noise) scores higher, so
// the human noise is the harder one.
import { jpegDecoderId } from "../../ml/data/jpeg.ts";
import { compare } from "../../stats/compare.ts";
import { holm } from "../../stats/holm.ts";
import { pText } from "./restate.ts";
import type { StudySetting } from "./settings.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

/** A metric's final value per seed of each cell, by the cell's loss label ("ce", "focal γ=2"). */
function perLoss(view: Json, metric: string): Map<string, { values: number[]; seeds: number[] }> {
  const out = new Map<string, { values: number[]; seeds: number[] }>();
  for (const r of view.runs) {
    const v = r.last?.[metric];
    if (r.status !== "done" || typeof v !== "number") continue;
    const loss = String(r.label).split(" · ")[0];
    const s = out.get(loss) ?? { values: [], seeds: [] };
    s.values.push(v);
    s.seeds.push(r.config.seed);
    out.set(loss, s);
  }
  return out;
}

const pct = (x: number | null) => (x === null ? "–" : (100 * x).toFixed(2));
const signed = (x: number | null) => (x === null ? "–" : `${x < 0 ? "−" : "+"}${pct(Math.abs(x))}`);
const mean = (s: { values: number[] }) => s.values.reduce((a, b) => a + b, 0) / s.values.length;

/** Each loss on the human set against its twin, paired by seed, Holm over the losses. */
export function twinRows(human: Json, twin: Json, metric: string) {
  const [h, t] = [perLoss(human, metric), perLoss(twin, metric)];
  const losses = [...h.keys()].filter((l) => t.has(l));
  const pairs = losses.map((l) => compare(t.get(l)!, h.get(l)!, { resolution: 1e-4 }));
  const adjusted = holm(pairs.map((p) => p.pT));
  return losses.map((loss, i) => ({
    loss,
    human: mean(h.get(loss)!),
    twin: mean(t.get(loss)!),
    pair: pairs[i],
    pHolm: adjusted[i],
  }));
}

/** What the twin comparison shows, in words, from its rows (α = 0.05 after Holm). */
export function twinFindings(
  acc: ReturnType<typeof twinRows>,
  flipped: ReturnType<typeof twinRows>,
): string[] {
  if (!acc.length) return [];
  const sig = (r: { pHolm: number | null }) => r.pHolm !== null && r.pHolm < 0.05;
  const d = (r: (typeof acc)[number]) => 100 * (r.pair.diff ?? 0);
  const num = (x: number) => `${x < 0 ? "−" : ""}${Math.abs(x).toFixed(2)}`;
  const range = (rs: typeof acc) =>
    `${num(Math.min(...rs.map(d)))} to ${num(Math.max(...rs.map(d)))} points`;
  const names = (rs: typeof acc) => rs.map((r) => r.loss).join(", ");
  const harder = acc.filter((r) => sig(r) && d(r) > 0);
  const easier = acc.filter((r) => sig(r) && d(r) < 0);
  const n = acc[0].pair.n;
  const lower = acc.filter((r) => d(r) < 0).length;
  const out = [
    harder.length || easier.length
      ? `**Is human noise harder than its synthetic twin for this model?** ` +
        (harder.length ? `Yes for ${names(harder)}. ` : "") +
        (easier.length ? `It is significantly easier for ${names(easier)}. ` : "") +
        `Twin − human ranges over ${range(acc)} (${n} paired seeds, Holm over the losses).`
      : `**Is human noise harder than its synthetic twin for this model? Not shown at n = ${n}:** ` +
        `no loss's difference is significant after Holm (twin − human ${range(acc)}), and for ` +
        `${lower} of ${acc.length} losses the point estimate goes the other way (the human labels ` +
        `score higher). The paper's finding, on ResNets, is not reproduced by this 10,000-parameter ` +
        `model at this n; neither is its opposite.`,
  ];
  const fit = flipped.filter((r) => r.pair.diff !== null);
  if (fit.length) {
    const more = fit.filter((r) => d(r) < 0);
    out.push(
      `Final train accuracy on the flipped samples is higher under the human labels than under ` +
        `the twin's random flips of the same classes for ${more.length} of ${fit.length} losses ` +
        `(twin − human ${range(fit)})` +
        (more.length === fit.length
          ? `: the human mistakes are ones the model itself tends to make.`
          : more.length
          ? `; the exception${fit.length - more.length > 1 ? "s are" : " is"} ${
            names(fit.filter((r) => d(r) >= 0))
          }.`
          : "."),
    );
  }
  return out;
}

/** The markdown section for human worse against its twin, or [] when either is missing. */
export function twinSection(views: Map<StudySetting, Json>): string[] {
  const human = [...views].find(([s]) => s.id === "human-worse")?.[1];
  const twin = [...views].find(([s]) => s.id === "human-worse-matrix")?.[1];
  if (!human || !twin) return [];
  const acc = twinRows(human, twin, "testAcc");
  const flipped = twinRows(human, twin, "trainAccNoisy");
  const ci = (p: Json) =>
    p.ci95?.[0] === null || p.ci95?.[0] === undefined
      ? "–"
      : `[${signed(p.ci95[0])}, ${signed(p.ci95[1])}]`;
  const rows = acc.map((r) => {
    const f = flipped.find((x) => x.loss === r.loss);
    return `| ${r.loss} | ${pct(r.human)} | ${pct(r.twin)} | ${signed(r.pair.diff)} | ${
      ci(r.pair)
    } | ${r.pair.n} | ${r.pHolm === null ? "–" : pText(r.pHolm)} | ${
      f ? `${pct(f.human)} / ${pct(f.twin)}` : "–"
    } |`;
  });
  return [
    "## Human noise against its matrix twin",
    "",
    "Final test accuracy (%) on CIFAR-10N *worse* and on its matrix twin (the same class-level " +
    "transition matrix, the flips drawn at random within each class, per seed); difference " +
    "twin − human paired by seed, 95% CI, paired t-test, Holm over the losses. A positive difference " +
    "means human noise is harder than synthetic noise with the same class-level confusion. The last " +
    "column is the final train accuracy on the flipped samples (how far each noise is memorised).",
    "",
    "| loss | human worse | matrix twin | twin − human (points) | 95% CI | pairs | p (Holm) | train acc. on flipped, human / twin |",
    "|---|---:|---:|---:|---|---:|---:|---:|",
    ...rows,
    "",
    "**What it shows.**",
    "",
    ...twinFindings(acc, flipped).map((l) => `- ${l}`),
    "",
  ];
}

/** The exception to the page's pixels note: settings on PIL's pixels (settings.ts DATASETS). */
export function pilNote(): string {
  return `**Except the human-noise settings:** those trained on PIL's pixels, decoded with ` +
    `${jpegDecoderId("libjpeg-turbo")} (the \`cifar10pil\` data set), with CIFAR-10N's human ` +
    `labels (Wei et al., ICLR 2022; CC BY-NC 4.0). Losses at their defaults.`;
}
