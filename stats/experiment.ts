// TEMPORARY stand-in until the statistics land (branch `stats`).
export interface CellInput {
  key: string;
  label: string;
}
export interface RunInput {
  cellKey: string;
  seed: number;
  finished: boolean;
  epochs: Record<string, number | undefined>[];
}
export type Point = { kind: "final" } | { kind: "lastK"; k: number } | {
  kind: "best";
  on: "valAcc" | "valLoss";
};
// deno-lint-ignore no-explicit-any
export type ExperimentStats = any;
export function experimentStats(
  cells: CellInput[],
  runs: RunInput[],
  opts: { point: Point; metric: string; metrics: readonly string[] },
): ExperimentStats {
  return { point: opts.point, metric: opts.metric, runs: { total: runs.length }, cells, comparisons: [] };
}
