// Chart labels: the loss's name, then its parameters by their usual symbols.

/** E.g. label("cb_focal", ["β", 0.9999], ["γ", 2]) → "cb_focal β=0.9999 γ=2". */
export function label(name: string, ...params: [symbol: string, value: number][]): string {
  return [name, ...params.map(([s, v]) => `${s}=${v}`)].join(" ");
}
