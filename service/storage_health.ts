// KV write failures the operator must act on (a full disk, a KV file locked by
// another process), recognised by their SQLite messages, and a tracker that
// lets /api/health say "degraded" for a while after one. The tracker recovers
// by itself: on the next write that succeeds, or `holdMs` after the last
// failure when nothing has written since.

const PATTERNS: [RegExp, string][] = [
  [/database or disk is full|no space left on device|SQLITE_FULL|os error 28\b/i, "disk is full"],
  [/database is locked|SQLITE_BUSY|database table is locked/i, "database is locked"],
  [/disk I\/O error|SQLITE_IOERR/i, "disk I/O error"],
  [/readonly database|read-only file system|SQLITE_READONLY/i, "database is read-only"],
];

/** The reason when `err` is a storage failure (see PATTERNS), else null. */
export function storageFailure(err: unknown): string | null {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  for (const [re, reason] of PATTERNS) if (re.test(text)) return reason;
  return null;
}

export interface StorageState {
  ok: boolean;
  /** Why the last write failed (while not ok). */
  reason?: string;
  /** When the current failure spell began (ISO time). */
  since?: string;
}

export class StorageHealth {
  #failure: { reason: string; since: number; last: number } | null = null;

  constructor(
    private holdMs = 60_000,
    private now: () => number = Date.now,
  ) {}

  failed(reason: string): void {
    const t = this.now();
    this.#failure = { reason, since: this.#failure?.since ?? t, last: t };
  }

  succeeded(): void {
    this.#failure = null;
  }

  get state(): StorageState {
    const f = this.#failure;
    if (f && this.now() - f.last > this.holdMs) this.#failure = null;
    if (!this.#failure) return { ok: true };
    return { ok: false, reason: f!.reason, since: new Date(f!.since).toISOString() };
  }
}
