// `deno task compact [path]`: gives the space of deleted KV records back to
// the file system. Deno KV keeps its data in one SQLite file; deleting records
// (deleted runs, pruned events, removed checkpoints) frees pages inside the
// file, which later writes reuse, but the file never shrinks. Deno.Kv has no
// VACUUM, so this opens the file itself (node:sqlite, in this separate
// process), folds the write-ahead log in, and runs VACUUM, which rewrites the
// file with only the live rows. Keys, values, versionstamps and expiries are
// kept as they are.
//
// Run it while the service is stopped: VACUUM holds the file's write lock
// while it copies, and writers waiting on it would be refused after their
// retries. It refuses when a process on this machine has the file open,
// unless --force. Default path: LOSSBENCH_KV, else ./.lossbench/lossbench.kv.
import { DatabaseSync } from "node:sqlite";

export interface CompactResult {
  /** The file and its write-ahead log before, in bytes. */
  bytesBefore: number;
  bytesAfter: number;
  /** Free pages inside the file before. */
  freePages: number;
  seconds: number;
}

async function size(path: string): Promise<number> {
  let n = 0;
  for (const p of [path, `${path}-wal`]) n += await Deno.stat(p).then((s) => s.size, () => 0);
  return n;
}

/**
 * Checkpoints the write-ahead log into the file and (unless `vacuum: false`)
 * rewrites the file without its free pages. Throws if `path` is not a Deno KV file.
 */
export async function compactKv(
  path: string,
  opts: { vacuum?: boolean; busyMs?: number } = {},
): Promise<CompactResult> {
  const t0 = performance.now();
  await Deno.stat(path); // NotFound before SQLite would create an empty file
  const bytesBefore = await size(path);
  const db = new DatabaseSync(path);
  try {
    db.exec(`PRAGMA busy_timeout = ${Math.floor(opts.busyMs ?? 10_000)}`);
    const kv = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'kv'")
      .get();
    if (!kv) throw new Error(`${path} is not a Deno KV file (it has no kv table)`);
    const free = db.prepare("PRAGMA freelist_count").get() as { freelist_count: number };
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    if (opts.vacuum !== false) {
      db.exec("VACUUM");
      db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    }
    return {
      bytesBefore,
      bytesAfter: await size(path),
      freePages: free.freelist_count,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    db.close();
  }
}

/** Processes on this machine (other than this one) with `path` open (Linux /proc; [] elsewhere). */
export async function openBy(path: string): Promise<number[]> {
  const target = await Deno.realPath(path).catch(() => path);
  const out: number[] = [];
  try {
    for await (const p of Deno.readDir("/proc")) {
      if (!/^\d+$/.test(p.name) || Number(p.name) === Deno.pid) continue;
      try {
        for await (const fd of Deno.readDir(`/proc/${p.name}/fd`)) {
          const link = await Deno.readLink(`/proc/${p.name}/fd/${fd.name}`).catch(() => "");
          if (link === target || link === `${target}-wal`) {
            out.push(Number(p.name));
            break;
          }
        }
      } catch {
        // gone, or not ours to look at
      }
    }
  } catch {
    // no /proc
  }
  return out;
}

if (import.meta.main) {
  const args = Deno.args.filter((a) => a !== "--force");
  const force = args.length !== Deno.args.length;
  const path = args[0] ?? Deno.env.get("LOSSBENCH_KV") ?? "./.lossbench/lossbench.kv";
  const holders = await openBy(path);
  if (holders.length && !force) {
    console.error(
      `error: ${path} is open in process ${holders.join(", ")}; stop the service first ` +
        "(or pass --force)",
    );
    Deno.exit(1);
  }
  try {
    const r = await compactKv(path);
    const mb = (n: number) => `${(n / 1e6).toFixed(2)} MB`;
    console.log(
      `${path}: ${mb(r.bytesBefore)} → ${mb(r.bytesAfter)} ` +
        `(${r.freePages} free pages returned, ${r.seconds.toFixed(1)} s)`,
    );
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
