// The one list of conditions: each stage's kinds, and the stages in the order
// they compose. A new noise kind (or imbalance profile) is one file in noise/
// (imbalance/) and one line below; a new stage is one file and one line in
// STAGES. Everything else (the schema, the checks, prepareTrain, the labels,
// the CLI's --noise, GET /api/conditions and the dashboard's form) reads these.
import { z } from "zod";
import { Stream } from "../rng.ts";
import { exp } from "./imbalance/exp.ts";
import { step } from "./imbalance/step.ts";
import { imbalanceStage } from "./imbalance.ts";
import { asymmetric } from "./noise/asymmetric.ts";
import { human } from "./noise/human.ts";
import { instance } from "./noise/instance.ts";
import { matrix } from "./noise/matrix.ts";
import { pairFlip } from "./noise/pair_flip.ts";
import { symmetric } from "./noise/symmetric.ts";
import { noiseStage } from "./noise_stage.ts";
import type { ConditionPlugin, Stage } from "./plugin.ts";

export const NOISE_KINDS = [
  symmetric,
  asymmetric,
  human,
  matrix,
  pairFlip,
  instance,
] as const;

export const IMBALANCE_PROFILES = [exp, step] as const;

/**
 * The composition order, each stage from its own seeded stream: imbalance
 * (a per-class subset), then label noise (over the kept samples). prepareTrain
 * then draws the validation split (Stream.validation) by given label.
 */
export const STAGES = [
  imbalanceStage(IMBALANCE_PROFILES, Stream.imbalance),
  noiseStage(NOISE_KINDS, Stream.noise),
] as const;

type AnyStage = (typeof STAGES)[number];
type Schemas<P extends readonly ConditionPlugin[]> = { -readonly [I in keyof P]: P[I]["schema"] };
type UnionOf<S extends AnyStage> = z.ZodDiscriminatedUnion<Schemas<S["plugins"]>>;

/** A stage's field: one of its kinds' schemas, picked by the discriminator; unknown ones named. */
function stageSchema<S extends AnyStage>(stage: S): UnionOf<S> {
  const names = stage.plugins.map((p) => p.name);
  const options = stage.plugins.map((p) => p.schema) as unknown as [z.ZodObject, ...z.ZodObject[]];
  return z.discriminatedUnion(stage.by, options, {
    error: (i) =>
      i.code === "invalid_union"
        ? `unknown ${stage.by} ${
          JSON.stringify((i.input as Record<string, unknown>)?.[stage.by]) ?? "(none)"
        }; use one of: ${names.join(", ")}`
        : undefined,
  }).describe(`${stage.title}: ${stage.description}`) as unknown as UnionOf<S>;
}

type ConditionShape = { [S in AnyStage as S["key"]]: z.ZodOptional<UnionOf<S>> };

/** A run's condition: each stage's field, optional. */
export const conditionSchema = z.strictObject(
  Object.fromEntries(STAGES.map((s) => [s.key, stageSchema(s).optional()])) as ConditionShape,
);

export type Condition = z.output<typeof conditionSchema>;

const stageByKey = new Map<string, Stage>(STAGES.map((s) => [s.key, s as unknown as Stage]));
for (const s of STAGES) {
  if (new Set(s.plugins.map((p) => p.name)).size !== s.plugins.length) {
    throw new Error(`conditions: two ${s.key} kinds share a name`);
  }
}

/** The stage for a condition's field, and the plug-in its spec names (undefined if unknown). */
export function pluginOf(key: string, spec: Record<string, unknown>) {
  const stage = stageByKey.get(key);
  if (!stage) throw new Error(`unknown condition field "${key}"`);
  return { stage, plugin: stage.plugins.find((p) => p.name === spec[stage.by]) };
}

/** "sym noise 40%", "LT exp ρ=100 + asym noise 20%", or "" for no condition: stages in order. */
export function conditionLabel(c: Condition): string {
  return STAGES.flatMap((s) => {
    const spec = (c as Record<string, Record<string, unknown> | undefined>)[s.key];
    return spec ? [specLabel(s.key, spec)] : [];
  }).join(" + ");
}

/** One stage's spec as its plug-in labels it. */
export function specLabel(key: string, spec: Record<string, unknown>): string {
  const { plugin } = pluginOf(key, spec);
  if (!plugin) throw new Error(`unknown ${key} ${JSON.stringify(spec)}`);
  return (plugin as ConditionPlugin).label(spec as never);
}

/** GET /api/conditions: the stages in composition order, each kind with its JSON Schema. */
export function describeConditions() {
  return {
    order: [...STAGES.map((s) => s.key as string), "validation"],
    stages: STAGES.map((s) => ({
      key: s.key as string,
      by: s.by,
      title: s.title,
      description: s.description,
      kinds: (s.plugins as readonly ConditionPlugin[]).map((p) => ({
        name: p.name,
        title: p.title,
        description: p.description,
        schema: z.toJSONSchema(p.schema, { io: "input" }) as Record<string, unknown>,
      })),
    })),
  };
}
