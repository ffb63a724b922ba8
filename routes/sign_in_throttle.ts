// Failed sign-ins (wrong tokens at /api/login or as a bearer token on any
// route), counted as OWASP's authentication guidance asks: per client address
// and per target (the one token there is to guess), and never forgotten
// because somebody else got the token right.
//
// - Per address: `maxFailures` wrong tokens within `windowMs` block that
//   address for `blockMs`, doubling with each block that follows within
//   `decayMs` of the last (at most `maxBlockMs`). While blocked, every token it
//   sends is refused unread, the right one included: answering it would let the
//   guessing go on. A success from the address changes nothing.
// - Per target: `targetMaxFailures` wrong tokens within `windowMs` from all
//   addresses together start a backoff of 1 s, doubling with each further
//   failure (at most `maxBlockMs`), in which tokens are refused unread from
//   every address but those that signed in with the right token within
//   `trustMs` (OWASP's "device cookie" exemption, by address): a guesser
//   spread over many addresses is slowed without locking out known clients.
//
// Cookie sessions are not throttled: their ids are random (service/sessions.ts),
// nothing to guess. Held in memory, per process, bounded in size.

export interface ThrottleLimits {
  maxFailures: number;
  windowMs: number;
  blockMs: number;
  maxBlockMs: number;
  /** A block this long after the last one starts again at blockMs. */
  decayMs: number;
  targetMaxFailures: number;
  trustMs: number;
  /** Addresses remembered at most; the oldest are forgotten first. */
  maxKeys: number;
}

export const DEFAULT_LIMITS: ThrottleLimits = {
  maxFailures: 5,
  windowMs: 60_000,
  blockMs: 60_000,
  maxBlockMs: 3_600_000,
  decayMs: 15 * 60_000,
  targetMaxFailures: 50,
  trustMs: 24 * 3600_000,
  maxKeys: 10_000,
};

interface Entry {
  /** Times of the failures within the window, oldest first. */
  failures: number[];
  blockedUntil: number;
  /** Blocks in a row (each within decayMs of the previous one's end). */
  strikes: number;
}

/** A Map that forgets its least recently touched keys beyond `max`. */
class Bounded<V> extends Map<string, V> {
  constructor(readonly max: number) {
    super();
  }
  touch(key: string, v: V): void {
    this.delete(key);
    if (this.size >= this.max) this.delete(this.keys().next().value!);
    this.set(key, v);
  }
}

export class SignInThrottle {
  #addresses: Bounded<Entry>;
  #trusted: Bounded<number>;
  #target: Entry = { failures: [], blockedUntil: 0, strikes: 0 };

  constructor(readonly limits: ThrottleLimits = DEFAULT_LIMITS) {
    this.#addresses = new Bounded(limits.maxKeys);
    this.#trusted = new Bounded(limits.maxKeys);
  }

  /** Seconds until `key` may try a token again (0: it may now). */
  retryAfter(key: string, now = Date.now()): number {
    const e = this.#addresses.get(key);
    let until = e && e.blockedUntil > now ? e.blockedUntil : 0;
    const trusted = (this.#trusted.get(key) ?? -Infinity) > now - this.limits.trustMs;
    if (!trusted && this.#target.blockedUntil > now) {
      until = Math.max(until, this.#target.blockedUntil);
    }
    return until > now ? Math.ceil((until - now) / 1000) : 0;
  }

  /** Counts a wrong token from `key`; returns the seconds it is now blocked for (0: not). */
  fail(key: string, now = Date.now()): number {
    const { maxFailures, windowMs, blockMs, maxBlockMs, decayMs, targetMaxFailures } = this.limits;
    const e = this.#addresses.get(key) ?? { failures: [], blockedUntil: 0, strikes: 0 };
    e.failures = e.failures.filter((t) => now - t < windowMs);
    e.failures.push(now);
    if (e.failures.length >= maxFailures) {
      if (now - e.blockedUntil > decayMs) e.strikes = 0;
      e.blockedUntil = now + Math.min(maxBlockMs, blockMs * 2 ** e.strikes);
      e.strikes++;
      e.failures = [];
    }
    this.#addresses.touch(key, e);

    const t = this.#target;
    t.failures = t.failures.filter((f) => now - f < windowMs);
    t.failures.push(now);
    const over = t.failures.length - targetMaxFailures;
    if (over >= 0) t.blockedUntil = now + Math.min(maxBlockMs, 1000 * 2 ** Math.min(over, 30));
    return this.retryAfter(key, now);
  }

  /** A right token from `key`: trusted through a target backoff; its own count stands. */
  succeed(key: string, now = Date.now()): void {
    this.#trusted.touch(key, now);
  }
}

/** The message of a 429 for `seconds`. */
export const throttledMessage = (seconds: number) =>
  `too many failed sign-ins; try again in ${seconds} s`;
