// An experiment's losses compared across its conditions (and models): the cells as stats/across.ts
// wants them (a loss key, a block key, labels) and each finished run's value at the point.
import { cellKey, conditionLabel } from "../ml/cell.ts";
import { lossLabel } from "../ml/losses/registry.ts";
import { type AcrossConditions, acrossConditions } from "../stats/across.ts";
import { type Point, pointValue, type RunInput } from "../stats/experiment.ts";
import { metricDirection } from "../stats/metric_info.ts";
import type { ExperimentCell } from "./types.ts";

export function experimentAcross(
  cells: readonly ExperimentCell[],
  runs: readonly RunInput[],
  opts: { point: Point; metric: string },
  /** A loss row's name (at tuned settings: less the searched parameters). */
  lossLabelOf = (c: ExperimentCell) => lossLabel(c.loss, c.params),
): AcrossConditions | null {
  const values = new Map<string, number[]>();
  for (const r of runs) {
    const v = r.finished ? pointValue(r, opts.metric, opts.point) : null;
    if (v === null) continue;
    values.set(r.cellKey, [...(values.get(r.cellKey) ?? []), v]);
  }
  const models = new Set(cells.map((c) => c.model)).size;
  const across = cells.map((c) => ({
    key: c.key,
    loss: cellKey({ ...c, condition: {}, model: "" }),
    lossLabel: lossLabelOf(c),
    block: cellKey({ ...c, loss: "", params: {} }),
    blockLabel: [conditionLabel(c.condition) || "clean", models > 1 ? c.model : ""]
      .filter(Boolean).join(" · "),
  }));
  return acrossConditions(across, values, {
    metric: opts.metric,
    direction: metricDirection(opts.metric),
  });
}
