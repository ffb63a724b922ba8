// Seeds added until decided (an experiment's `until` option): when every run of the experiment's
// current seeds has ended, each pair of its family is judged by the group-sequential design of
// stats/sequential.ts, and then either the next batch of seeds is queued (new seed numbers in every
// cell, so the pairs stay paired) or the experiment stops, with the seeds it used and saved written
// to its record. Pure decisions (`nextStep`) apart from the one process-wide hook (`untilHook`),
// which hears the store's events of ended runs (service/experiment_hook.ts).
import { cellKey } from "../ml/cell.ts";
import type { SequentialPair, SequentialState, Until } from "./until_records.ts";
import { pointValue } from "../stats/experiment.ts";
import { isFraction, metricDirection } from "../stats/metric_info.ts";
import { SEQUENTIAL_DESIGN, sequentialLook } from "../stats/sequential.ts";
import { SeedsTakenError, ValidationError } from "./errors.ts";
import type { Scheduler } from "./scheduler.ts";
import type { Store } from "./store.ts";
import { experimentHook } from "./experiment_hook.ts";
import { type Experiment, type ExperimentCell, isTerminal, type Run } from "./types.ts";

/** The default equivalence margin for accuracy-like metrics: 0.5 points. */
export const DEFAULT_DELTA = 0.005;

/** `until` with its defaults resolved, or an error naming the field. */
export function resolveUntil(
  u: Omit<Until, "delta"> & { delta?: number },
  cells: ExperimentCell[],
  seeds: number[],
): Until {
  const delta = u.delta ?? (isFraction(u.metric) ? DEFAULT_DELTA : undefined);
  if (delta === undefined) {
    throw new ValidationError(
      `until.delta: give the equivalence margin for ${u.metric} (no default)`,
      "until.delta",
    );
  }
  if (seeds.length > u.maxSeeds) {
    throw new ValidationError(
      `until.maxSeeds: ${u.maxSeeds} is fewer than the ${seeds.length} seeds given`,
      "until.maxSeeds",
    );
  }
  if (family(cells).length === 0) {
    throw new ValidationError(
      "until: no two losses share a condition and model, so nothing to decide",
      "until",
    );
  }
  return { ...u, delta };
}

/** Pairs of losses within the same condition and model: the family the design decides. */
export function family(cells: ExperimentCell[]): [ExperimentCell, ExperimentCell][] {
  const groups = new Map<string, ExperimentCell[]>();
  for (const c of cells) {
    const g = cellKey({ ...c, loss: "", params: {} });
    groups.set(g, [...(groups.get(g) ?? []), c]);
  }
  const out: [ExperimentCell, ExperimentCell][] = [];
  for (const g of groups.values()) {
    for (let i = 0; i < g.length; i++) {
      for (let j = i + 1; j < g.length; j++) out.push([g[i], g[j]]);
    }
  }
  return out;
}

export function initialState(until: Until, cells: ExperimentCell[]): SequentialState {
  const m = family(cells).length;
  return {
    design: SEQUENTIAL_DESIGN,
    familySize: m,
    pairAlpha: until.alpha / m,
    status: "running",
    looks: [],
    pairs: [],
  };
}

/** One run's value at its final epoch; null when it has none or did not finish. */
export type Values = Map<string, Map<number, number>>; // cellKey → seed → value

export type Step =
  | { kind: "wait" }
  | { kind: "continue"; state: SequentialState; seeds: number[] }
  | { kind: "stop"; state: SequentialState };

/**
 * What to do now that the runs are as given: wait for runs still active, or look (once per batch)
 * and continue with new seeds or stop. `values` holds the finished runs' final values.
 */
