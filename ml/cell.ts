// An experiment's cell: everything that defines a run except its seed and the
// shared settings. Runs with equal cells differ only by seed, so their metrics
// are one sample; a cell's key is canonical JSON, stable across processes.
import { z } from "zod";
import { conditionSchema } from "./config.ts";
import { lossLabel } from "./losses/registry.ts";
import type { Condition, LabelNoise, TrainConfig } from "./types.ts";

export const cellSchema = z.strictObject({
  model: z.string(),
  loss: z.string(),
  params: z.record(z.string(), z.number()),
  condition: conditionSchema,
});

export type Cell = z.output<typeof cellSchema>;

export function cellOf(c: Pick<TrainConfig, keyof Cell>): Cell {
  return { model: c.model, loss: c.loss, params: c.params, condition: c.condition };
}

/** JSON with object keys sorted, so equal cells get equal keys. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

export const cellKey = (c: Cell): string => canonical(cellOf(c));

const pct = (x: number) => `${Number((x * 100).toPrecision(4))}%`;

/** "sym noise 40%", "LT exp ρ=100 + asym noise 20%", or "" for no condition. */
export function conditionLabel(c: Condition): string {
  const parts: string[] = [];
  if (c.imbalance) parts.push(`LT ${c.imbalance.profile} ρ=${c.imbalance.ratio}`);
  if (c.labelNoise) parts.push(noiseLabel(c.labelNoise));
  return parts.join(" + ");
}

/**
 * "sym noise 40%", "human noise: worse", "matrix twin of human:worse". A label names a
 * cell (hypotheses and --check use it), so it depends on the condition only: a label
 * set's rate is the data set's (GET /api/datasets) and the run's record (flipped).
 */
export function noiseLabel(n: LabelNoise): string {
  switch (n.kind) {
    case "human":
      return `human noise: ${n.set}`;
    case "matrix":
      return `matrix twin of ${n.like}`;
    default:
      return `${n.kind === "symmetric" ? "sym" : "asym"} noise ${pct(n.rate)}`;
  }
}

/** "focal γ=2 · sym noise 40% · mlp": the model only when it isn't the report's. */
export function cellLabel(c: Cell): string {
  return [
    lossLabel(c.loss, c.params),
    conditionLabel(c.condition),
    c.model === "convnet" ? "" : c.model,
  ].filter(Boolean).join(" · ");
}
