// Worker processes (`deno run -A worker.ts`) for scale-out tests and the
// benchmark: each shares a KV file with an API process (tests/util/server.ts)
// and prints its worker id once it trains.
//
//   const w = await startWorker({ kvPath, env: { LOSSBENCH_LEASE_MS: "3000" } });
//   w.id;               // its worker id (runs it takes carry it in `worker`)
//   await w.kill();     // SIGKILL; w.stop() is SIGTERM

import { eachLine, signalUnlessExited } from "./child.ts";

const ROOT = new URL("../../", import.meta.url);

export interface WorkerProc {
  id: string;
  pid: number;
  output(): string;
  stop(): Promise<Deno.CommandStatus>;
  kill(): Promise<Deno.CommandStatus>;
}

export async function startWorker(
  opts: { kvPath: string; cacheDir?: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<WorkerProc> {
  const proc = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "worker.ts"],
    cwd: ROOT,
    env: {
      LOSSBENCH_KV: opts.kvPath,
      LOSSBENCH_CACHE: opts.cacheDir ?? `${opts.kvPath}.cache`,
      LOSSBENCH_WORKERS: "1",
      LOSSBENCH_BACKEND: "cpu",
      NO_COLOR: "1",
      ...opts.env,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  let ready: (id: string) => void;
  const started = new Promise<string>((r) => (ready = r));
  const onLine = (line: string) => {
    lines.push(line);
    const m = /^lossbench worker (\S+) training/.exec(line);
    if (m) ready(m[1]);
  };
  const pumps = Promise.all([eachLine(proc.stdout, onLine), eachLine(proc.stderr, onLine)]);
  let exited = false;
  const status = proc.status.then((s) => {
    exited = true;
    return s;
  });
  const signal = async (sig: Deno.Signal) => {
    signalUnlessExited(proc, sig, exited);
    const s = await status;
    await pumps;
    return s;
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const id = await Promise.race([
    started,
    status.then((s) => {
      throw new Error(`worker exited (${s.code}) before starting:\n${lines.join("\n")}`);
    }),
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`worker did not start:\n${lines.join("\n")}`)),
        opts.timeoutMs ?? 60_000,
      );
    }),
  ]).catch(async (e) => {
    await signal("SIGKILL");
    throw e;
  }).finally(() => clearTimeout(timer));
  return {
    id,
    pid: proc.pid,
    output: () => lines.join("\n"),
    stop: () => signal("SIGTERM"),
    kill: () => signal("SIGKILL"),
  };
}

/** Polls `fn` every `everyMs` until it returns a value other than undefined. */
export async function eventually<T>(
  fn: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 60_000,
  everyMs = 100,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
}
