// A process's graceful stop, shared by main.ts and worker.ts: on the first
// SIGINT or SIGTERM run its own steps, then exit; exit anyway after a grace
// period (for open connections too), so a step that hangs cannot keep a
// stopped process alive.

const SHUTDOWN_GRACE_MS = 3_000;

/** Runs `stop(signal)` once, on the first SIGINT/SIGTERM, then exits 0. */
export function exitOnSignal(
  stop: (signal: string) => Promise<void>,
  graceMs = SHUTDOWN_GRACE_MS,
): void {
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const timer = setTimeout(() => Deno.exit(0), graceMs);
    await stop(signal);
    clearTimeout(timer);
    Deno.exit(0);
  };
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(sig, () => void shutdown(sig));
  }
}
