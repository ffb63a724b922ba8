// Holm's step-down adjustment over a family of p-values (monotone, capped at 1), by
// @stdlib/stats-padjust. Nulls (tests that could not run) are not part of the family.
import padjust from "@stdlib/stats-padjust";

export function holm(ps: readonly (number | null)[]): (number | null)[] {
  const present = ps.flatMap((p, i) => (p === null ? [] : [i]));
  if (present.length === 0) return ps.map(() => null);
  const adjusted = padjust(present.map((i) => ps[i] as number), "holm") as number[];
  const out: (number | null)[] = ps.map(() => null);
  present.forEach((i, k) => (out[i] = adjusted[k]));
  return out;
}
