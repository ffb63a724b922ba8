// Starts the real service (`deno run -A main.ts`) on a free port and waits for
// the URL it prints: for tests that talk to it over loopback HTTP.
//
//   const srv = await startServer({ env: { LOSSBENCH_TOKEN: "t" } });
//   await fetch(`${srv.url}api/health`);
//   await srv.stop();        // SIGTERM, waits for exit; srv.kill() is SIGKILL
//
// Defaults: PORT=0, LOSSBENCH_BACKEND=cpu, LOSSBENCH_WORKERS=1, and a fresh
// temporary LOSSBENCH_KV and LOSSBENCH_CACHE (removed by stop()/kill() unless
// passed in, so a second server can reopen the same KV after a kill).
//
// Every test server holds its responses to the OpenAPI contract
// (LOSSBENCH_CONTRACT_CHECK=1, routes/contract/check.ts): a violating response
// becomes a 500 naming the problem, and stop()/kill() throw when the server
// logged any violation (an SSE event, say, that no request saw fail).
import { VIOLATION } from "../../routes/contract/violation.ts";
import { eachLine, signalUnlessExited } from "./child.ts";

const ROOT = new URL("../../", import.meta.url);

/** The contract violations among a server's output lines. */
export function contractViolations(lines: string[]): string[] {
  return lines.filter((l) => l.includes(VIOLATION));
}

/** The flags of deno.json's `serve` task between `deno run` and `main.ts` (its permissions). */
export async function servePermissions(task = "serve", entry = "main.ts"): Promise<string[]> {
  const cfg = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  const m = new RegExp(`^deno run (.*) ${entry}$`).exec(cfg.tasks[task]);
  if (!m) throw new Error(`unexpected ${task} task: ${cfg.tasks[task]}`);
  return m[1].split(/\s+/);
}

export interface StartOptions {
  /** Extra or overriding environment variables. */
  env?: Record<string, string>;
  /** KV file to use (kept after stop); default: a temporary one. */
  kvPath?: string;
  /** How long to wait for the URL line (default 60 s). */
  timeoutMs?: number;
  /** Extra `deno run` flags before main.ts (e.g. `--preload` of a test double). */
  denoArgs?: string[];
  /** Permission flags (default `-A`); servePermissions() gives `deno task serve`'s own. */
  permissions?: string[];
  /** Shell commands run before the server in the same process, e.g. "ulimit -n 256". */
  shellPrefix?: string;
}

export interface Server {
  /** Base URL with a trailing slash, e.g. "http://127.0.0.1:40123/". */
  url: string;
  kvPath: string;
  proc: Deno.ChildProcess;
  /** Everything printed so far (stdout and stderr interleaved by line). */
  output(): string;
  /** Resolves with the first output line matching `re` (waits for it). */
  waitForLine(re: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGTERM and wait for exit. */
  stop(): Promise<Deno.CommandStatus>;
  /** SIGKILL and wait for exit (no cleanup in the server). */
  kill(): Promise<Deno.CommandStatus>;
}

export async function startServer(opts: StartOptions = {}): Promise<Server> {
  const tmp = await Deno.makeTempDir({ prefix: "lossbench-test-" });
  const kvPath = opts.kvPath ?? `${tmp}/lossbench.kv`;
  const env: Record<string, string> = {
    PORT: "0",
    HOST: "127.0.0.1",
    LOSSBENCH_KV: kvPath,
    LOSSBENCH_CACHE: `${tmp}/cache`,
    LOSSBENCH_WORKERS: "1",
    LOSSBENCH_BACKEND: "cpu",
    LOSSBENCH_CONTRACT_CHECK: "1",
    NO_COLOR: "1",
    ...opts.env,
  };
  const args = ["run", ...(opts.permissions ?? ["-A"]), ...(opts.denoArgs ?? []), "main.ts"];
  const proc = new Deno.Command(opts.shellPrefix ? "bash" : Deno.execPath(), {
    args: opts.shellPrefix
      ? ["-c", `${opts.shellPrefix}; exec "$0" "$@"`, Deno.execPath(), ...args]
      : args,
    cwd: ROOT,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();

  const lines: string[] = [];
  const watchers = new Set<() => void>();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    await eachLine(stream, (line) => {
      lines.push(line);
      for (const w of watchers) w();
    });
    for (const w of watchers) w();
  };
  const pumps = Promise.all([pump(proc.stdout), pump(proc.stderr)]);
  let exited = false;
  const status = proc.status.then(async (s) => {
    // Its last lines may still be in the pipes: read them before saying it exited.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([pumps, new Promise((r) => timer = setTimeout(r, 2000))]);
    clearTimeout(timer);
    exited = true;
    for (const w of watchers) w();
    return s;
  });

  const waitForLine = (re: RegExp, timeoutMs = 60_000) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const line = lines.find((l) => re.test(l));
        if (line !== undefined) return done(() => resolve(line));
        if (exited) {
          done(() =>
            reject(new Error(`server exited before printing ${re}:\n${lines.join("\n")}`))
          );
        }
      };
      const timer = setTimeout(
        () => done(() => reject(new Error(`timed out waiting for ${re}:\n${lines.join("\n")}`))),
        timeoutMs,
      );
      const done = (f: () => void) => {
        clearTimeout(timer);
        watchers.delete(check);
        f();
      };
      watchers.add(check);
      check();
    });

  const cleanup = async () => {
    await pumps;
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  };
  const signal = async (sig: Deno.Signal) => {
    signalUnlessExited(proc, sig, exited);
    const s = await status;
    await cleanup();
    const violations = contractViolations(lines);
    if (violations.length) {
      throw new Error(`the server broke its API contract:\n${violations.join("\n")}`);
    }
    return s;
  };

  let url: string;
  try {
    const line = await waitForLine(/listening on (http:\/\/[^\s"]+)/, opts.timeoutMs);
    url = /listening on (http:\/\/[^\s"]+)/.exec(line)![1];
  } catch (e) {
    await signal("SIGKILL");
    throw e;
  }
  if (!url.endsWith("/")) url += "/";
  // A wildcard bind prints its wildcard: reach it over loopback.
  url = url.replace("//0.0.0.0:", "//127.0.0.1:").replace("//[::]:", "//[::1]:");

  return {
    url,
    kvPath,
    proc,
    output: () => lines.join("\n"),
    waitForLine,
    stop: () => signal("SIGTERM"),
    kill: () => signal("SIGKILL"),
  };
}

/** /api/health's body once it answers 200, polling every 200 ms; null after `tries`. */
export async function healthOf(url: string, tries = 150) {
  for (let i = 0; i < tries; i++) {
    try {
      const r = await fetch(`${url}api/health`);
      if (r.status === 200) return await r.json();
      await r.body?.cancel();
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return null;
}

/** GET `path` under `base` as JSON, failing the test unless it answers 200. */
export async function getJson(base: string, path: string) {
  const res = await fetch(new URL(path, base));
  if (res.status !== 200) {
    await res.body?.cancel();
    throw new Error(`GET ${path}: expected 200, got ${res.status}`);
  }
  return await res.json();
}
