// Progress on stderr. On a terminal: one status line redrawn in place (a bar
// with counts and an ETA, or a spinner); piped: plain lines only, so logs and
// tests never see escape codes. The pure formatters are exported for tests.
import type { Progress } from "../types.ts";

const CLEAR = "\x1b[K";

/** "0.4s", "17s", "1m05s", "2h03m"; "?" when unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  if (seconds < 9.95) return `${seconds.toFixed(1)}s`;
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** A bar of `width` cells, `fraction` of them full. */
export function bar(fraction: number, width = 20): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const full = Math.round(f * width);
  return "█".repeat(full) + "░".repeat(width - full);
}

/** Where the status line goes: a writer and whether it is a terminal. */
export interface Sink {
  writeSync(p: Uint8Array): number;
  isTerminal(): boolean;
}

function columns(): number {
  try {
    // A pseudo-terminal without a size (script(1), some CI) reports 0 columns.
    return Deno.consoleSize().columns || 80;
  } catch {
    return 80;
  }
}

/** One line redrawn in place on a terminal; plain lines in between, never interleaved. */
export class StatusLine {
  readonly tty: boolean;
  #shown = false;
  #enc = new TextEncoder();

  constructor(private sink: Sink = Deno.stderr) {
    this.tty = sink.isTerminal() && Deno.env.get("TERM") !== "dumb";
  }

  /** Redraws the status (terminal only), cut to the terminal's width so it never wraps. */
  set(text: string): void {
    if (!this.tty) return;
    const cut = [...text].slice(0, Math.max(10, columns() - 1)).join("");
    this.#write(`\r${cut}${CLEAR}`);
    this.#shown = true;
  }

  clear(): void {
    if (this.#shown) this.#write(`\r${CLEAR}`);
    this.#shown = false;
  }

  /** A permanent line (both modes): clears the status first. */
  line(text: string): void {
    this.clear();
    this.#write(`${text}\n`);
  }

  #write(s: string): void {
    const b = this.#enc.encode(s);
    for (let off = 0; off < b.length;) off += this.sink.writeSync(b.subarray(off));
  }
}

/** A counted step of a data load, read from a loader's onProgress message. */
export interface LoadCount {
  label: string;
  done: number;
  total: number;
  unit: string;
}

/**
 * The counts in the loaders' messages (ml/data/*.ts): decoding an image folder
 * and downloading. null for any other message (cache hits and the like).
 */
export function parseLoadMessage(msg: string): LoadCount | null {
  let m = /^(.*): decoding (\d+) images\b/.exec(msg);
  if (m) return { label: `${m[1]}: decoding`, done: 0, total: Number(m[2]), unit: "images" };
  m = /^(.*): decoded (\d+) of (\d+) images/.exec(msg);
  if (m) {
    return { label: `${m[1]}: decoding`, done: Number(m[2]), total: Number(m[3]), unit: "images" };
  }
  m = /^downloading (\S+): \d+% \(([\d.]+) of ([\d.]+) MB\)/.exec(msg);
  if (m) {
    return { label: `downloading ${m[1]}`, done: Number(m[2]), total: Number(m[3]), unit: "MB" };
  }
  m = /^downloading (\S+) \(([\d.]+) MB\)/.exec(msg);
  if (m) {
    const name = m[1].split("/").pop() || m[1];
    return { label: `downloading ${name}`, done: 0, total: Number(m[2]), unit: "MB" };
  }
  return null;
}

const SPIN = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";

/**
 * Follows a data-set load. On a terminal: a bar with ETA while a count is known
 * (the loaders report every 25% of a decode, every 10% of a download; the ETA
 * counts down in between), else a spinner with the last message. Piped: each
 * message as a line, as the loaders wrote it.
 */
export class LoadProgress {
  #count: (LoadCount & { start: number; at: number }) | null = null;
  #text: string;
  #t0 = performance.now();
  #timer: ReturnType<typeof setInterval> | undefined;
  #frame = 0;

  constructor(private status: StatusLine, what: string) {
    this.#text = `loading ${what}`;
    if (status.tty) {
      this.#timer = setInterval(() => this.#draw(), 120);
      this.#draw();
    }
  }

  /** The loaders' onProgress. */
  message = (msg: string): void => {
    if (!this.status.tty) {
      this.status.line(msg);
      return;
    }
    const c = parseLoadMessage(msg);
    const now = performance.now();
    if (c) {
      const same = this.#count?.label === c.label && this.#count.total === c.total;
      this.#count = { ...c, start: same ? this.#count!.start : now, at: now };
    } else {
      this.#finishCount();
      this.status.line(msg);
    }
    this.#draw();
  };

  /** Stops the spinner; a finished count becomes one line. */
  done(): void {
    clearInterval(this.#timer);
    this.#finishCount();
    this.status.clear();
  }

  #finishCount(): void {
    const c = this.#count;
    if (!c) return;
    this.status.line(
      `${c.label}: ${c.total} ${c.unit} in ${formatDuration((performance.now() - c.start) / 1000)}`,
    );
    this.#count = null;
  }

  #draw(): void {
    const now = performance.now();
    const spin = SPIN[this.#frame++ % SPIN.length];
    const c = this.#count;
    if (!c) {
      this.status.set(`${spin} ${this.#text}  ${formatDuration((now - this.#t0) / 1000)}`);
      return;
    }
    this.status.set(`${spin} ${loadStatus(c, (c.at - c.start) / 1000, (now - c.at) / 1000)}`);
  }
}

/**
 * "cifar10-jpg: decoding ██████░░░░ 30000/60000 images  ETA 41s". `elapsed` is the
 * time the reported `done` took, `since` the time since it was reported.
 */
export function loadStatus(c: LoadCount, elapsed: number, since: number): string {
  const eta = c.done > 0 && elapsed > 0 ? (c.total - c.done) * elapsed / c.done - since : NaN;
  const n = c.unit === "MB" ? (x: number) => x.toFixed(1) : String;
  return `${c.label} ${bar(c.total ? c.done / c.total : 0)} ${n(c.done)}/${n(c.total)} ${c.unit}` +
    `  ETA ${formatDuration(Math.max(0, eta))}`;
}

/**
 * "epoch 3/20 ████░░░░ 120/782  loss 1.2345  1234 img/s  ETA 12s  run 5m20s".
 * `trainCount` is the split trained on; `epochSeconds` are the finished epochs'
 * (training and evaluation), which make the run's ETA honest after the first.
 */
export function epochStatus(
  p: Progress,
  o: { epochs: number; trainCount: number; batchSize: number; epochSeconds: number[] },
): string {
  const seen = Math.min(p.batch * o.batchSize, o.trainCount);
  const left = (o.trainCount - seen) / p.imgPerSec;
  const perEpoch = o.epochSeconds.length
    ? o.epochSeconds.reduce((a, b) => a + b, 0) / o.epochSeconds.length
    : o.trainCount / p.imgPerSec;
  const run = left + (o.epochs - p.epoch) * perEpoch;
  const tail = p.batch === p.batches ? "  evaluating…" : `  ETA ${formatDuration(left)}`;
  return `epoch ${p.epoch}/${o.epochs} ${bar(p.batch / p.batches)} ${p.batch}/${p.batches}` +
    `  loss ${p.loss.toFixed(4)}  ${p.imgPerSec.toFixed(0)} img/s${tail}` +
    (o.epochs > p.epoch ? `  run ${formatDuration(run)}` : "");
}
