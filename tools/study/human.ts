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

/** Final test accuracy per seed of each cell, by the cell's loss label ("ce", "focal γ=2"). */
function perLoss(view: Json): Map<string, { values: number[]; seeds: number[] }> {
  const out = new Map<string, { values: number[]; seeds: number[] }>();
  for (const r of view.runs) {
    if (r.status !== "done" || !r.last) continue;
    const loss = String(r.label).split(" · ")[0];
    const s = out.get(loss) ?? { values: [], seeds: [] };
    s.values.push(r.last.testAcc);
    s.seeds.push(r.config.seed);
    out.set(loss, s);
  }
  return out;
}

/** The markdown section for human `set` against its twin, or [] when either is missing. */
export function twinSection(views: Map<StudySetting, Json>): string[] {
  const human = [...views].find(([s]) => s.id === "human-worse")?.[1];
  const twin = [...views].find(([s]) => s.id === "human-worse-matrix")?.[1];
  if (!human || !twin) return [];
  const [h, t] = [perLoss(human), perLoss(twin)];
  const losses = [...h.keys()].filter((l) => t.has(l));
  const pairs = losses.map((l) => compare(t.get(l)!, h.get(l)!, { resolution: 1e-4 }));
  const adjusted = holm(pairs.map((p) => p.pT));
  const pct = (x: number | null) => (x === null ? "–" : (100 * x).toFixed(2));
  const rows = losses.map((l, i) => {
    const p = pairs[i];
    const mean = (s: { values: number[] }) => s.values.reduce((a, b) => a + b, 0) / s.values.length;
    return `| ${l} | ${pct(mean(h.get(l)!))} | ${pct(mean(t.get(l)!))} | ${
      p.diff === null ? "–" : `${p.diff > 0 ? "+" : "−"}${pct(Math.abs(p.diff))}`
    } | ${p.n} | ${adjusted[i] === null ? "–" : pText(adjusted[i]!)} |`;
  });
  return [
    "## Human noise against its matrix twin",
    "",
    "Final test accuracy (%) on CIFAR-10N *worse* and on its matrix twin (the same class-level " +
    "transition matrix, the flips drawn at random within each class, per seed); difference " +
    "twin − human paired by seed, paired t-test, Holm over the losses. A positive difference " +
    "means human noise is harder than synthetic noise with the same class-level confusion.",
    "",
    "| loss | human worse | matrix twin | twin − human (points) | pairs | p (Holm) |",
    "|---|---:|---:|---:|---:|---:|",
    ...rows,
    "",
  ];
}

/** The exception to the page's pixels note: settings on PIL's pixels (settings.ts DATASETS). */
export function pilNote(): string {
  return `**Except the human-noise settings:** those trained on PIL's pixels, decoded with ` +
    `${jpegDecoderId("libjpeg-turbo")} (the \`cifar10pil\` data set), with CIFAR-10N's human ` +
    `labels (Wei et al., ICLR 2022; CC BY-NC 4.0). Losses at their defaults.`;
}
