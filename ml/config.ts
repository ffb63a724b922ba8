// The one schema for a training run's options, shared by the CLI and the API:
// bounded numbers, unknown fields refused, defaults from the design notes.
import { z } from "zod";
import type { TrainConfig } from "./types.ts";

export const LIMITS = {
  epochs: 500,
  batchSize: 4096,
  dataLimit: 10_000_000,
} as const;

export const trainConfigSchema = z.strictObject({
  loss: z.enum(["ce", "focal", "l1"]),
  gamma: z.number().min(0).max(20).default(2),
  epochs: z.number().int().min(1).max(LIMITS.epochs).default(20),
  batchSize: z.number().int().min(1).max(LIMITS.batchSize).default(64),
  lr: z.number().positive().max(10).default(0.01),
  momentum: z.number().min(0).max(0.999).default(0.9),
  stepSize: z.number().int().min(1).max(10_000).default(10),
  stepGamma: z.number().positive().max(1).default(0.5),
  seed: z.number().int().min(0).max(2 ** 32 - 1).default(1),
  data: z.string().min(1).max(2048).default("cifar10"),
  trainLimit: z.number().int().min(1).max(LIMITS.dataLimit).optional(),
  testLimit: z.number().int().min(1).max(LIMITS.dataLimit).optional(),
  backend: z.enum(["auto", "cpu", "webgpu"]).default("auto"),
  model: z.enum(["convnet"]).default("convnet"),
});

export type TrainConfigInput = z.input<typeof trainConfigSchema>;

/** One line per problem, each naming its field. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => {
      const path = i.path.join(".");
      if (i.code === "unrecognized_keys") return `unknown field(s): ${i.keys.join(", ")}`;
      return path ? `${path}: ${i.message}` : i.message;
    })
    .join("; ");
}

/** Validates and fills defaults; throws an Error naming the bad fields. */
export function parseTrainConfig(input: unknown): TrainConfig {
  const r = trainConfigSchema.safeParse(input);
  if (!r.success) throw new Error(describeIssues(r.error));
  return r.data as TrainConfig;
}
