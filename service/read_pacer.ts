// Paces reads of whole experiments so that readers, not training, wait. A reader
// that asks again as soon as it is answered (a dashboard on a loop, a script) would
// otherwise take every spare turn of the main thread, which also records epochs and
// dispatches runs: the cheaper the answer (a 304), the faster it asks. Like nginx's
// limit_req with a burst, requests over the rate are delayed, not refused; a waiting
// read costs a timer, no CPU. Past `maxWaiting`, the read is refused (the caller
// answers 429 with Retry-After).
export class ReadPacer {
  #next = -Infinity;
  #waiting = 0;

  constructor(
    readonly perSecond: number,
    readonly burst = perSecond,
    readonly maxWaiting = 1000,
    readonly now: () => number = () => performance.now(),
  ) {}

  /** Waits for this read's turn; false when too many are waiting already. */
  async take(): Promise<boolean> {
    const gap = 1000 / this.perSecond;
    const now = this.now();
    // A token bucket as a schedule: the earliest slot, at most `burst` gaps in the past.
    const slot = Math.max(this.#next, now - this.burst * gap);
    if (slot - now > 0 && this.#waiting >= this.maxWaiting) return false;
    this.#next = slot + gap;
    const wait = slot - now;
    if (wait <= 0) return true;
    this.#waiting++;
    try {
      await new Promise((r) => setTimeout(r, wait));
    } finally {
      this.#waiting--;
    }
    return true;
  }
}
