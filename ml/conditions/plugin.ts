// What a condition plug-in is. A condition is a stage of the train split's
// preparation (imbalance, label noise); each stage has kinds, one file each,
// listed once in ./registry.ts. A kind has a strict zod schema (its
// discriminator literal included) that drives validation, the CLI, the
// dashboard's form and GET /api/conditions; a label that names it in every
// view; optional checks against the data set; and a pure, seeded `apply`.
import type { z } from "zod";
import type { Rng } from "../rng.ts";
import type { ConditionRecord, Split } from "../types.ts";

/** What a check may know: label set names always; classes and counts once the data set loaded. */
export interface CheckContext {
  labelSets: string[];
  classes?: string[];
  /** Train images per class, before any stage. */
  counts?: number[];
}

/** A problem with a spec: `field` (under the stage's key; absent: the stage itself) and why. */
export interface Problem {
  field?: string;
  message: string;
}

/** The samples a stage works on, as the stages before it left them. */
export interface StageInput {
  /** The train split as the run starts (images, labels, label sets). */
  split: Split;
  classes: string[];
  /** Positions in `split` of the samples in play (ascending); null: all of them, in order. */
  kept: Uint32Array | null;
  /** Their true labels. */
  truth: Uint8Array;
}

export interface ConditionPlugin<S extends z.ZodObject = z.ZodObject> {
  /** The discriminator's value, e.g. "symmetric" (noise) or "exp" (imbalance). */
  name: string;
  /** A short title for the form, e.g. "symmetric noise". */
  title: string;
  /** One line: what it does and where it comes from. */
  description: string;
  /** Strict: the discriminator as a literal, then the kind's fields with bounds. */
  schema: S;
  /** Names the spec in every view: "sym noise 40%", "LT exp ρ=100". */
  label(spec: z.output<S>): string;
  /** What the schema can't say (a label set's name, a class left empty); null when fine. */
  check?(spec: z.output<S>, ctx: CheckContext): Problem | null;
}

/** A noise kind: the given labels of `input`'s samples (a new array), drawn from `rng`. */
export interface NoiseKind<S extends z.ZodObject = z.ZodObject> extends ConditionPlugin<S> {
  apply(spec: z.output<S>, input: StageInput, rng: Rng): Uint8Array;
}

/** An imbalance profile: how many train images each class keeps (the draw is the stage's). */
export interface ImbalanceProfile<S extends z.ZodObject = z.ZodObject> extends ConditionPlugin<S> {
  targets(counts: number[], spec: z.output<S>): number[];
}

/** Types a noise kind's spec from its schema. */
export const noiseKind = <S extends z.ZodObject>(p: NoiseKind<S>): NoiseKind<S> => p;
/** Types an imbalance profile's spec from its schema. */
export const imbalanceProfile = <S extends z.ZodObject>(p: ImbalanceProfile<S>) => p;

/** "40%", "12.5%": a rate as a label shows it. */
export const pct = (x: number) => `${Number((x * 100).toPrecision(4))}%`;

/** The samples after a stage, and the record fields it fills. */
export interface StageOutput {
  kept: Uint32Array | null;
  truth: Uint8Array;
  /** Given labels of the samples in play (=== truth until a noise stage). */
  given: Uint8Array;
  record: Partial<ConditionRecord>;
}

/**
 * A stage: a field of the condition (`key`), its kinds (`plugins`, told apart by
 * the field `by`), the seeded stream it draws from, and how it composes: `apply`
 * runs with the spec's plug-in, or with none when the condition lacks the field
 * (it still fills its record fields).
 */
export interface Stage<K extends string = string, P extends ConditionPlugin = ConditionPlugin> {
  key: K;
  by: string;
  title: string;
  description: string;
  stream: number;
  plugins: readonly P[];
  /** A check of the stage's own, after the plug-in's. */
  check?(spec: Record<string, unknown>, plugin: P, ctx: CheckContext): Problem | null;
  apply(
    spec: Record<string, unknown> | undefined,
    plugin: P | undefined,
    input: StageInput & { given: Uint8Array },
    rng: Rng,
  ): StageOutput;
}
