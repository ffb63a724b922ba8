// The learning rate of each epoch, as PyTorch's schedulers give it when stepped
// once per epoch: StepLR (the default, the report's), or CosineAnnealingLR
// (eta_min 0) after an optional linear warmup. A function of the epoch alone,
// so a resumed run needs no scheduler state in its checkpoint.
//
// The warmup is SequentialLR([LinearLR(start_factor=1/(w+1), end_factor=1,
// total_iters=w), CosineAnnealingLR(T_max=epochs−w)], milestones=[w]):
// epoch e < w trains at lr·(e+1)/(w+1), so the first epoch never trains at 0
// and epoch w starts the cosine at lr. PyTorch computes both recursively
// (chainable form); these closed forms agree to rounding
// (tests/fixtures/reference_optimizer.json, tools/make_optimizer_fixtures.py).
import type { TrainConfig } from "./types.ts";

/** StepLR: lr0 · γ^⌊epoch/stepSize⌋, epoch counted from 0. */
export function stepLr(lr0: number, stepGamma: number, stepSize: number, epoch: number): number {
  return lr0 * Math.pow(stepGamma, Math.floor(epoch / stepSize));
}

/** Linear warmup over `warmup` epochs, then CosineAnnealingLR(T_max = epochs − warmup) to 0. */
export function cosineLr(lr0: number, epochs: number, warmup: number, epoch: number): number {
  if (epoch < warmup) return lr0 * (epoch + 1) / (warmup + 1);
  return lr0 * (1 + Math.cos(Math.PI * (epoch - warmup) / (epochs - warmup))) / 2;
}

export type ScheduleFields = Pick<
  TrainConfig,
  "lr" | "epochs" | "stepSize" | "stepGamma" | "schedule" | "warmupEpochs"
>;

/**
 * The lr epoch `epoch` (from 0) trains with. A config recorded before schedules
 * existed has no `schedule`: StepLR, as it trained.
 */
export function lrAt(c: ScheduleFields, epoch: number): number {
  if (c.schedule !== "cosine") return stepLr(c.lr, c.stepGamma, c.stepSize, epoch);
  return cosineLr(c.lr, c.epochs, c.warmupEpochs ?? 0, epoch);
}

/**
 * The options that differ from the report's training, for a status line:
 * "cosine after 2 warmup epochs, weight decay 0.0005, grad clip 1"; "" when none do.
 */
export function trainingOptionsText(
  c: ScheduleFields & Pick<TrainConfig, "weightDecay" | "gradClip">,
): string {
  const parts: string[] = [];
  if (c.schedule === "cosine") {
    const w = c.warmupEpochs;
    parts.push(w ? `cosine after ${w} warmup epoch${w === 1 ? "" : "s"}` : "cosine");
  }
  if (c.weightDecay) parts.push(`weight decay ${c.weightDecay}`);
  if (c.gradClip !== undefined) parts.push(`grad clip ${c.gradClip}`);
  return parts.join(", ");
}
