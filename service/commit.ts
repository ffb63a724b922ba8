// How every store transition commits: under this process's lock, one atomic
// op that carries the transition's writes, its events (numbered from the
// shared ["meta","seq"]) and the change to the shared queue counter, checking
// both counters, since other processes write them too. A lost race starts
// over from a fresh read. A run's final status also retires it (retention.ts).
import { dropChunks } from "./checkpoint.ts";
import {
  getMany,
  type Lock,
  MAX_ATTEMPTS,
  QUEUED,
  RaceLost,
  retryLocked,
  SEQ,
  sleep,
} from "./kv.ts";
import { type DurableEvent, isTerminal, type Run } from "./types.ts";

export type Emit = (e: Omit<DurableEvent, "seq">) => void;

/** A transition: adds its writes to `op`, emits its events, says how the queue changed. */
export type Build<T> = (
  op: Deno.AtomicOperation,
  emit: Emit,
  state: { queued: number },
) => Promise<{ result: T; queued?: number }> | { result: T; queued?: number };

export class Committer {
  /** Latest sequence number and queue length this process committed or read. */
  seq = 0;
  queued = 0;

  constructor(
    private kv: Deno.Kv,
    readonly lock: Lock,
    /** Waits until this process has delivered the events it just committed. */
    private catchUp: () => Promise<void>,
    private log?: (msg: string) => void,
  ) {}

  /**
   * Runs `build` with a fresh atomic op and commits it with its events and
   * counters. A null result without events commits nothing. `build` may throw
   * RaceLost (a side write lost a race) to start over.
   */
  write<T>(build: Build<T>): Promise<T> {
    return this.lock.run(async (): Promise<{ result: T; ended: string[] }> => {
      for (let attempt = 1;; attempt++) {
        const op = this.kv.atomic();
        const [seqE, queuedE] = await getMany<[number, number]>(this.kv, [SEQ, QUEUED]);
        let seq = seqE.value ?? 0;
        const events: DurableEvent[] = [];
        const emit: Emit = (e) => {
          events.push({ ...e, seq: ++seq } as DurableEvent);
        };
        let built: { result: T; queued?: number };
        try {
          built = await build(op, emit, { queued: queuedE.value ?? 0 });
        } catch (e) {
          if (!(e instanceof RaceLost) || attempt >= MAX_ATTEMPTS) throw e;
          await sleep(Math.min(200, 2 * attempt) * Math.random());
          continue;
        }
        const { result, queued = 0 } = built;
        if (events.length === 0 && result === null) return { result, ended: [] as string[] };
        const ended: string[] = [];
        for (const e of events) {
          op.set(["event", e.seq], e).set(["run_event", e.runId, e.seq], e.type);
          if (e.type === "status" && isTerminal(e.data.status)) {
            // The run is over: its checkpoint can't be resumed from any more.
            op.set(["retire", e.runId], { at: Date.now() }).delete(["ckpt", e.runId]);
            ended.push(e.runId);
          }
        }
        if (events.length) op.check(seqE).set(SEQ, seq);
        if (queued) op.check(queuedE).set(QUEUED, Math.max(0, (queuedE.value ?? 0) + queued));
        const res = await retryLocked(() => op.commit());
        if (!res.ok) {
          if (attempt >= MAX_ATTEMPTS) {
            throw new Error(`KV write conflict: lost ${attempt} races with other processes`);
          }
          await sleep(Math.min(200, 2 * attempt) * Math.random());
          continue;
        }
        this.seq = Math.max(this.seq, seq);
        this.queued = Math.max(0, (queuedE.value ?? 0) + queued);
        if (events.length || queued) await this.catchUp();
        return { result, ended };
      }
    }).then(async ({ result, ended }) => {
      // Unreferenced now; if this fails (or the process dies) the sweep removes them.
      for (const id of ended) {
        await dropChunks(this.kv, id).catch((e) =>
          this.log?.(`run ${id}: checkpoint removal: ${(e as Error).message}`)
        );
      }
      return result;
    });
  }
}

/** Deletes a run's queue entries in `op` (checking them); returns how many there were. */
export async function dequeue(kv: Deno.Kv, op: Deno.AtomicOperation, id: string) {
  const entries = await getMany(kv, [["queue", 0, id], ["queue", 1, id]]);
  op.check(...entries).delete(["queue", 0, id]).delete(["queue", 1, id]);
  return entries.filter((e) => e.value !== null).length;
}

/** Queues new runs in `op`, each with its status event. */
export function queueRuns(op: Deno.AtomicOperation, emit: Emit, runs: Run[]): void {
  for (const run of runs) {
    op.set(["run", run.id], run);
    op.set(["queue", 1, run.id], queueValue(run));
    emit({ type: "status", runId: run.id, data: run });
  }
}

/** What a worker needs to decide whether it can take a queued run, without reading it. */
export function queueValue(run: Run): { data: string; backend: string } {
  return { data: run.config.data, backend: run.config.backend };
}
