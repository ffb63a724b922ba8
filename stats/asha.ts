// Successive halving at ASHA's rungs (Li et al. 2020), decided synchronously:
// rungs at minEpochs·reduction^k epochs (k = 0, 1, …) below the run's epochs,
// then the run's epochs; at each rung, once every trial still alive has
// reported, the best ⌊n/reduction⌋ (at least one) go on and the rest are
// pruned. Deciding only on the full set of a rung's values, never on the order
// trials finish in, makes the promotions and the selection the same for any
// number of workers. Ties go to the lower trial index. Pure functions: the
// service (service/tuning.ts) feeds them the trials' validation curves.

export type Direction = "higher" | "lower";
export type TunePoint = "best" | "final";

/** The epochs of each rung; the last is always `epochs` (one rung without a pruner). */
export function rungEpochs(
  epochs: number,
  asha?: { reduction: number; minEpochs: number },
): number[] {
  const out: number[] = [];
  if (asha) {
    for (let r = asha.minEpochs; r < epochs; r *= asha.reduction) out.push(r);
  }
  out.push(epochs);
  return out;
}

/**
 * A trial's value after `epochs` epochs: its best over epochs 1..epochs
 * (`best`) or the one at `epochs` (`final`). `curve[e - 1]` is epoch e's value;
 * null when it has none there (it failed earlier, or the value is not finite).
 */
export function valueAt(
  curve: readonly (number | undefined)[],
  epochs: number,
  point: TunePoint,
  direction: Direction,
): number | null {
  if (curve.length < epochs) return null;
  const ok = (x: number | undefined): x is number => x !== undefined && Number.isFinite(x);
  if (point === "final") return ok(curve[epochs - 1]) ? curve[epochs - 1]! : null;
  let best: number | null = null;
  for (const x of curve.slice(0, epochs)) {
    if (ok(x) && (best === null || (direction === "higher" ? x > best : x < best))) best = x;
  }
  return best;
}

/**
 * Positions of `values` from best to worst: by the direction, nulls (failed,
 * diverged) last, ties by lower position (the lower trial index).
 */
export function rank(values: readonly (number | null)[], direction: Direction): number[] {
  const sign = direction === "higher" ? -1 : 1;
  return values.map((_, i) => i).sort((a, b) => {
    const x = values[a], y = values[b];
    if (x === null || y === null) return x === null ? (y === null ? a - b : 1) : -1;
    return x === y ? a - b : sign * (x - y);
  });
}

/** The trials kept at a rung: the best max(1, ⌊n/reduction⌋), in trial order. */
export function promote(
  trials: readonly number[],
  values: readonly (number | null)[],
  direction: Direction,
  reduction: number,
): number[] {
  const keep = Math.max(1, Math.floor(trials.length / reduction));
  return rank(values, direction).slice(0, keep).map((i) => trials[i]).sort((a, b) => a - b);
}

/** The chosen trial among those that reached the last rung, or null when none has a value. */
export function select(
  trials: readonly number[],
  values: readonly (number | null)[],
  direction: Direction,
): { trial: number; value: number } | null {
  const i = rank(values, direction)[0];
  return i === undefined || values[i] === null ? null : { trial: trials[i], value: values[i]! };
}

export interface RungDecision {
  rung: number;
  epochs: number;
  trials: number[];
  values: (number | null)[];
  promoted: number[];
}

/**
 * The whole halving over scripted curves (one per trial; a curve shorter than a
 * rung means the trial failed before it): every rung's decision and the choice.
 * What the service does rung by rung, in one call (the tests' reference).
 */
export function successiveHalving(
  curves: readonly (readonly (number | undefined)[])[],
  rungs: readonly number[],
  opts: { reduction: number; point: TunePoint; direction: Direction },
): { decisions: RungDecision[]; chosen: { trial: number; value: number } | null } {
  let alive = curves.map((_, i) => i);
  const decisions: RungDecision[] = [];
  for (let k = 0; k < rungs.length - 1; k++) {
    const values = alive.map((t) => valueAt(curves[t], rungs[k], opts.point, opts.direction));
    const promoted = promote(alive, values, opts.direction, opts.reduction);
    decisions.push({ rung: k, epochs: rungs[k], trials: alive, values, promoted });
    alive = promoted;
  }
  const last = rungs.at(-1)!;
  const values = alive.map((t) => valueAt(curves[t], last, opts.point, opts.direction));
  return { decisions, chosen: select(alive, values, opts.direction) };
}
