// An experiment's cell: everything that defines a run except its seed and the
// shared settings. Runs with equal cells differ only by seed, so their metrics
// are one sample; a cell's key is canonical JSON, stable across processes.
import { z } from "zod";
import { conditionSchema } from "./config.ts";
import { conditionLabel } from "./conditions/registry.ts";
import { getLoss, lossLabel } from "./losses/registry.ts";
import { applyTrial, type TrialValues, valuesFor } from "./tune/space.ts";
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
  return joined(lossLabel(c.loss, c.params), c);
}

// The labels of a tuned experiment's runs and cells say what was trained: a searched
// setting shows its trial's value, never the cell's declared one (which only the
// comparison at the shared defaults trains). Every view reads these labels.

/**
 * A trial's run: the values it tried, "gce q=0.1423 lr=0.1472 · sym noise 40% · trial 3"
 * (the loss at the trial's parameters, then the other searched settings).
 */
export function trialLabel(c: Cell, values: TrialValues, trial: number): string {
  const { params } = applyTrial({}, c.loss, c.params, values);
  const other = Object.entries(values).filter(([k]) => !k.startsWith("params."))
    .map(([k, v]) => `${k}=${v}`);
  return joined([lossLabel(c.loss, params), ...other].join(" "), c, `trial ${trial}`);
}

/**
 * A cell at its chosen trial (its confirmation runs, and the cell in the tuned
 * comparison): "gce · sym noise 40% · tuned: lr 0.1472, q 0.1423". The loss less the
 * parameters tuning searched; the chosen values follow, in the space's order.
 */
export function tunedLabel(c: Cell, values: TrialValues): string {
  const { params } = applyTrial({}, c.loss, c.params, values);
  const own = Object.keys(getLoss(c.loss).params.shape);
  const chosen = Object.entries(valuesFor(c.loss, values)).map(([k, v]) => {
    if (!k.startsWith("params.")) return `${k} ${v}`;
    const name = k.slice("params.".length);
    // The parameter as the loss's label writes it ("γ=2"), alone.
    const token = lossLabel(c.loss, params, own.filter((n) => n !== name)).split(" ")[1];
    return token ? token.replace("=", " ") : `${name} ${v}`;
  });
  return joined(
    searchedLoss(c, values),
    c,
    chosen.length ? `tuned: ${chosen.join(", ")}` : "tuned",
  );
}

/** A tuned cell as its trials table names it: "gce · sym noise 40%" (no searched parameter). */
export const searchLabel = (c: Cell, values: TrialValues): string =>
  joined(searchedLoss(c, values), c);

/** The loss less the parameters the values search: "gce", "sce β=1". */
export function searchedLoss(c: Cell, values: TrialValues): string {
  const searched = Object.keys(valuesFor(c.loss, values)).filter((k) => k.startsWith("params."))
    .map((k) => k.slice("params.".length));
  return lossLabel(c.loss, c.params, searched);
}

/** The loss part, the condition, the model (when not the report's), then any suffix. */
function joined(loss: string, c: Cell, suffix = ""): string {
  return [loss, conditionLabel(c.condition), c.model === "convnet" ? "" : c.model, suffix]
    .filter(Boolean).join(" · ");
}
