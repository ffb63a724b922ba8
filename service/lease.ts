// Who a process is, and whether a lease it holds still counts. A lease lapses
// when its time runs out (the owner stopped renewing it: killed, hung, or its
// machine lost). On the owner's own host we can also tell at once that its
// process is gone, so a restarted service picks its runs up without waiting.
import type { Lease } from "./types.ts";

export interface ProcessIdentity {
  host: string;
  pid: number;
  /** Start time of the process in clock ticks since boot (Linux), 0 where unknown. */
  pidStart: number;
}

/** Field 22 of /proc/<pid>/stat (after the parenthesised command, which may hold spaces). */
function readPidStart(pid: number | "self"): number | null {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const v = Number(fields[19]);
    return Number.isFinite(v) ? v : 0;
  } catch {
    return null;
  }
}

let self: ProcessIdentity | null = null;

export function processIdentity(): ProcessIdentity {
  if (!self) {
    let host = "unknown";
    try {
      host = Deno.hostname();
    } catch {
      // --allow-sys not granted: time alone decides whether our leases lapsed
    }
    self = { host, pid: Deno.pid, pidStart: readPidStart("self") ?? 0 };
  }
  return self;
}

/** False when the lease's owner is known to be gone: a process on this host that no longer runs. */
function ownerMayLive(lease: Lease, me: ProcessIdentity): boolean {
  if (lease.host !== me.host || me.pidStart === 0) return true; // another host, or no /proc here
  if (lease.pid === me.pid) return lease.pidStart === me.pidStart;
  const start = readPidStart(lease.pid);
  return start !== null && (lease.pidStart === 0 || start === lease.pidStart);
}

/** Whether a run with this lease (or none) may be taken over by another process. */
export function leaseLapsed(lease: Lease | null, now = Date.now()): boolean {
  return !lease || lease.until < now || !ownerMayLive(lease, processIdentity());
}