export function nextStep(
  exp: Experiment & { until: Until; sequential: SequentialState },
  runs: Run[],
  values: Values,
  now = new Date().toISOString(),
): Step {
  const st = exp.sequential;
  if (st.status === "stopped" || runs.some((r) => !isTerminal(r.status))) return { kind: "wait" };
  const u = exp.until;
  const used = exp.seeds.length;
  const stop = (state: SequentialState, reason: "decided" | "maxSeeds" | "cancelled"): Step => ({
    kind: "stop",
    state: {
      ...state,
      status: "stopped",
      stopped: {
        at: now,
        reason,
        seedsUsed: used,
        seedsSaved: Math.max(0, u.maxSeeds - used),
        runsSaved: Math.max(0, u.maxSeeds - used) * exp.cells.length,
      },
    },
  });
  const next = () => {
    const top = Math.max(...exp.seeds);
    const k = Math.min(u.every, u.maxSeeds - used);
    return Array.from({ length: k }, (_, i) => top + 1 + i);
  };
  // This batch was looked at already (a process stopped before queuing the next): queue it now.
  if (st.looks.at(-1)?.seeds === used) return { kind: "continue", state: st, seeds: next() };
  if (runs.some((r) => r.status === "cancelled")) return stop(st, "cancelled");

  const final = used >= u.maxSeeds;
  const look = st.looks.length;
  const direction = metricDirection(u.metric);
  const pairs: SequentialPair[] = family(exp.cells).map(([A, B], i) => {
    const prev = st.pairs[i];
    if (prev && (prev.decision === "better" || prev.decision === "equivalent")) return prev;
    const va = values.get(A.key) ?? new Map<number, number>();
    const vb = values.get(B.key) ?? new Map<number, number>();
    const diffs: number[] = [];
    for (const [seed, a] of [...va].sort((x, y) => x[0] - y[0])) {
      const b = vb.get(seed);
      if (b !== undefined && Number.isFinite(a) && Number.isFinite(b)) diffs.push(a - b);
    }
    const r = sequentialLook(diffs, st.looks.map((l) => l.n[i]), {
      alpha: st.pairAlpha,
      nMax: u.maxSeeds,
      delta: u.delta,
      direction,
      final,
    });
    return {
      a: A.key,
      b: B.key,
      labelA: A.label,
      labelB: B.label,
      decision: r.decision,
      ...(r.better ? { better: r.better } : {}),
      look,
      n: r.n,
      fraction: r.fraction,
      boundary: r.boundary,
      nominalAlpha: r.nominalAlpha,
      mean: r.mean,
      rci: r.rci,
      ...(r.reason ? { reason: r.reason } : {}),
    };
  });
  const state: SequentialState = {
    ...st,
    looks: [...st.looks, { at: now, seeds: used, n: pairs.map((p) => p.n) }],
    pairs,
  };
  const open = pairs.filter((p) => p.decision !== "better" && p.decision !== "equivalent");
  if (open.length === 0) return stop(state, "decided");
  if (final) return stop(state, "maxSeeds");
  return { kind: "continue", state, seeds: next() };
}

class Stale extends Error {}

/** Looks at one experiment if it is due, and acts on the answer. */
export async function evaluate(store: Store, scheduler: Scheduler, id: string): Promise<void> {
  const exp = await store.getExperiment(id);
  if (!exp?.until || !exp.sequential || exp.sequential.status === "stopped") return;
  const runs = (await Promise.all(exp.runIds.map((r) => store.getRun(r)))).filter((r) => !!r);
  if (runs.some((r) => !isTerminal(r.status))) return;
  const values: Values = new Map();
  for (const r of runs) {
    if (r.status !== "done") continue;
    const epochs = await store.listEpochs(r.id);
    const v = pointValue(
      { cellKey: r.cellKey, seed: r.config.seed, finished: true, epochs: epochs as never },
      exp.until.metric,
      { kind: "final" },
    );
    if (v === null) continue;
    if (!values.has(r.cellKey)) values.set(r.cellKey, new Map());
    values.get(r.cellKey)!.set(r.config.seed, v);
  }
  const step = nextStep({ ...exp, until: exp.until, sequential: exp.sequential }, runs, values);
  if (step.kind === "wait") return;
  if (step.state !== exp.sequential) {
    // One atomic write, refused when another process looked at this batch first.
    try {
      await store.extendExperiment(id, (cur) => {
        if (
          cur.seeds.length !== exp.seeds.length ||
          cur.sequential?.looks.length !== exp.sequential!.looks.length
        ) throw new Stale();
        return { runs: [], experiment: { ...cur, sequential: step.state } };
      });
    } catch (e) {
      if (e instanceof Stale) return;
      throw e;
    }
  }
  if (step.kind === "continue") {
    try {
      await scheduler.addSeeds(id, step.seeds);
    } catch (e) {
      if (!(e instanceof SeedsTakenError)) throw e; // another process queued them
    }
  }
}

/** The hook: every ended run of an experiment with `until` makes this process look at it. */
export function untilHook(log: (m: string) => void) {
  return experimentHook({
    name: "until",
    look: evaluate,
    wants: (e) =>
      e.type === "status" && isTerminal(e.data.status) && e.data.experimentId || undefined,
    inProgress: (e) => Boolean(e.until) && e.sequential?.status === "running",
  }, log);
}

/** The experiment's `until` and `sequential` fields for a new experiment (throws naming a field). */
export function untilRecord(
  u: Omit<Until, "delta"> & { delta?: number },
  cells: ExperimentCell[],
  seeds: number[],
): { until: Until; sequential: SequentialState } {
  const until = resolveUntil(u, cells, seeds);
  return { until, sequential: initialState(until, cells) };
}
