// What the server and worker process helpers (server.ts, procs.ts) share:
// reading a child's output line by line, and signalling it unless it is gone.

/** Calls `onLine` for each line of `stream`, the last one too when it has no newline. */
export async function eachLine(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  let buf = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buf += chunk;
    let nl;
    while ((nl = buf.indexOf("\n")) >= 0) {
      onLine(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
  }
  if (buf) onLine(buf);
}

/** Sends `sig` to `proc` unless it has `exited` (or goes while we try). */
export function signalUnlessExited(
  proc: Deno.ChildProcess,
  sig: Deno.Signal,
  exited: boolean,
): void {
  if (exited) return;
  try {
    proc.kill(sig);
  } catch {
    // already gone
  }
}
