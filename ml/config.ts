// The one schema for a training run's options, shared by the CLI and the API:
// bounded numbers, unknown fields refused, defaults from the design notes.
// A loss's parameters are checked by that loss's own schema (ml/losses/), so
// a run records only the parameters its loss has; the TrainConfig type is
// the schema's output.
import { z } from "zod";
import { getLoss, LOSSES, parseLossParams } from "./losses/registry.ts";
import { MODELS } from "./models/registry.ts";
import { conditionSchema } from "./conditions/registry.ts";

export const LIMITS = {
  epochs: 500,
  batchSize: 4096,
  dataLimit: 10_000_000,
} as const;

// A run's condition: one field per stage, each a choice of its registered kinds
// (ml/conditions/registry.ts).
export { conditionSchema };

const lossName = z.string().min(1).max(64).refine((n) => LOSSES.some((l) => l.name === n), {
  error: (i) => `unknown loss "${String(i.input).slice(0, 64)}"; use one of: ${lossNames()}`,
});
const modelName = z.string().min(1).max(64).refine((n) => MODELS.some((m) => m.name === n), {
  error: (i) => `unknown model "${String(i.input).slice(0, 64)}"; use one of: ${modelNames()}`,
});
const lossNames = () => LOSSES.map((l) => l.name).join(", ");
const modelNames = () => MODELS.map((m) => m.name).join(", ");

/** Everything a run shares with the other runs of an experiment (no loss, condition, model, seed). */
export const settingsSchema = z.strictObject({
  epochs: z.number().int().min(1).max(LIMITS.epochs).default(20),
  batchSize: z.number().int().min(1).max(LIMITS.batchSize).default(64),
  lr: z.number().positive().max(10).default(0.01),
  momentum: z.number().min(0).max(0.999).default(0.9),
  stepSize: z.number().int().min(1).max(10_000).default(10),
  stepGamma: z.number().positive().max(1).default(0.5),
  weightDecay: z.number().min(0).max(1).describe(
    "L2 added to the gradient before momentum, as PyTorch's SGD(weight_decay): d = g + wd·w",
  ).default(0),
  schedule: z.enum(["step", "cosine"]).describe(
    '"step": StepLR (stepSize, stepGamma); "cosine": CosineAnnealingLR from lr to 0 over ' +
      "the epochs after the warmup",
  ).default("step"),
  warmupEpochs: z.number().int().min(0).max(LIMITS.epochs).describe(
    "Cosine only: epoch e < w trains at lr·(e+1)/(w+1) (PyTorch's LinearLR, start_factor " +
      "1/(w+1)); then cosine over epochs − w",
  ).default(0),
  gradClip: z.number().positive().max(1e6).optional().describe(
    "Clip the gradients' global L2 norm to this before weight decay (PyTorch's " +
      "clip_grad_norm_); absent: no clipping",
  ),
  data: z.string().min(1).max(2048).default("cifar10"),
  trainLimit: z.number().int().min(1).max(LIMITS.dataLimit).optional(),
  testLimit: z.number().int().min(1).max(LIMITS.dataLimit).optional(),
  valFraction: z.number().min(0).max(0.5).default(0),
  backend: z.enum(["auto", "cpu", "webgpu"]).default("auto"),
});

const seedSchema = z.number().int().min(0).max(2 ** 32 - 1);

/** A loss with its parameters; `gamma` is still accepted for focal, as before. */
export const lossSpecSchema = z.strictObject({
  loss: lossName,
  params: z.record(z.string(), z.number()).optional(),
  gamma: z.number().optional(),
});

/** Turns a loss spec into {loss, params}: the loss's schema fills defaults and names bad fields. */
function normalizeLoss(
  spec: z.output<typeof lossSpecSchema>,
  ctx: z.RefinementCtx,
  path: (string | number)[] = [],
): { loss: string; params: Record<string, number> } | typeof z.NEVER {
  const params = { ...spec.params };
  if (spec.gamma !== undefined) {
    if (!("gamma" in getLoss(spec.loss).params.shape)) {
      ctx.addIssue({
        code: "custom",
        path: [...path, "gamma"],
        message: `loss "${spec.loss}" has no parameter gamma`,
      });
      return z.NEVER;
    }
    if (params.gamma !== undefined && params.gamma !== spec.gamma) {
      ctx.addIssue({
        code: "custom",
        path: [...path, "gamma"],
        message: "give gamma once (params.gamma or gamma)",
      });
      return z.NEVER;
    }
    params.gamma = spec.gamma;
  }
  try {
    return { loss: spec.loss, params: parseLossParams(spec.loss, params) };
  } catch (e) {
    // parseLossParams names the field ("focal: params.gamma: …").
    ctx.addIssue({ code: "custom", path, message: (e as Error).message });
    return z.NEVER;
  }
}

