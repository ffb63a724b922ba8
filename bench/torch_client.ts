// The long-lived PyTorch side of the interleaved benches (bench/torch_models.py):
// one request line in, one JSON line out, so that rounds of lossbench and
// PyTorch can alternate within one invocation without restarting Python.

export interface TorchReply {
  op: string;
  model: string;
  imgPerSec: number;
  ms: number;
  /** CPU time over wall time while timing: about the threads PyTorch really used. */
  cpuPerWall?: number;
}

export class TorchServer {
  #proc: Deno.ChildProcess;
  #lines: ReadableStreamDefaultReader<string>;
  #buffered = "";
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  info: Record<string, unknown> = {};

  private constructor(python: string) {
    this.#proc = new Deno.Command(python, {
      args: [new URL("torch_models.py", import.meta.url).pathname],
      // OpenMP's threads otherwise spin for a while after each 2-thread op, on the core that
      // lossbench's next arm (a lone run on 2 kernel threads) needs; passive waiting also made
      // PyTorch's own 2-thread mlp step 2.8× faster here (1,686 → 4,726 img/s). OpenBLAS's own
      // threads spin too (0.1 s of CPU in the 0.3 s after a 2-thread GEMM, measured): its shortest
      // timeout (2^4 cycles) puts them to sleep at once, so a 1-thread arm that follows reads
      // cpuPerWall 1.00 (1.3–2.0 before, in short invocations), at no cost to the 2-thread arm.
      env: {
        OMP_WAIT_POLICY: Deno.env.get("OMP_WAIT_POLICY") ?? "PASSIVE",
        OPENBLAS_THREAD_TIMEOUT: Deno.env.get("OPENBLAS_THREAD_TIMEOUT") ?? "4",
      },
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#lines = this.#proc.stdout.pipeThrough(new TextDecoderStream()).getReader();
    this.#writer = this.#proc.stdin.getWriter();
  }

  /** Starts the server and waits for its ready line; null when PyTorch is not there. */
  static async start(python = "/usr/bin/python3"): Promise<TorchServer | null> {
    try {
      const t = new TorchServer(python);
      t.info = await t.#read();
      return t;
    } catch (e) {
      console.error(`PyTorch side skipped: ${(e as Error).message}`);
      return null;
    }
  }

  async #read(): Promise<Record<string, unknown>> {
    while (!this.#buffered.includes("\n")) {
      const { value, done } = await this.#lines.read();
      if (done) throw new Error("bench/torch_models.py exited");
      this.#buffered += value;
    }
    const i = this.#buffered.indexOf("\n");
    const line = this.#buffered.slice(0, i);
    this.#buffered = this.#buffered.slice(i + 1);
    return JSON.parse(line);
  }

  async request(req: Record<string, unknown>): Promise<TorchReply> {
    await this.#writer.write(new TextEncoder().encode(JSON.stringify(req) + "\n"));
    return (await this.#read()) as unknown as TorchReply;
  }

  /** `steps` training steps of `model` at `batch` on `threads`. */
  step(model: string, steps: number, batch: number, threads: number): Promise<TorchReply> {
    return this.request({ op: "step", model, steps, batch, threads });
  }

  /** `reps` evaluation batches of `model` at `batch` on `threads`. */
  eval(model: string, reps: number, batch: number, threads: number): Promise<TorchReply> {
    return this.request({ op: "eval", model, reps, batch, threads });
  }

  async close(): Promise<void> {
    await this.#writer.close().catch(() => {});
    await this.#proc.status;
  }
}
