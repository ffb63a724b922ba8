// The HTTP front: the accept loop the service controls. Deno.serve accepts on
// its own and gives no hook before a request: an idle socket is invisible to
// the handler, and an accept that fails with EMFILE ends the server (its
// `finished` rejects, and unhandled, the process exits). So the service
// listens here, and each connection is piped to a Deno.serve on a private
// loopback port, which keeps all of its HTTP/1.1 handling. The front:
//
// - survives failed accepts (EMFILE, ENFILE, ...): logs them at most once a
//   second, waits (50 ms doubling to 1 s) and accepts again, as nginx does;
// - caps connections in total and per client address: one over a cap gets a
//   503 and is closed at once;
// - closes a connection whose request head (request line and headers) takes
//   longer than `headerTimeoutMs` to arrive (silent and slow-loris sockets),
//   one idle between requests for `idleTimeoutMs`, and one whose request body
//   stalls for `idleTimeoutMs` before the server answers.
//
// A connection opens its inner one only when its first bytes arrive, so a
// silent socket holds one descriptor; a live one holds three (the client's
// and both ends of the loopback pipe). The inner server sees each request
// with the client's real address (looked up by the pipe's local port) and
// refuses any connection that did not come through the front.

export interface FrontLimits {
  /** Connections held at once, in total. */
  maxConnections: number;
  /** Connections held at once per client address. */
  maxPerAddress: number;
  /** From a request's first byte (or the connection's opening) to the end of its head. */
  headerTimeoutMs: number;
  /** No bytes either way, between requests or while a request body stalls. */
  idleTimeoutMs: number;
}

export interface FrontStats {
  open: number;
  accepted: number;
  /** Refused over a cap (503). */
  refused: number;
  /** Accepts that failed (EMFILE and the like), each survived. */
  acceptErrors: number;
  /** Closed by a header or idle timeout. */
  timedOut: number;
}

/** What the handler gets: Deno.serve's info with the client's own address. */
export interface FrontInfo {
  remoteAddr: Deno.NetAddr;
  completed: Promise<void>;
}

export interface FrontOptions extends FrontLimits {
  hostname: string;
  port: number;
  handler: (req: Request, info: FrontInfo) => Response | Promise<Response>;
  onError?: (e: unknown) => Response | Promise<Response>;
  log: (message: string) => void;
}

const BUFFER = 16 * 1024;
const HEAD_END = [13, 10, 13, 10];

function refusal(status: number, message: string): Uint8Array {
  const body = JSON.stringify({ error: message });
  return new TextEncoder().encode(
    `HTTP/1.1 ${status} ${status === 503 ? "Service Unavailable" : "Error"}\r\n` +
      `content-type: application/json; charset=utf-8\r\ncontent-length: ${body.length}\r\n` +
      `retry-after: 5\r\nconnection: close\r\n\r\n${body}`,
  );
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += await conn.write(bytes.subarray(off));
}

function closeQuietly(c: Deno.Conn | undefined): void {
  try {
    c?.close();
  } catch {
    // already closed
  }
}

/** One client connection and, once it has spoken, its pipe to the inner server. */
class Link {
  inner?: Deno.TcpConn;
  /** "idle": between requests; "head": a request head is arriving; "body": head sent, no answer yet. */
  phase: "idle" | "head" | "body" = "head";
  headSince: number;
  lastActivity: number;
  /** How many bytes of "\r\n\r\n" the last chunk ended with. */
  matched = 0;
  closed = false;
  /** Settles when the server's side has been copied to the client (or either side went away). */
  answered?: Promise<void>;

  constructor(readonly conn: Deno.TcpConn, readonly peer: Deno.NetAddr, now: number) {
    this.headSince = now;
    this.lastActivity = now;
  }

