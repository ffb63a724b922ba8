// The KV file's SQLite side, which Deno.Kv doesn't reach (node:sqlite on the
// same file; one SQLite library in the process, so its locks are shared):
// - checkpointWal folds the write-ahead log into the file and truncates it.
//   SQLite does that only once the log reaches 4 MB, and on a small disk the
//   log itself fills it: measured on a 1 MB tmpfs, 40 records of 2 KB filled
//   the disk with a 1 MB log and a 4 KB file; checkpointing every 10 writes,
//   160 fitted. The heartbeat calls it when the log is large or storage fails.
// - clearExpirations, before Deno.openKv: Deno KV deletes expired records
//   when it opens a file and every minute after, and aborts the process when
//   it can't ("KV collect expired failed: database or disk is full"). lossbench
//   writes no expiring record (leases and heartbeats carry their own `until`);
//   this makes those of older versions permanent (retention.ts prunes them).
import { DatabaseSync } from "node:sqlite";

/** A log beyond this is checkpointed at the next heartbeat. */
export const WAL_CHECKPOINT_BYTES = 1024 * 1024;

export const walBytes = (path: string): number => {
  try {
    return Deno.statSync(`${path}-wal`).size;
  } catch {
    return 0;
  }
};

/** Opens the KV file when it exists and is one (has the kv table); else null. */
function openFile(path: string, busyMs = 20): DatabaseSync | null {
  try {
    if (!Deno.statSync(path).isFile) return null;
  } catch {
    return null;
  }
  const db = new DatabaseSync(path);
  // Never wait long: this runs on the main thread.
  db.exec(`PRAGMA busy_timeout = ${busyMs}`);
  const kv = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'kv'")
    .get();
  if (kv) return db;
  db.close();
  return null;
}

/** Checkpoints and truncates the log; the log's size after, or the error. */
export function checkpointWal(path: string): { walBytes: number; error?: string } {
  try {
    const db = openFile(path);
    try {
      const r = db?.prepare("PRAGMA wal_checkpoint(TRUNCATE)").get() as
        | { busy: number }
        | undefined;
      if (r?.busy) return { walBytes: walBytes(path), error: "busy" };
    } finally {
      db?.close();
    }
    return { walBytes: walBytes(path) };
  } catch (e) {
    return { walBytes: walBytes(path), error: (e as Error).message };
  }
}

/**
 * Makes every expiring record permanent, so that Deno KV has nothing to
 * delete at open. Throws (with what to do) when records are expiring and the
 * disk can't take the change: Deno KV would abort the process at open.
 */
export function clearExpirations(path: string): void {
  let db: DatabaseSync | null = null;
  try {
    db = openFile(path, 2_000);
    db?.exec("UPDATE kv SET expiration_ms = -1 WHERE expiration_ms >= 0");
  } catch (e) {
    const n = db?.prepare("SELECT count(*) AS n FROM kv WHERE expiration_ms >= 0").get() as
      | { n: number }
      | undefined;
    if (!n?.n) return;
    throw new Error(
      `${path} holds ${n.n} expiring record(s) from an older lossbench, and the disk can't ` +
        `take the change that keeps Deno KV from aborting on them (${(e as Error).message}). ` +
        `Free some disk space and start again`,
    );
  } finally {
    db?.close();
  }
}
