// A minimal server-sent-events reader over fetch, for tests.
import { isTerminal, type RunStatus } from "../../service/types.ts";

export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

export interface SseStream {
  response: Response;
  /** Events (comments are reported as event ":" with the comment as data). */
  events: AsyncGenerator<SseEvent>;
  close(): Promise<void>;
}

export async function openSse(
  url: string,
  headers: Record<string, string> = {},
): Promise<SseStream> {
  const response = await fetch(url, { headers: { accept: "text/event-stream", ...headers } });
  if (!response.ok || !response.body) {
    const text = await response.text();
    throw new Error(`SSE ${url}: ${response.status} ${text}`);
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  async function* events(): AsyncGenerator<SseEvent> {
    let buf = "";
    while (true) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += value;
      let end;
      while ((end = buf.indexOf("\n\n")) >= 0) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        const ev: SseEvent = { event: "message", data: "" };
        const data: string[] = [];
        let comment: string | null = null;
        for (const line of block.split("\n")) {
          if (line.startsWith(":")) comment = line.slice(1).trim();
          const m = /^([a-z]+): ?(.*)$/.exec(line);
          if (!m) continue;
          if (m[1] === "id") ev.id = m[2];
          else if (m[1] === "event") ev.event = m[2];
          else if (m[1] === "data") data.push(m[2]);
        }
        if (data.length) {
          ev.data = data.join("\n");
          yield ev;
        } else if (comment !== null) {
          yield { event: ":", data: comment };
        }
      }
    }
  }
  return {
    response,
    events: events(),
    close: async () => {
      await reader.cancel().catch(() => {});
    },
  };
}

/** Reads events until `until` returns true (inclusive) or the stream ends. */
export async function collect(
  s: SseStream,
  until: (e: SseEvent) => boolean = () => false,
  timeoutMs = 60_000,
): Promise<SseEvent[]> {
  const out: SseEvent[] = [];
  const timer = setTimeout(() => s.close(), timeoutMs);
  try {
    for await (const e of s.events) {
      out.push(e);
      if (until(e)) break;
    }
  } finally {
    clearTimeout(timer);
  }
  return out;
}

/** Waits over the global stream (from its start) until every run in `ids` has ended. */
export async function waitEnded(base: string, ids: string[], timeoutMs = 120_000): Promise<void> {
  const left = new Set(ids);
  const s = await openSse(`${base}api/events`, { "last-event-id": "0" });
  try {
    await collect(s, (e) => {
      if (e.event === "status") {
        const r = JSON.parse(e.data);
        if (isTerminal(r.status as RunStatus)) left.delete(r.id);
      }
      return left.size === 0;
    }, timeoutMs);
  } finally {
    await s.close();
  }
}