export const normalizedLossSchema = lossSpecSchema.transform((s, ctx) => normalizeLoss(s, ctx));

/** The raw fields of one run (what the API and the CLI accept). */
export const runFieldsSchema = settingsSchema.extend({
  ...lossSpecSchema.shape,
  condition: conditionSchema.default({}),
  model: modelName.default("convnet"),
  seed: seedSchema.default(1),
});

/**
 * What the field bounds can't say: a warmup belongs to the cosine schedule and
 * leaves it at least one epoch. Each problem names its field.
 */
export function checkSchedule(
  s: Pick<Settings, "epochs" | "schedule" | "warmupEpochs">,
  ctx: z.RefinementCtx,
): void {
  if (s.warmupEpochs > 0 && s.schedule !== "cosine") {
    ctx.addIssue({
      code: "custom",
      path: ["warmupEpochs"],
      message: 'a warmup needs schedule "cosine" (StepLR has none)',
    });
  } else if (s.warmupEpochs > 0 && s.warmupEpochs >= s.epochs) {
    ctx.addIssue({
      code: "custom",
      path: ["warmupEpochs"],
      message: `must be less than epochs (${s.epochs}): the cosine part needs an epoch`,
    });
  }
}

export const trainConfigSchema = runFieldsSchema.transform((raw, ctx) => {
  checkSchedule(raw, ctx);
  const { gamma: _g, params: _p, ...rest } = raw;
  return { ...rest, ...normalizeLoss(raw, ctx) };
});

/** A training run's full configuration, defaults filled in: the schema's output. */
export type TrainConfig = z.output<typeof trainConfigSchema>;

/** A request schema's fields as stored: defaults applied, so present (optional ones stay so). */
export function storedFields<T extends z.core.$ZodLooseShape>(shape: T) {
  return Object.fromEntries(
    Object.entries(shape).map(([k, s]) => [k, s instanceof z.ZodDefault ? s.unwrap() : s]),
  ) as { [K in keyof T]: T[K] extends z.ZodDefault<infer I> ? I : T[K] };
}

/** Settings as KV and the API hold them (defaults applied). */
export const settingsRecordSchema = z.strictObject(storedFields(settingsSchema.shape))
  .meta({ id: "Settings", description: "What every run of an experiment shares" });

const { gamma: _gamma, params: _params, ...recordFields } = runFieldsSchema.shape;
/** A TrainConfig as KV and the API hold it (strict: what trainConfigSchema gives, no more). */
export const trainConfigRecordSchema = z.strictObject({
  ...storedFields(recordFields),
  params: z.record(z.string(), z.number()).describe("The loss's parameters, defaults filled in"),
}).meta({ id: "TrainConfig", description: "A run's full configuration (defaults filled in)" });

// The record schema and the parser's output are one type: a field added to one only fails here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _sameConfig: Same<z.output<typeof trainConfigRecordSchema>, TrainConfig> = true;
const _sameSettings: Same<z.output<typeof settingsRecordSchema>, Settings> = true;
export type Condition = z.output<typeof conditionSchema>;
export type LabelNoise = NonNullable<Condition["labelNoise"]>;
export type Imbalance = NonNullable<Condition["imbalance"]>;

export type TrainConfigInput = z.input<typeof trainConfigSchema>;
export type Settings = z.output<typeof settingsSchema>;
export type ModelName = z.output<typeof modelName>;

/** One line per problem, each naming its field. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => {
      const path = i.path.join(".");
      if (i.code === "unrecognized_keys") {
        return `unknown field(s): ${i.keys.map((k) => (path ? `${path}.${k}` : k)).join(", ")}`;
      }
      return path ? `${path}: ${i.message}` : i.message;
    })
    .join("; ");
}

/** Validates and fills defaults; throws an Error naming the bad fields. */
export function parseTrainConfig(input: unknown): TrainConfig {
  const r = trainConfigSchema.safeParse(input);
  if (!r.success) throw new Error(describeIssues(r.error));
  return r.data;
}
