// A tuned experiment's plan, as pure functions: the checks of its declaration,
// its trial runs (every cell × trial × tuning seed, on the same points), and
// its comparison runs (each cell at the shared defaults and at its chosen
// trial's settings, on the comparison seeds). service/tuning.ts moves the
// stage on as runs end.
import { searchedLoss, trialLabel, tunedLabel } from "../ml/cell.ts";
import type { Settings } from "../ml/config.ts";
import { applyTrial, checkSpace, SpaceError, trialValues, type Tune } from "../ml/tune/space.ts";
import type { TrainConfig } from "../ml/types.ts";
import { rungEpochs } from "../stats/asha.ts";
import { GridTooLargeError, ValidationError } from "./errors.ts";
import { gridConfigs, MAX_GRID_RUNS } from "./experiments.ts";
import type { RunSpec } from "./scheduler.ts";
import type { Comparison, TuningState } from "./tuning_records.ts";
import type { Experiment, ExperimentCell } from "./types.ts";

/** Checks a tuned experiment's request; throws a ValidationError naming the field. */
export function checkTune(
  tune: Tune,
  settings: Settings,
  cells: ExperimentCell[],
  seeds: number[],
): void {
  if (!(settings.valFraction > 0)) {
    throw new ValidationError(
      "valFraction: tuning needs a validation split (valFraction > 0); the test split is never " +
        "used to tune",
      "valFraction",
    );
  }
  const dup = tune.seeds.find((s, i) => tune.seeds.indexOf(s) !== i);
  if (dup !== undefined) {
    throw new ValidationError(`tune.seeds: ${dup} is listed twice`, "tune.seeds");
  }
  const shared = tune.seeds.filter((s) => seeds.includes(s));
  if (shared.length) {
    throw new ValidationError(
      `tune.seeds: ${shared.join(", ")} also a comparison seed; tuning seeds must be disjoint ` +
        "from the comparison's",
      "tune.seeds",
    );
  }
  try {
    checkSpace(tune, cells.map((c) => c.loss));
  } catch (e) {
    if (e instanceof SpaceError) throw new ValidationError(e.message, e.field);
    throw e;
  }
}

/** One cell's config at a trial's values (or the shared defaults without one) and a seed. */
function cellConfig(
  settings: Settings,
  cell: ExperimentCell,
  seed: number,
  values?: Record<string, number | string>,
): TrainConfig {
  const t = values
    ? applyTrial(settings, cell.loss, cell.params, values)
    : { settings, params: cell.params };
  return {
    ...t.settings,
    loss: cell.loss,
    params: t.params,
    condition: cell.condition,
    model: cell.model,
    seed,
  };
}

/** The new experiment's tuning state: the trials' points, the rungs, no decisions yet. */
export function initialTuning(tune: Tune, settings: Settings, cells: ExperimentCell[]) {
  return {
    status: "tuning" as const,
    rungs: rungEpochs(settings.epochs, tune.pruner?.asha),
    trials: trialValues(tune),
    cells: cells.map((c) => ({ key: c.key, decisions: [] })),
  } satisfies TuningState;
}

/** Every trial run: cell-major, then trial, then tuning seed; paused at the first rung. */
export function trialRuns(
  settings: Settings,
  cells: ExperimentCell[],
  tune: Tune,
  tuning: TuningState,
): RunSpec[] {
  const first = tuning.rungs.length > 1 ? { stopAt: tuning.rungs[0] } : {};
  return cells.flatMap((cell) =>
    tuning.trials.flatMap((values, trial) =>
      tune.seeds.map((seed) => ({
        config: cellConfig(settings, cell, seed, values),
        cellKey: cell.key,
        label: trialLabel(cell, values, trial),
        tune: { role: "trial" as const, trial },
        ...first,
      }))
    )
  );
}

/** A chosen trial's confirmation runs, one per comparison seed. */
export function confirmRuns(
  exp: Pick<Experiment, "settings">,
  cell: ExperimentCell,
  trial: number,
  values: Record<string, number | string>,
  seeds: number[],
): RunSpec[] {
  return seeds.map((seed) => ({
    config: cellConfig(exp.settings, cell, seed, values),
    cellKey: cell.key,
    label: tunedLabel(cell, values),
    tune: { role: "confirm" as const, trial },
  }));
}

