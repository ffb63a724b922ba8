// Experiments as grids: the request's axes (losses × conditions × models)
// become cells, and every cell × seed becomes one run on the shared settings.
// Pure functions: the routes validate, the store writes, the scheduler runs.
import { type Cell, cellKey, cellLabel } from "../ml/cell.ts";
import type { Settings } from "../ml/config.ts";
import type { Condition, LossParams, TrainConfig } from "../ml/types.ts";
import { GridTooLargeError, ValidationError } from "./errors.ts";
import type { ExperimentCell } from "./types.ts";

export { GridTooLargeError } from "./errors.ts";

/** Most runs one experiment request (or one added batch of seeds) may create. */
export const MAX_GRID_RUNS = 200;

/** The report's comparison: L1, cross-entropy, focal γ=0.5 and γ=2. */
export const DEFAULT_LOSSES: { loss: string; params: LossParams }[] = [
  { loss: "l1", params: {} },
  { loss: "ce", params: {} },
  { loss: "focal", params: { gamma: 0.5 } },
  { loss: "focal", params: { gamma: 2 } },
];

export interface GridAxes {
  losses: { loss: string; params: LossParams }[];
  conditions: Condition[];
  models: string[];
}

/** Cells in axis order (model, then condition, then loss); duplicates are an error. */
export function buildCells(axes: GridAxes): ExperimentCell[] {
  const cells: ExperimentCell[] = [];
  const seen = new Set<string>();
  for (const model of axes.models) {
    for (const condition of axes.conditions) {
      for (const l of axes.losses) {
        const cell: Cell = { model, loss: l.loss, params: l.params, condition };
        const key = cellKey(cell);
        if (seen.has(key)) {
          throw new ValidationError(`the grid names the cell "${cellLabel(cell)}" twice`, "losses");
        }
        seen.add(key);
        cells.push({ ...cell, key, label: cellLabel(cell) });
      }
    }
  }
  return cells;
}

/** Seeds 1..n for `repeats: n`, else the list given (duplicates refused). */
export function resolveSeeds(seeds: number[] | undefined, repeats: number | undefined): number[] {
  if (seeds && repeats !== undefined) {
    throw new ValidationError("give either seeds or repeats, not both", "seeds");
  }
  const out = seeds ?? Array.from({ length: repeats ?? 1 }, (_, i) => i + 1);
  const dup = out.find((s, i) => out.indexOf(s) !== i);
  if (dup !== undefined) throw new ValidationError(`seeds: ${dup} is listed twice`, "seeds");
  return out;
}

/** One config per cell × seed (cell-major, so a cell's seeds sit together). */
export function gridConfigs(
  settings: Settings,
  cells: ExperimentCell[],
  seeds: number[],
): TrainConfig[] {
  const size = cells.length * seeds.length;
  if (size > MAX_GRID_RUNS) {
    throw new GridTooLargeError(
      `the grid has ${cells.length} cells × ${seeds.length} seeds = ${size} runs; ` +
        `the limit is ${MAX_GRID_RUNS} runs per request`,
      "seeds",
    );
  }
  const out: TrainConfig[] = [];
  for (const c of cells) {
    for (const seed of seeds) {
      out.push({
        ...settings,
        loss: c.loss,
        params: c.params,
        condition: c.condition,
        model: c.model,
        seed,
      });
    }
  }
  return out;
}
