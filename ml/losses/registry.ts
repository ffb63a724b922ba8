// The one list of losses, and the functions the API, CLI and trainer use to
// look one up, validate its parameters, build it and label it.
import type { LossParams } from "../types.ts";
import { balancedSoftmax } from "./balanced_softmax.ts";
import { cbCe } from "./cb_ce.ts";
import { cbFocal } from "./cb_focal.ts";
import { ce } from "./ce.ts";
import { focal } from "./focal.ts";
import { gce } from "./gce.ts";
import { l1 } from "./l1.ts";
import { labelSmoothing } from "./label_smoothing.ts";
import { mae } from "./mae.ts";
import { nceRce } from "./nce_rce.ts";
import type { LossContext, LossFn, LossPlugin } from "./plugin.ts";
import { sce } from "./sce.ts";
import { editDistance } from "../suggest.ts";

export const LOSSES: readonly LossPlugin[] = [
  ce,
  l1,
  focal,
  labelSmoothing,
  gce,
  sce,
  nceRce,
  cbCe,
  cbFocal,
  balancedSoftmax,
  mae,
];

/** The registered names, in LOSSES order (e.g. for a zod enum). */
export const LOSS_NAMES: readonly string[] = LOSSES.map((l) => l.name);

const byName = new Map(LOSSES.map((l) => [l.name, l]));
if (byName.size !== LOSSES.length) throw new Error("losses: two plug-ins share a name");

/** The plug-in called `name`; throws naming the known losses (and a close one if any). */
export function getLoss(name: string): LossPlugin {
  const loss = byName.get(name);
  if (loss) return loss;
  const close = closest(name);
  throw new Error(
    `unknown loss ${JSON.stringify(name)}${close ? `; did you mean "${close}"?` : ""}` +
      ` (known: ${LOSS_NAMES.join(", ")})`,
  );
}

/**
 * `params` checked against the loss's strict schema, defaults filled in. Missing or null
 * params mean all defaults. Throws one Error naming each bad field as `params.<field>`.
 */
export function parseLossParams(name: string, params: unknown): LossParams {
  const loss = getLoss(name);
  const result = loss.params.safeParse(params ?? {});
  if (result.success) return result.data as LossParams;
  const known = Object.keys(loss.params.shape);
  const problems = result.error.issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys") {
      const has = known.length ? `it takes ${known.join(", ")}` : "it takes none";
      return issue.keys.map((k) => `params.${k}: ${name} has no such parameter (${has})`);
    }
    const where = ["params", ...issue.path.map(String)].join(".");
    return [`${where}: ${issue.message}`];
  });
  throw new Error(`${name}: ${problems.join("; ")}`);
}

/** The loss function for a run: parameters validated (defaults filled), then built. */
export function lossFn(name: string, params: unknown, ctx: LossContext): LossFn {
  return getLoss(name).build(parseLossParams(name, params), ctx);
}

/**
 * A chart label with the parameters (defaults filled): "ce", "focal γ=2", "gce q=0.7"; the
 * parameters named in `omit` left out ("gce", "sce β=1").
 */
export function lossLabel(name: string, params?: unknown, omit: Iterable<string> = []): string {
  const p: Record<string, unknown> = { ...parseLossParams(name, params) };
  for (const k of omit) if (k in p) p[k] = undefined;
  return getLoss(name).label(p as LossParams);
}

/** A known name that `name` is probably a typo of, if any. */
function closest(name: string): string | undefined {
  const norm = name.trim().toLowerCase().replace(/[-+ ]/g, "_");
  let best: string | undefined, bestDist = Infinity;
  for (const known of LOSS_NAMES) {
    if (norm === known || (norm.length >= 3 && known.startsWith(norm))) return known;
    const d = editDistance(norm, known);
    if (d < bestDist) [best, bestDist] = [known, d];
  }
  return bestDist <= Math.max(1, Math.floor(name.length / 3)) ? best : undefined;
}
