// A tuning stage's declaration (the `tune` field of an experiment) and its
// search space: which settings a trial may vary, how each is drawn from a
// point of the unit cube, and how a trial's values become a run's settings
// and loss parameters. Top-level keys are TrainConfig's own tunable fields
// (read from its schema, so a field added there is tunable here at once);
// `params.<name>` keys are checked against each loss's own parameter schema.
import { z } from "zod";
import { settingsSchema } from "../config.ts";
import { getLoss } from "../losses/registry.ts";
import { METRICS } from "../metrics/registry.ts";
import type { LossParams } from "../types.ts";
import { MAX_DIMS, SAMPLERS, unitPoints } from "./sampler.ts";

/** Settings a trial never varies: every trial and every cell shares them. */
const FIXED = new Set(["epochs", "data", "trainLimit", "testLimit", "valFraction", "backend"]);

/** The top-level keys a space may name (TrainConfig's shared settings, less FIXED). */
export function tunableKeys(): string[] {
  return Object.keys(settingsSchema.shape).filter((k) => !FIXED.has(k));
}

/** The validation-split metrics a tuning stage can select by (from the metric registry). */
export const TUNE_METRICS = METRICS.filter((m) => m.split === "val" && m.stats)
  .map((m) => m.name) as [string, ...string[]];

const pair = z.tuple([z.number(), z.number()]);

export const dimensionSchema = z.strictObject({
  logUniform: pair.optional().describe("[low, high], both > 0: log-uniform between them"),
  uniform: pair.optional().describe("[low, high]: uniform between them"),
  int: z.tuple([z.number().int(), z.number().int()]).optional()
    .describe("[low, high]: an integer, each equally likely"),
  choice: z.array(z.union([z.number(), z.string().max(64)])).min(1).max(64).optional()
    .describe("One of these values, each equally likely"),
}).refine((d) => Object.keys(d).length === 1, {
  error: "give exactly one of logUniform, uniform, int, choice",
}).meta({ id: "TuneDimension", description: "How one searched setting is drawn" });

export type Dimension = z.output<typeof dimensionSchema>;
export type TrialValues = Record<string, number | string>;

const seed = z.number().int().min(0).max(2 ** 32 - 1);

export const tuneSchema = z.strictObject({
  space: z.record(z.string().min(1).max(80), dimensionSchema)
    .describe("Setting → how it is drawn: TrainConfig's fields (lr, momentum, …) or params.<name>"),
  trials: z.number().int().min(1).max(100).describe("Trials per cell (the same for every cell)"),
  seeds: z.array(seed).min(1).max(10)
    .describe("Seeds the trials run on (each trial on each); disjoint from the comparison seeds"),
  metric: z.enum(TUNE_METRICS, {
    error: (i) =>
      `unknown metric "${String(i.input).slice(0, 64)}"; use ${TUNE_METRICS.join(", ")}`,
  }).default("valAcc").describe("The validation metric a trial is judged by"),
  point: z.enum(["best", "final"], { error: `"best" or "final"` }).default("best")
    .describe("Read at the trial's best epoch (by the metric) or its last"),
  sampler: z.enum(SAMPLERS, { error: `"sobol", "halton" or "random"` }).default("sobol"),
  samplerSeed: seed.default(0).describe("Seeds the sampler: the same seed gives the same trials"),
  pruner: z.strictObject({
    asha: z.strictObject({
      reduction: z.number().int().min(2).max(10).default(3),
      minEpochs: z.number().int().min(1).max(500).default(1),
    }),
  }).optional().describe("Successive halving at rungs minEpochs·reduction^k (synchronous)"),
}).meta({ id: "Tune", description: "A tuning stage: every cell gets this space and budget" });

export type Tune = z.output<typeof tuneSchema>;

/** A problem with the space, with the field it concerns ("tune.space.lr"). */
export class SpaceError extends Error {
  constructor(message: string, readonly field: string) {
    super(message);
  }
}

/** Values a dimension can give: its ends, and an interior one (to catch "int" fields). */
function probes(d: Dimension): (number | string)[] {
  if (d.choice) return d.choice;
  if (d.int) return [d.int[0], d.int[1]];
  const [a, b] = (d.logUniform ?? d.uniform)!;
  return [a, b, a + 0.37 * (b - a)];
}

/**
 * Checks a space against the settings' schema and the grid's losses; throws a
 * SpaceError naming the field. `losses` are the grid's loss names.
 */
