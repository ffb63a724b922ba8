// Failed sign-ins, counted per client address: after MAX_FAILURES wrong tokens
// within WINDOW_MS (at /api/login or as a bearer token on any route), that
// address gets 429 for BLOCK_MS on every credential it sends, right or wrong;
// answering a right token while blocked would let the guessing go on. Cookie
// sessions are not affected (the cookie is an HMAC, nothing to guess). Held in
// memory, per process, bounded in size.

export interface ThrottleLimits {
  maxFailures: number;
  windowMs: number;
  blockMs: number;
  /** Addresses remembered at most; the oldest are forgotten first. */
  maxKeys: number;
}

export const DEFAULT_LIMITS: ThrottleLimits = {
  maxFailures: 5,
  windowMs: 60_000,
  blockMs: 60_000,
  maxKeys: 10_000,
};

interface Entry {
  /** Times of the failures within the window, oldest first. */
  failures: number[];
  blockedUntil: number;
}

export class SignInThrottle {
  #entries = new Map<string, Entry>();

  constructor(readonly limits: ThrottleLimits = DEFAULT_LIMITS) {}

  /** Seconds until `key` may try again (0: it may now). */
  retryAfter(key: string, now = Date.now()): number {
    const e = this.#entries.get(key);
    if (!e || e.blockedUntil <= now) return 0;
    return Math.ceil((e.blockedUntil - now) / 1000);
  }

  /** Counts a wrong token from `key`; returns the seconds it is now blocked for (0: not). */
  fail(key: string, now = Date.now()): number {
    const { maxFailures, windowMs, blockMs, maxKeys } = this.limits;
    let e = this.#entries.get(key);
    if (e) {
      this.#entries.delete(key); // re-inserted below: Map order is least recently failed first
    } else {
      e = { failures: [], blockedUntil: 0 };
      if (this.#entries.size >= maxKeys) this.#entries.delete(this.#entries.keys().next().value!);
    }
    e.failures = e.failures.filter((t) => now - t < windowMs);
    e.failures.push(now);
    if (e.failures.length >= maxFailures) {
      e.blockedUntil = now + blockMs;
      e.failures = [];
    }
    this.#entries.set(key, e);
    return this.retryAfter(key, now);
  }

  /** A right token from `key`: its count starts again. */
  succeed(key: string): void {
    this.#entries.delete(key);
  }
}

/** The message of a 429 for `seconds`. */
export const throttledMessage = (seconds: number) =>
  `too many failed sign-ins from this address; try again in ${seconds} s`;
