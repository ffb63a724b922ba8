// A lossbench service for the study (started as `deno task serve` would be,
// on a free loopback port) and a small JSON client for its API.
const ROOT = new URL("../../", import.meta.url);

export interface Api {
  base: string;
  // deno-lint-ignore no-explicit-any
  get(path: string): Promise<any>;
  // deno-lint-ignore no-explicit-any
  post(path: string, body: unknown): Promise<any>;
}

export function apiClient(base: string): Api {
  const url = (p: string) => new URL(p, base).href;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(url(path), {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${json?.error ?? ""}`);
    return json;
  };
  return { base, get: (p) => call("GET", p), post: (p, b) => call("POST", p, b) };
}

export async function startService(opts: {
  kvPath: string;
  datasets: string;
  log: (line: string) => void;
  /** Training workers; 0 for an API-only service (to read results or check a run). */
  workers?: number;
  /** LOSSBENCH_LABEL_SETS, if any. */
  labelSets?: string;
}): Promise<{ url: string; stop(): Promise<void> }> {
  const kv = new URL(opts.kvPath, ROOT).pathname;
  await Deno.mkdir(kv.slice(0, kv.lastIndexOf("/")), { recursive: true });
  const proc = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts"],
    cwd: ROOT,
    env: {
      PORT: "0",
      HOST: "127.0.0.1",
      LOSSBENCH_KV: kv,
      LOSSBENCH_DATASETS: opts.datasets,
      LOSSBENCH_BACKEND: "cpu",
      ...(opts.labelSets ? { LOSSBENCH_LABEL_SETS: opts.labelSets } : {}),
      ...(opts.workers === undefined ? {} : { LOSSBENCH_WORKERS: String(opts.workers) }),
    },
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = proc.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  let url: string | null = null;
  while (url === null) {
    const { value, done } = await lines.read();
    if (done) throw new Error("the service exited before it listened");
    buf += value;
    const m = /listening on (http:\/\/\S+)/.exec(buf);
    if (m) url = m[1];
  }
  // Keep draining (and showing) its log so it never blocks on a full pipe.
  (async () => {
    let rest = buf.slice(buf.indexOf(url!) + url!.length);
    for (;;) {
      const { value, done } = await lines.read();
      if (done) break;
      rest += value;
      const parts = rest.split("\n");
      rest = parts.pop()!;
      for (const l of parts) if (l.trim()) opts.log(l);
    }
  })();
  return {
    url,
    async stop() {
      proc.kill("SIGTERM");
      await proc.status;
    },
  };
}
