// TEMPORARY stand-in until the loss plug-ins land (branch `losses`): the report's three losses.
import { z } from "zod";
import { lossFn as oldLossFn } from "../losses.ts";
import type { LossParams } from "../types.ts";
import type { LossContext, LossFn, LossPlugin } from "./plugin.ts";

const plain = (name: "ce" | "l1"): LossPlugin => ({
  name,
  title: name,
  description: name,
  params: z.strictObject({}),
  label: () => name,
  build: () => oldLossFn(name),
});
export const LOSSES: readonly LossPlugin[] = [
  plain("l1"),
  plain("ce"),
  {
    name: "focal",
    title: "Focal loss",
    description: "focal",
    params: z.strictObject({ gamma: z.number().min(0).max(20).default(2) }),
    label: (p) => `focal γ=${p.gamma}`,
    build: (p) => oldLossFn("focal", p.gamma),
  },
];
export function getLoss(name: string): LossPlugin {
  const l = LOSSES.find((x) => x.name === name);
  if (!l) throw new Error(`unknown loss "${name}"; use one of: ${LOSSES.map((x) => x.name).join(", ")}`);
  return l;
}
export function parseLossParams(name: string, params: unknown): LossParams {
  const r = getLoss(name).params.safeParse(params ?? {});
  if (!r.success) {
    throw new Error(r.error.issues.map((i) => `params.${i.path.join(".")}: ${i.message}`).join("; "));
  }
  return r.data as LossParams;
}
export const lossFn = (name: string, params: LossParams, ctx: LossContext): LossFn =>
  getLoss(name).build(params, ctx);
export const lossLabel = (name: string, params: LossParams) => getLoss(name).label(params);
