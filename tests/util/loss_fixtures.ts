// The loss plug-ins' PyTorch fixtures (tests/fixtures/reference_losses.json,
// written by tools/make_loss_fixtures.py), typed, for the tests that check them.
import type { LossParams } from "../../ml/types.ts";

export interface LossCase {
  logits: { shape: [number, number]; data: number[] };
  labels: number[];
  trainCounts: number[];
}

export interface LossResult {
  case: string;
  loss: string;
  params: LossParams;
  value: number;
  grad: number[];
}

export const lossFixtures = JSON.parse(
  await Deno.readTextFile(new URL("../fixtures/reference_losses.json", import.meta.url)),
) as { torch: string; cases: Record<string, LossCase>; results: LossResult[] };
