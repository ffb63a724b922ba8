// @ts-check
// The figures' smoothing slider: TensorBoard's exponential moving average.
// Display only: the table, tooltips' raw values and exports keep the data.

/**
 * Debiased EMA of `values` with weight `w` in [0, 1): the average starts at 0
 * and is divided by 1 − wⁿ after n points, so the first points are not pulled
 * towards 0. As in TensorBoard, a constant series is returned unchanged, and a
 * non-finite value passes through without entering the average.
 * @param {number[]} values @param {number} w
 */
export function smoothEma(values, w) {
  if (!(w > 0)) return values.slice();
  const first = values[0];
  if (values.every((v) => v === first)) return values.slice();
  let last = 0;
  let n = 0;
  return values.map((v) => {
    if (!Number.isFinite(v)) return v;
    last = last * w + (1 - w) * v;
    n++;
    return last / (1 - w ** n);
  });
}