  /** Client bytes: tracks where the request head ends. */
  fromClient(bytes: Uint8Array, now: number): void {
    this.lastActivity = now;
    if (this.phase === "idle") {
      this.phase = "head";
      this.headSince = now;
      this.matched = 0;
    }
    if (this.phase !== "head") return;
    for (const b of bytes) {
      this.matched = b === HEAD_END[this.matched] ? this.matched + 1 : b === 13 ? 1 : 0;
      if (this.matched === 4) {
        this.phase = "body";
        return;
      }
    }
  }

  /** Server bytes: an answer is flowing, so the next client bytes start a new request. */
  fromServer(now: number): void {
    this.lastActivity = now;
    this.phase = "idle";
  }
}

export class Front {
  readonly addr: Deno.NetAddr;
  readonly stats: FrontStats = { open: 0, accepted: 0, refused: 0, acceptErrors: 0, timedOut: 0 };
  #listener: Deno.Listener<Deno.TcpConn, Deno.NetAddr>;
  #inner: Deno.HttpServer<Deno.NetAddr>;
  #links = new Set<Link>();
  #perAddress = new Map<string, number>();
  /** Inner connections' local ports → the client each one carries. */
  #peers = new Map<number, Deno.NetAddr>();
  #sweeper: ReturnType<typeof setInterval>;
  #stopped = false;
  #accepting: Promise<void>;
  #lastAcceptLog = 0;

