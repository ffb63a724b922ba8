// An experiment's cell: everything that defines a run except its seed and the
// shared settings. Runs with equal cells differ only by seed, so their metrics
// are one sample; a cell's key is canonical JSON, stable across processes.
import { z } from "zod";
import { conditionSchema } from "./config.ts";
import { conditionLabel } from "./conditions/registry.ts";
import { lossLabel } from "./losses/registry.ts";
import type { TrainConfig } from "./types.ts";

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

/**
 * "sym noise 40%", "LT exp ρ=100 + asym noise 20%", "human noise: worse", or "" for no
 * condition: each stage's plug-in labels its spec (ml/conditions/). A label names a cell
 * (hypotheses and --check use it), so it depends on the condition only.
 */
export { conditionLabel };

/** "focal γ=2 · sym noise 40% · mlp": the model only when it isn't the report's. */
export function cellLabel(c: Cell): string {
  return [
    lossLabel(c.loss, c.params),
    conditionLabel(c.condition),
    c.model === "convnet" ? "" : c.model,
  ].filter(Boolean).join(" · ");
}
