// Who a process is, and whether a lease it holds still counts. A lease lapses
// when its time runs out (the owner stopped renewing it: killed, hung, or its
// machine lost). On the owner's own host we can also tell at once that its
// process is gone, so a restarted service picks its runs up without waiting.
//
// How we tell: every process holds an exclusive lock (flock) on a file of its
// own in `<kv>.live/`, next to each local KV it opens, named by its pid and a
// random token drawn at start. The OS drops the lock the instant the process
// dies (kill -9 included), so a process that can take that lock, or finds the
// file gone, knows the owner is dead. This needs only read and write on the
// KV's folder, which `deno task serve` and `deno task worker` grant; reading
// /proc/<pid>/stat (the former signal) needs --allow-all in Deno 2.9.
import type { Lease } from "./types.ts";

export interface ProcessIdentity {
  host: string;
  pid: number;
  /**
   * This process's liveness token (a random number ≥ 2^52, drawn at start; it
   * also tells a reused pid apart), or 0 when it holds no liveness file.
   * Named for the /proc start time it replaced; smaller values are that (old
   * leases) and prove nothing.
   */
  pidStart: number;
}

const TOKEN_MIN = 2 ** 52;
const token = TOKEN_MIN + crypto.getRandomValues(new Uint32Array(1))[0] * 2 ** 20 +
  (crypto.getRandomValues(new Uint32Array(1))[0] >>> 12);
/** Liveness folders we hold our lock in, with the open (locked) file. */
const held = new Map<string, Deno.FsFile>();

const fileName = (pid: number, start: number) => `${pid}-${start}.lock`;

/**
 * Takes this process's liveness lock next to a local KV (Store.open calls it,
 * before any lease is taken there), and removes the files of dead processes.
 * Where the folder cannot be written, leases here lapse by time alone.
 */
export function holdLiveness(kvPath: string): void {
  if (/^https?:\/\//.test(kvPath) || kvPath === ":memory:") return;
  const dir = `${kvPath}.live`;
  if (held.has(dir)) return;
  try {
    Deno.mkdirSync(dir, { recursive: true });
    for (const e of Deno.readDirSync(dir)) {
      if (e.isFile && e.name.endsWith(".lock")) ownerGoneAt(`${dir}/${e.name}`);
    }
    const f = Deno.openSync(`${dir}/${fileName(Deno.pid, token)}`, { create: true, write: true });
    if (f.tryLockSync(true)) held.set(dir, f);
    else f.close();
  } catch {
    // a read-only folder or no permission: no liveness file, time alone decides
  }
}

/** Whether the process that held this liveness file is gone (removes the file when so). */
function ownerGoneAt(path: string): boolean {
  let f: Deno.FsFile;
  try {
    f = Deno.openSync(path, { read: true });
  } catch (e) {
    return e instanceof Deno.errors.NotFound;
  }
  try {
    if (!f.tryLockSync(true)) return false; // its owner still holds it
    Deno.removeSync(path); // still locked by us: no one else takes it meanwhile
    return true;
  } catch (e) {
    return e instanceof Deno.errors.NotFound; // another process removed it first
  } finally {
    f.close();
  }
}

let host: string | null = null;

export function processIdentity(): ProcessIdentity {
  if (host === null) {
    host = "unknown";
    try {
      host = Deno.hostname();
    } catch {
      // --allow-sys not granted: time alone decides whether our leases lapsed
    }
  }
  return { host, pid: Deno.pid, pidStart: held.size ? token : 0 };
}

/** False when the lease's owner is known to be gone: a process on this host that no longer runs. */
function ownerMayLive(lease: Lease, me: ProcessIdentity): boolean {
  if (lease.host !== me.host || me.pidStart === 0) return true; // another host, or no file here
  if (lease.pid === me.pid) return lease.pidStart === me.pidStart;
  // An owner with a token made its file (in the lease's KV folder, one of ours)
  // before it took the lease, and only its death lets anyone remove it.
  if (lease.pidStart < TOKEN_MIN) return true;
  const name = fileName(lease.pid, lease.pidStart);
  return ![...held.keys()].every((dir) => ownerGoneAt(`${dir}/${name}`));
}

/** Whether a run with this lease (or none) may be taken over by another process. */
export function leaseLapsed(lease: Lease | null, now = Date.now()): boolean {
  return !lease || lease.until < now || !ownerMayLive(lease, processIdentity());
}
