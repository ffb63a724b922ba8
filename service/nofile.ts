// The open-file limit (RLIMIT_NOFILE), which the HTTP front sizes its caps by.
// Deno raises the soft limit to the hard one itself at start (as Node does),
// so there is nothing left to raise from JavaScript, which has no setrlimit
// anyway: what the process can hold is the hard limit, set by `ulimit -Hn` or
// systemd's LimitNOFILE. Reading it takes /proc/self/limits, which Deno 2.9
// opens only with --allow-all; without it the limit is unknown and the caller
// sizes for the common 1,024.

export interface NoFile {
  /** The soft limit in force, or undefined when it could not be read. */
  soft?: number;
  hard?: number;
  /** Why the limit could not be read, in words. */
  problem?: string;
}

/** "Max open files  1024  4096  files" → { soft: 1024, hard: 4096 } ("unlimited" is Infinity). */
export function parseLimits(text: string): NoFile {
  const line = text.split("\n").find((l) => l.startsWith("Max open files"));
  const m = line && /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/.exec(line);
  if (!m) return { problem: "no 'Max open files' line in /proc/self/limits" };
  const num = (v: string) => (v === "unlimited" ? Infinity : Number(v));
  return { soft: num(m[1]), hard: num(m[2]) };
}

export function readNoFileLimit(): NoFile {
  if (Deno.build.os !== "linux") return { problem: `not read on ${Deno.build.os}` };
  try {
    return parseLimits(Deno.readTextFileSync("/proc/self/limits"));
  } catch (e) {
    if (e instanceof Deno.errors.NotCapable) {
      return { problem: "reading /proc/self/limits needs --allow-all" };
    }
    return { problem: `could not read /proc/self/limits: ${(e as Error).message}` };
  }
}
