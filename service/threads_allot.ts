// How many kernel threads each run trained here may use (ml/kernels/wasm/threads.ts). Runs and
// their workers come first: every run has its own core; the cores no run holds are shared out
// among the runs (the first ones get the remainder), so a lone run uses every core and a second
// run takes its core back as soon as it is claimed. A queued run this process could train is
// claimed by an idle worker at once, so a core counted free here is never one a queued run wants.

/** Threads per run for `runs` runs over `cores` cores, at most `cap` each. */
export function allotThreads(runs: number, cores: number, cap: number): number[] {
  if (runs <= 0) return [];
  const base = Math.floor(cores / runs);
  const extra = cores % runs;
  return Array.from(
    { length: runs },
    (_, i) => Math.max(1, Math.min(cap, base + (i < extra ? 1 : 0))),
  );
}