  constructor(readonly opts: FrontOptions) {
    // The public port first: when it is taken, nothing else has been started.
    this.#listener = Deno.listen({ hostname: opts.hostname, port: opts.port });
    this.addr = this.#listener.addr;
    this.#inner = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      onListen: () => {},
      onError: opts.onError,
    }, (req, info) => {
      const peer = this.#peers.get(info.remoteAddr.port);
      if (!peer) return new Response(null, { status: 403, headers: { connection: "close" } });
      return opts.handler(req, { remoteAddr: peer, completed: info.completed });
    });
    const tick = Math.max(25, Math.min(1000, opts.headerTimeoutMs / 4, opts.idleTimeoutMs / 4));
    this.#sweeper = setInterval(() => this.#sweep(), tick);
    this.#accepting = this.#acceptLoop();
  }

  async #acceptLoop(): Promise<void> {
    let backoff = 50;
    while (!this.#stopped) {
      let conn: Deno.TcpConn;
      try {
        conn = await this.#listener.accept();
      } catch (e) {
        if (this.#stopped || e instanceof Deno.errors.BadResource) return;
        // EMFILE and kin: the pending connection stays in the kernel's backlog (or is refused
        // when that is full); the ones already held go on.
        this.stats.acceptErrors++;
        const now = Date.now();
        if (now - this.#lastAcceptLog >= 1000) {
          this.#lastAcceptLog = now;
          this.opts.log(
            `accept failed: ${(e as Error).message}; holding ${this.stats.open} connection(s), ` +
              `retrying in ${backoff} ms (${this.stats.acceptErrors} failed accepts so far)`,
          );
        }
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(1000, backoff * 2);
        continue;
      }
      backoff = 50;
      this.stats.accepted++;
      this.#admit(conn);
    }
  }

  #admit(conn: Deno.TcpConn): void {
    const peer = conn.remoteAddr;
    const held = this.#perAddress.get(peer.hostname) ?? 0;
    const { maxConnections, maxPerAddress } = this.opts;
    if (this.stats.open >= maxConnections || held >= maxPerAddress) {
      this.stats.refused++;
      const why = held >= maxPerAddress
        ? `too many connections from this address (at most ${maxPerAddress})`
        : `too many connections (at most ${maxConnections})`;
      void this.#refuse(conn, why);
      return;
    }
    this.#perAddress.set(peer.hostname, held + 1);
    this.stats.open++;
    const link = new Link(conn, peer, Date.now());
    this.#links.add(link);
    void this.#pipe(link).finally(() => this.#close(link));
  }

  async #refuse(conn: Deno.Conn, message: string): Promise<void> {
    const timer = setTimeout(() => closeQuietly(conn), 1000);
    try {
      await writeAll(conn, refusal(503, message));
    } catch {
      // the client is gone
    } finally {
      clearTimeout(timer);
      closeQuietly(conn);
    }
  }

  async #pipe(link: Link): Promise<void> {
    const buf = new Uint8Array(BUFFER);
    let serverDone: Promise<void> | undefined;
    try {
      while (!link.closed) {
        const n = await link.conn.read(buf);
        if (n === null) {
          // The client half-closed: let the server finish its answer.
          if (link.inner) {
            await link.inner.closeWrite().catch(() => {});
            await serverDone;
          }
          return;
        }
        const chunk = buf.subarray(0, n);
        link.fromClient(chunk, Date.now());
        if (!link.inner) {
          try {
            link.inner = await Deno.connect({ hostname: "127.0.0.1", port: this.#inner.addr.port });
          } catch (e) {
            this.opts.log(`could not open the inner connection: ${(e as Error).message}`);
            await writeAll(link.conn, refusal(503, "the server is out of connections; retry"));
            return;
          }
          this.#peers.set(link.inner.localAddr.port, link.peer);
          serverDone = link.answered = this.#pipeBack(link, link.inner);
        }
        await writeAll(link.inner, chunk);
      }
    } catch {
      // reset or closed by a timeout
    }
  }

  async #pipeBack(link: Link, inner: Deno.Conn): Promise<void> {
    const buf = new Uint8Array(BUFFER);
    try {
      while (!link.closed) {
        const n = await inner.read(buf);
        if (n === null) break;
        link.fromServer(Date.now());
        await writeAll(link.conn, buf.subarray(0, n));
        link.lastActivity = Date.now();
      }
    } catch {
      // either side went away
    }
    // The server closed (after `Connection: close`, or a refused body): so does the client.
    this.#close(link);
  }

  #close(link: Link): void {
    if (link.closed) return;
    link.closed = true;
    closeQuietly(link.conn);
    if (link.inner) {
      this.#peers.delete(link.inner.localAddr.port);
      closeQuietly(link.inner);
    }
    this.#links.delete(link);
    this.stats.open--;
    const held = (this.#perAddress.get(link.peer.hostname) ?? 1) - 1;
    if (held > 0) this.#perAddress.set(link.peer.hostname, held);
    else this.#perAddress.delete(link.peer.hostname);
  }

  #sweep(): void {
    const now = Date.now();
    const { headerTimeoutMs, idleTimeoutMs } = this.opts;
    for (const link of this.#links) {
      const late = link.phase === "head"
        ? now - link.headSince > headerTimeoutMs
        : now - link.lastActivity > idleTimeoutMs;
      if (late) {
        this.stats.timedOut++;
        this.#close(link);
      }
    }
  }

  /** Stops accepting, closes the inner server (finishing what it can) and every connection. */
  async shutdown(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#sweeper);
    try {
      this.#listener.close();
    } catch {
      // already closed
    }
    await this.#accepting;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const second = new Promise((r) => timer = setTimeout(r, 1000));
    await Promise.race([this.#inner.shutdown(), second]);
    // What the inner server wrote last (an event stream's final chunk) reaches its client before
    // the connection closes: cutting it short reads as a broken response in a browser.
    const answers = [...this.#links].map((link) => link.answered ?? Promise.resolve());
    await Promise.race([Promise.all(answers), second]);
    clearTimeout(timer);
    for (const link of this.#links) this.#close(link);
  }
}

/** The caps for an open-file limit: three descriptors a connection, 128 kept for the rest. */
export function defaultLimits(noFile: number | undefined): Pick<
  FrontLimits,
  "maxConnections" | "maxPerAddress"
> {
  const budget = Math.floor(((noFile ?? 1024) - 128) / 3);
  const maxConnections = Math.max(16, Math.min(10_000, budget));
  return { maxConnections, maxPerAddress: Math.max(8, Math.min(256, maxConnections)) };
}
