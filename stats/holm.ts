// Multiple-comparison adjustments over a family of p-values. A test that could not run (null p)
// still counts in the family's size when `m` is given: a planned comparison that yields no test
// must not make the others' correction milder.

/** Holm's step-down adjustment, monotone and capped at 1; nulls stay null. */
export function holm(ps: readonly (number | null)[], m?: number): (number | null)[] {
  const present = ps.flatMap((p, i) => (p === null ? [] : [i]));
  const size = Math.max(m ?? present.length, present.length);
  const order = [...present].sort((i, j) => (ps[i] as number) - (ps[j] as number));
  const out: (number | null)[] = ps.map(() => null);
  let running = 0;
  order.forEach((i, k) => {
    running = Math.max(running, (size - k) * (ps[i] as number));
    out[i] = Math.min(1, running);
  });
  return out;
}

/**
 * The per-comparison level at which each comparison's decision was taken by Holm at family level
 * `alpha`: α/(m − j) at step j (0-based) for the rejected ones, and the level of the step where the
 * procedure stopped for the rest. A two-sided CI at 1 − that level excludes 0 exactly when Holm
 * rejects, so the interval shown always matches the verdict. Null for comparisons without a p.
 */
export function holmLevels(
  ps: readonly (number | null)[],
  alpha: number,
  m?: number,
): (number | null)[] {
  const present = ps.flatMap((p, i) => (p === null ? [] : [i]));
  const size = Math.max(m ?? present.length, present.length);
  const order = [...present].sort((i, j) => (ps[i] as number) - (ps[j] as number));
  const out: (number | null)[] = ps.map(() => null);
  let stop: number | null = null;
  order.forEach((i, k) => {
    const level = alpha / (size - k);
    if (stop === null && (ps[i] as number) >= level) stop = level;
    out[i] = stop ?? level;
  });
  return out;
}
