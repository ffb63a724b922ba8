// Chart labels: the loss's name, then its parameters by their usual symbols.

/**
 * E.g. label("cb_focal", ["β", 0.9999], ["γ", 2]) → "cb_focal β=0.9999 γ=2". A parameter
 * without a value is left out (lossLabel's `omit`: a tuned cell's searched parameters).
 */
export function label(name: string, ...params: [symbol: string, value: number][]): string {
  return [name, ...params.filter(([, v]) => v !== undefined).map(([s, v]) => `${s}=${v}`)]
    .join(" ");
}
