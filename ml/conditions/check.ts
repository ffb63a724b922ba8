// Checks a condition against a data set before any work, so a run that cannot
// do what it asks fails with a message naming the field.
import { z } from "zod";
import { describeIssues } from "../config.ts";
import { type Condition, conditionSchema, STAGES } from "./registry.ts";
import type { CheckContext, ConditionPlugin, Problem } from "./plugin.ts";

/**
 * The first problem of `condition` in `ctx` as "condition.<stage>[.<field>]: why",
 * or null: the schema (cheap, so prepareTrain is safe on its own), then each
 * stage's kind and the stage itself, in composition order. With only label set
 * names in `ctx`, only what they decide is checked.
 */
export function conditionProblem(condition: Condition, ctx: CheckContext): string | null {
  // Wrapped, so every message's path starts with "condition.".
  const wrapped = z.strictObject({ condition: conditionSchema }).safeParse({ condition });
  if (!wrapped.success) return describeIssues(wrapped.error);
  const parsed = wrapped.data.condition;
  for (const stage of STAGES) {
    const spec = (parsed as Record<string, Record<string, unknown> | undefined>)[stage.key];
    if (!spec) continue;
    const plugin = (stage.plugins as readonly ConditionPlugin[]).find((p) =>
      p.name === spec[stage.by]
    )!;
    const problem: Problem | null = plugin.check?.(spec as never, ctx) ??
      stage.check?.(spec, plugin as never, ctx) ?? null;
    if (problem) {
      return `condition.${stage.key}${
        problem.field ? `.${problem.field}` : ""
      }: ${problem.message}`;
    }
  }
  return null;
}

/**
 * null when `condition` and `valFraction` can be applied to a train split with
 * `classCounts` images per class (of `classes`), else an error naming the field,
 * e.g. `condition.imbalance.ratio: leaves class "truck" with 0 images`.
 */
export function checkCondition(
  condition: Condition,
  classCounts: number[],
  classes: string[],
  valFraction: number,
  /** The data set's label sets (human and matrix noise name one). */
  labelSets: string[] = [],
): string | null {
  if (classCounts.length !== classes.length) {
    return `classCounts: ${classCounts.length} counts for ${classes.length} classes`;
  }
  if (!(valFraction >= 0 && valFraction < 1)) {
    return `valFraction: must be in [0, 1), got ${valFraction}`;
  }
  return conditionProblem(condition, { labelSets, classes, counts: classCounts });
}