export function checkSpace(tune: Tune, losses: string[]): void {
  const keys = Object.keys(tune.space);
  const at = (k: string) => `tune.space.${k}`;
  if (keys.length === 0) {
    throw new SpaceError("tune.space: name at least one setting", "tune.space");
  }
  if (keys.length > MAX_DIMS[tune.sampler]) {
    throw new SpaceError(
      `tune.space: ${tune.sampler} draws at most ${MAX_DIMS[tune.sampler]} settings`,
      "tune.space",
    );
  }
  const shape = settingsSchema.shape as Record<string, z.ZodType>;
  for (const k of keys) {
    const d = tune.space[k];
    if (d.logUniform && !(d.logUniform[0] > 0 && d.logUniform[0] < d.logUniform[1])) {
      throw new SpaceError(`${at(k)}.logUniform: need 0 < low < high`, `${at(k)}.logUniform`);
    }
    if (d.uniform && !(d.uniform[0] < d.uniform[1])) {
      throw new SpaceError(`${at(k)}.uniform: need low < high`, `${at(k)}.uniform`);
    }
    if (d.int && !(d.int[0] <= d.int[1])) {
      throw new SpaceError(`${at(k)}.int: need low ≤ high`, `${at(k)}.int`);
    }
    // Each value must be one the setting itself accepts.
    const schemas: [string, z.ZodType][] = [];
    if (k.startsWith("params.")) {
      const name = k.slice("params.".length);
      const owners = [...new Set(losses)].filter((l) => name in getLoss(l).params.shape);
      if (owners.length === 0) {
        throw new SpaceError(
          `${at(k)}: no loss of this experiment has a parameter "${name}" (${
            [...new Set(losses)].join(", ")
          })`,
          at(k),
        );
      }
      for (const l of owners) {
        schemas.push([l, (getLoss(l).params.shape as Record<string, z.ZodType>)[name]]);
      }
    } else {
      if (FIXED.has(k) || !(k in shape)) {
        throw new SpaceError(
          `${at(k)}: not a tunable setting; use ${tunableKeys().join(", ")} or params.<name>`,
          at(k),
        );
      }
      schemas.push(["", shape[k]]);
    }
    for (const v of probes(d)) {
      for (const [loss, s] of schemas) {
        const r = s.safeParse(v);
        if (!r.success) {
          const why = r.error.issues[0]?.message ?? "invalid";
          throw new SpaceError(
            `${at(k)}: ${JSON.stringify(v)} is not a valid ${k}${
              loss ? ` for ${loss}` : ""
            }: ${why}`,
            at(k),
          );
        }
      }
    }
  }
}

/** Four significant digits: readable configurations, far finer than any search resolves. */
const round = (x: number) => Number(x.toPrecision(4));

/** A unit-interval coordinate `u` as a value of the dimension. */
export function mapDimension(d: Dimension, u: number): number | string {
  if (d.logUniform) {
    const [a, b] = d.logUniform;
    return round(Math.exp(Math.log(a) + u * (Math.log(b) - Math.log(a))));
  }
  if (d.uniform) return round(d.uniform[0] + u * (d.uniform[1] - d.uniform[0]));
  if (d.int) return Math.min(d.int[1], d.int[0] + Math.floor(u * (d.int[1] - d.int[0] + 1)));
  const c = d.choice!;
  return c[Math.min(c.length - 1, Math.floor(u * c.length))];
}

/**
 * Trial k's values, the same for every cell (trial k of each cell gets the same
 * lr): dimension j of the sampler's point k is the space's j-th key.
 */
export function trialValues(tune: Tune): TrialValues[] {
  const keys = Object.keys(tune.space);
  return unitPoints(tune.sampler, tune.trials, keys.length, tune.samplerSeed)
    .map((p) => Object.fromEntries(keys.map((k, j) => [k, mapDimension(tune.space[k], p[j])])));
}

/**
 * A trial's values applied to one cell: top-level keys override the shared
 * settings; `params.<name>` overrides the loss's parameter when it has one (a
 * loss without it keeps its declared value).
 */
export function applyTrial<S extends object>(
  settings: S,
  loss: string,
  params: LossParams,
  values: TrialValues,
): { settings: S; params: LossParams } {
  const s = { ...settings } as Record<string, unknown>;
  const p: LossParams = { ...params };
  const own = getLoss(loss).params.shape;
  for (const [k, v] of Object.entries(values)) {
    if (k.startsWith("params.")) {
      const name = k.slice("params.".length);
      if (name in own && typeof v === "number") p[name] = v;
    } else s[k] = v;
  }
  return { settings: s as S, params: p };
}

/** The values that applied to a cell (its loss's params only), for its trials table. */
export function valuesFor(loss: string, values: TrialValues): TrialValues {
  const own = getLoss(loss).params.shape;
  return Object.fromEntries(
    Object.entries(values).filter(([k]) => !k.startsWith("params.") || k.slice(7) in own),
  );
}
