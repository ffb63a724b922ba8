// Moves a tuning stage on as its runs end (the experiment's `tune` field).
// Per cell, rung by rung: once every trial still alive has reached the rung
// (paused there, or ended), successive halving keeps the best (stats/asha.ts)
// and prunes the rest; at the last rung the best trial is chosen, and its
// confirmation runs are queued on the comparison seeds in the same atomic
// write as the choice. Decisions read only the trials' validation curves,
// never the order they finished in, so any number of workers gives the same
// promotions and the same choice. Like `until` (service/until.ts), one
// process-wide hook hears the store's events and looks at the experiment.
import { findMetric } from "../ml/metrics/registry.ts";
import { type Direction, promote, select, type TunePoint, valueAt } from "../stats/asha.ts";
import type { Scheduler } from "./scheduler.ts";
import type { Store } from "./store.ts";
import { experimentHook } from "./experiment_hook.ts";
import { confirmRuns } from "./tuning_plan.ts";
import type { TuningState } from "./tuning_records.ts";
import { isTerminal, type Run } from "./types.ts";

class Stale extends Error {}

/** The metric's better direction (from the metric registry). */
export const directionOf = (metric: string): Direction => findMetric(metric)?.direction ?? "higher";

/** One trial's runs (one per tuning seed), by cell key and trial index. */
export function trialsByCell(runs: Run[]): Map<string, Map<number, Run[]>> {
  const out = new Map<string, Map<number, Run[]>>();
  for (const r of runs) {
    if (r.tune?.role !== "trial") continue;
    if (!out.has(r.cellKey)) out.set(r.cellKey, new Map());
    const m = out.get(r.cellKey)!;
    m.set(r.tune.trial, [...(m.get(r.tune.trial) ?? []), r]);
  }
  for (const m of out.values()) {
    for (const rs of m.values()) rs.sort((a, b) => a.config.seed - b.config.seed);
  }
  return out;
}

/** A trial's value after `epochs`: the mean over its tuning seeds (null if any has none). */
export async function trialValue(
  store: Pick<Store, "listEpochs">,
  runs: Run[],
  epochs: number,
  metric: string,
  point: TunePoint,
): Promise<number | null> {
  let sum = 0;
  for (const r of runs) {
    const curve = (await store.listEpochs(r.id)).map((e) =>
      (e as unknown as Record<string, number | undefined>)[metric]
    );
    const v = valueAt(curve, epochs, point, directionOf(metric));
    if (v === null) return null;
    sum += v;
  }
  return sum / runs.length;
}

/** Reached the rung: paused there or past it, or ended (a failed run counts, with no value). */
const reached = (r: Run, epochs: number) =>
  isTerminal(r.status) || (r.status === "paused" && r.epochsDone >= epochs);

/**
 * Applies a cell's latest rung decision to its runs: the promoted paused
 * trials go back to the front of the queue, to pause at the next rung (or to
 * run to the end); the others are pruned. Idempotent (a transition from
 * "paused" only), so a process that stopped half-way is finished by the next look.
 */
async function applyDecision(
  store: Store,
  tuning: TuningState,
  cell: TuningState["cells"][number],
  trials: Map<number, Run[]>,
): Promise<void> {
  const d = cell.decisions.at(-1);
  if (!d) return;
  const next = tuning.rungs[d.rung + 1];
  const last = d.rung + 1 === tuning.rungs.length - 1;
  for (const t of d.trials) {
    for (const r of trials.get(t) ?? []) {
      if (r.status !== "paused" || r.epochsDone !== d.epochs) continue;
      if (d.promoted.includes(t)) {
        const patch = last ? { status: "queued" as const, stopAt: undefined } : {
          status: "queued" as const,
          stopAt: next,
        };
        await store.transition(r.id, ["paused"], patch, { requeue: true });
      } else {
        await store.transition(r.id, ["paused"], {
          status: "pruned",
          finishedAt: new Date().toISOString(),
        });
      }
    }
  }
}

