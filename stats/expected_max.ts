// The expected best validation score after n trials (Dodge et al., EMNLP 2019,
// "Show your work"): the mean and sd of max(V_1..V_n) when the n trials are
// drawn with replacement from the N trials run, i.e. from their empirical CDF.
// With v_(1) ≤ … ≤ v_(N): P(max = v_(i)) = (i/N)^n − ((i−1)/N)^n, so
// E = Σ v_(i)·w_i and Var = Σ v_(i)²·w_i − E². It shows whether the budget
// sufficed (the curve has flattened) and where a smaller budget would have
// changed the winner. Checked against NumPy (tools/make_tune_fixtures.py).

export interface ExpectedMax {
  n: number;
  mean: number;
  sd: number;
}

/**
 * E[max of n] ± sd for n = 1..N over `values` (finite ones; NaN and ±∞ are
 * left out by the caller's choice, see `worst`). For a metric where lower is
 * better pass `direction: "lower"`: it is then the expected minimum.
 */
export function expectedMax(
  values: readonly number[],
  direction: "higher" | "lower" = "higher",
): ExpectedMax[] {
  const sign = direction === "higher" ? 1 : -1;
  const v = values.map((x) => sign * x).sort((a, b) => a - b);
  const N = v.length;
  const out: ExpectedMax[] = [];
  for (let n = 1; n <= N; n++) {
    let mean = 0, second = 0;
    for (let i = 1; i <= N; i++) {
      const w = (i / N) ** n - ((i - 1) / N) ** n;
      mean += w * v[i - 1];
      second += w * v[i - 1] * v[i - 1];
    }
    out.push({ n, mean: sign * mean, sd: Math.sqrt(Math.max(0, second - mean * mean)) });
  }
  return out;
}