/** The comparisons' runs for seeds: defaults (if compared), and every selected cell's choice. */
export function comparisonRuns(exp: Experiment, seeds: number[]): RunSpec[] {
  const compare: Comparison[] = exp.compare ?? ["defaults"];
  const out: RunSpec[] = [];
  if (compare.includes("defaults")) {
    for (const cell of exp.cells) {
      for (const seed of seeds) out.push({ config: cellConfig(exp.settings, cell, seed) });
    }
  }
  if (compare.includes("tuned") && exp.tuning) {
    exp.cells.forEach((cell, i) => {
      const chosen = exp.tuning!.cells[i]?.chosen;
      if (chosen) {
        out.push(...confirmRuns(exp, cell, chosen.trial, exp.tuning!.trials[chosen.trial], seeds));
      }
    });
  }
  return out;
}

/**
 * The cells as a comparison names them: at tuned settings each chosen cell by its chosen
 * values (as its confirmation runs), so no view shows a declared value that was not trained.
 */
export function comparisonCells(exp: Experiment, c: Comparison): ExperimentCell[] {
  if (c !== "tuned" || !exp.tuning) return exp.cells;
  return exp.cells.map((cell, i) => {
    const chosen = exp.tuning!.cells[i]?.chosen;
    return chosen ? { ...cell, label: tunedLabel(cell, exp.tuning!.trials[chosen.trial]) } : cell;
  });
}

/** At tuned settings, a loss across conditions named less the searched parameters ("gce"). */
export function comparisonLossLabel(exp: Experiment, c: Comparison) {
  const values = c === "tuned" ? exp.tuning?.trials[0] : undefined;
  return values ? (cell: ExperimentCell) => searchedLoss(cell, values) : undefined;
}

/** Whether a run belongs to a comparison (trials belong to none). */
export function inComparison(run: { tune?: { role: string } }, c: Comparison): boolean {
  return c === "tuned" ? run.tune?.role === "confirm" : run.tune === undefined;
}

/**
 * A new experiment's tuning fields and first runs (its trials, then the
 * defaults' runs when compared), or, without `tune`, its plain grid. Throws a
 * ValidationError naming the field.
 */
export function planExperiment(
  settings: Settings,
  cells: ExperimentCell[],
  seeds: number[],
  tune: Tune | undefined,
  compare: Comparison[] | undefined,
  hasUntil: boolean,
): { runs: (TrainConfig | RunSpec)[]; fields: Pick<Experiment, "tune" | "compare" | "tuning"> } {
  if (!tune) {
    if (compare?.includes("tuned")) {
      throw new ValidationError('compare: "tuned" needs a tune stage', "compare");
    }
    return { runs: gridConfigs(settings, cells, seeds), fields: {} };
  }
  if (hasUntil) throw new ValidationError("until: not with tune (yet)", "until");
  const dup = (compare ?? []).find((c, i) => compare!.indexOf(c) !== i);
  if (dup) throw new ValidationError(`compare: "${dup}" is listed twice`, "compare");
  checkTune(tune, settings, cells, seeds);
  const tuning = initialTuning(tune, settings, cells);
  const fields = { tune, compare: compare ?? ["tuned" as const], tuning };
  const trials = trialRuns(settings, cells, tune, tuning);
  const defaults = fields.compare.includes("defaults") ? gridConfigs(settings, cells, seeds) : [];
  const size = trials.length + defaults.length;
  if (size > MAX_GRID_RUNS) {
    throw new GridTooLargeError(
      `the experiment starts ${trials.length} trial runs (${cells.length} cells × ${tune.trials} ` +
        `trials × ${tune.seeds.length} tuning seeds) and ${defaults.length} runs at the defaults ` +
        `= ${size}; the limit is ${MAX_GRID_RUNS} runs per request`,
      "tune.trials",
    );
  }
  return { runs: [...trials, ...defaults], fields };
}