/** Looks at one tuned experiment: decides every rung that is complete, and acts on it. */
export async function evaluateTuning(store: Store, scheduler: Scheduler, id: string) {
  const exp = await store.getExperiment(id);
  if (!exp?.tune || !exp.tuning || exp.tuning.status !== "tuning") return;
  const tune = exp.tune;
  const runs = (await Promise.all(exp.runIds.map((r) => store.getRun(r)))).filter((r) => !!r);
  const byCell = trialsByCell(runs);
  const direction = directionOf(tune.metric);
  const reduction = tune.pruner?.asha.reduction ?? 1;
  const tuning: TuningState = structuredClone(exp.tuning);
  const confirm: Parameters<typeof confirmRuns>[] = [];
  let changed = false;
  if (runs.some((r) => r.tune?.role === "trial" && r.status === "cancelled")) {
    tuning.status = "cancelled";
    changed = true;
  }
  for (const [i, cell] of tuning.cells.entries()) {
    if (tuning.status !== "tuning" || cell.chosen !== undefined) continue;
    const trials = byCell.get(cell.key) ?? new Map<number, Run[]>();
    await applyDecision(store, exp.tuning, exp.tuning.cells[i], trials);
    const k = cell.decisions.length;
    const alive = k === 0 ? tuning.trials.map((_, t) => t) : cell.decisions[k - 1].promoted;
    const epochs = tuning.rungs[k];
    const all = alive.flatMap((t) => trials.get(t) ?? []);
    if (all.length < alive.length * tune.seeds.length || !all.every((r) => reached(r, epochs))) {
      continue;
    }
    const values = await Promise.all(
      alive.map((t) => trialValue(store, trials.get(t)!, epochs, tune.metric, tune.point)),
    );
    if (k < tuning.rungs.length - 1) {
      const promoted = promote(alive, values, direction, reduction);
      cell.decisions.push({ rung: k, epochs, trials: alive, values, promoted });
    } else {
      cell.chosen = select(alive, values, direction);
      if (cell.chosen) {
        const c = exp.cells[i];
        confirm.push([exp, c, cell.chosen.trial, tuning.trials[cell.chosen.trial], exp.seeds]);
      }
    }
    changed = true;
  }
  if (tuning.status === "tuning" && tuning.cells.every((c) => c.chosen !== undefined)) {
    tuning.status = "done";
  }
  if (!changed) return;
  const compareTuned = (exp.compare ?? []).includes("tuned");
  try {
    // One atomic write for the decisions and the confirmation runs, refused when another
    // process decided first.
    await store.extendExperiment(id, (cur) => {
      if (JSON.stringify(cur.tuning) !== JSON.stringify(exp.tuning)) throw new Stale();
      const added = compareTuned
        ? confirm.flatMap((args) => confirmRuns(args[0], args[1], args[2], args[3], cur.seeds))
        : [];
      const fresh = scheduler.newRuns(added, id);
      return {
        runs: fresh,
        experiment: { ...cur, tuning, runIds: [...cur.runIds, ...fresh.map((r) => r.id)] },
      };
    });
  } catch (e) {
    if (e instanceof Stale) return;
    throw e;
  }
  scheduler.kick();
  for (const cell of tuning.cells) {
    await applyDecision(store, tuning, cell, byCell.get(cell.key) ?? new Map());
  }
}

/** The hook: a trial that pauses or ends makes this process look at its experiment. */
export function tuningHook(log: (m: string) => void) {
  return experimentHook({
    name: "tuning",
    look: evaluateTuning,
    wants: (e) =>
      e.type === "status" && e.data.tune?.role === "trial" &&
        (isTerminal(e.data.status) || e.data.status === "paused") && e.data.experimentId ||
      undefined,
    inProgress: (e) => e.tuning?.status === "tuning",
  }, log);
}
