// Statistics for runs trained elsewhere: per-seed values as CSV or JSON rows (cell, seed, metric,
// value, and optionally n, the images the metric counts, which sets its resolution 1/n, and group,
// the condition/model the default family compares within) become the same cells, families and
// verdicts as an experiment's, at a single point (each row is one run's final value).
import {
  type ExperimentStats,
  experimentStats,
  type Hypothesis,
  PointError,
  type RunInput,
} from "./experiment.ts";
import { type FamilySpec, StatsOptionError } from "./family.ts";

export interface ValueRow {
  cell: string;
  seed: number;
  metric: string;
  /** null or NaN: a diverged run (counted and reported, not silently dropped). */
  value: number | null;
  n?: number;
  group?: string;
}

export interface AnalysisOptions {
  /** The metric compared; defaults to the only one, or testAcc when present. */
  metric?: string;
  family?: FamilySpec;
  delta?: number;
  hypotheses?: Hypothesis[];
}

export class AnalysisInputError extends Error {}

const COLUMNS = ["cell", "seed", "metric", "value"];

/** RFC 4180 CSV with a header naming at least cell, seed, metric, value (n, group optional). */
export function parseCsv(text: string): ValueRow[] {
  const records = csvRecords(text).filter((r) => r.some((f) => f.trim() !== ""));
  if (records.length === 0) throw new AnalysisInputError("csv: empty");
  const head = records[0].map((h) => h.trim().toLowerCase());
  for (const c of COLUMNS) {
    if (!head.includes(c)) {
      throw new AnalysisInputError(
        `csv: no "${c}" column (need ${COLUMNS.join(", ")}; n, group optional)`,
      );
    }
  }
  const col = (name: string) => head.indexOf(name);
  return records.slice(1).map((r, i) => {
    const line = i + 2;
    const get = (name: string) => (col(name) < 0 ? "" : (r[col(name)] ?? "").trim());
    const num = (name: string, text: string) => {
      const x = Number(text);
      if (text === "" || !Number.isFinite(x)) {
        throw new AnalysisInputError(
          `csv line ${line}: ${name} "${text.slice(0, 40)}" is not a number`,
        );
      }
      return x;
    };
    const v = get("value");
    const row: ValueRow = {
      cell: get("cell"),
      seed: num("seed", get("seed")),
      metric: get("metric"),
      value: /^(nan|null|)$/i.test(v) ? null : num("value", v),
    };
    if (get("n") !== "") row.n = num("n", get("n"));
    if (get("group") !== "") row.group = get("group");
    return checkRow(row, `csv line ${line}`);
  });
}

function csvRecords(text: string): string[][] {
  const out: string[][] = [];
  let row: string[] = [], field = "", quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') field += '"', i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") row.push(field), field = "";
    else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(field), out.push(row), row = [], field = "";
    } else field += ch;
  }
  if (field !== "" || row.length) row.push(field), out.push(row);
  return out;
}

export function checkRow(row: ValueRow, where: string): ValueRow {
  if (!row.cell) throw new AnalysisInputError(`${where}: cell is empty`);
  if (!row.metric) throw new AnalysisInputError(`${where}: metric is empty`);
  if (!Number.isInteger(row.seed)) {
    throw new AnalysisInputError(`${where}: seed must be an integer`);
  }
  if (row.n !== undefined && !(Number.isInteger(row.n) && row.n > 0)) {
    throw new AnalysisInputError(`${where}: n must be a whole number > 0 (the images counted)`);
  }
  return row;
}

/** The analysis of the rows: cells in order of first appearance, one run per cell and seed. */
export function analyze(rows: ValueRow[], opts: AnalysisOptions = {}): ExperimentStats {
  if (rows.length === 0) throw new AnalysisInputError("no rows");
  const metrics = [...new Set(rows.map((r) => r.metric))];
  const metric = opts.metric ??
    (metrics.length === 1 ? metrics[0] : metrics.includes("testAcc") ? "testAcc" : undefined);
  if (!metric || !metrics.includes(metric)) {
    throw new AnalysisInputError(
      `metric: ${metric ? `"${metric}" has no rows` : "several metrics: name the one compared"}` +
        ` (rows have ${metrics.join(", ")})`,
    );
  }
  const cells = new Map<string, { key: string; label: string; group?: string }>();
  const runs = new Map<string, RunInput & { epochs: Record<string, number | undefined>[] }>();
  for (const r of rows) {
    const cell = cells.get(r.cell) ?? { key: r.cell, label: r.cell, group: r.group };
    if (r.group !== undefined && cell.group !== undefined && cell.group !== r.group) {
      throw new AnalysisInputError(`cell "${r.cell}" is in two groups: ${cell.group}, ${r.group}`);
    }
    cells.set(r.cell, { ...cell, group: cell.group ?? r.group });
    const id = `${r.cell}\u0000${r.seed}`;
    const run = runs.get(id) ??
      { cellKey: r.cell, seed: r.seed, finished: true, epochs: [{ epoch: 1 }], resolutions: {} };
    if (run.epochs[0][r.metric] !== undefined) {
      throw new AnalysisInputError(`cell "${r.cell}", seed ${r.seed}: two values of ${r.metric}`);
    }
    run.epochs[0][r.metric] = r.value ?? NaN;
    if (r.n !== undefined) run.resolutions![r.metric] = 1 / r.n;
    runs.set(id, run);
  }
  try {
    return experimentStats([...cells.values()], [...runs.values()], {
      point: { kind: "final" },
      metric,
      metrics,
      family: opts.family,
      delta: opts.delta,
      hypotheses: opts.hypotheses,
    });
  } catch (e) {
    if (e instanceof PointError || e instanceof StatsOptionError) {
      throw new AnalysisInputError(e.message);
    }
    throw e;
  }
}
