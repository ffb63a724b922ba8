// The server's log: plain lines by default, JSON lines with LOSSBENCH_LOG=json
// (one object per line: time, msg and the fields), and each run's lifecycle
// told from the durable events the store commits: queued, started, every
// epoch, and how it ended.
import type { EpochMetrics } from "../ml/types.ts";
import type { DurableEvent, Run } from "./types.ts";

export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function createLogger(
  format: "text" | "json" = "text",
  write: (line: string) => void = console.log,
): Logger {
  const emit = (level: string) => (msg: string, fields: Record<string, unknown> = {}) =>
    write(
      format === "json"
        ? JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })
        : msg,
    );
  return { info: emit("info"), error: emit("error") };
}

const pct = (x?: number) => (x === undefined ? "–" : `${(100 * x).toFixed(2)}%`);
const seconds = (from?: string, to?: string) =>
  from && to ? (Date.parse(to) - Date.parse(from)) / 1000 : undefined;

/** Turns committed events into one log line each for what matters to an operator. */
export function runLog(log: Logger): (e: DurableEvent) => void {
  return (e) => {
    if (e.type === "epoch") return epochLine(log, e.data);
    const run: Run = e.data;
    const who = `run ${run.id} (${run.label ?? run.config.loss}, seed ${run.config.seed})`;
    const fields = { runId: run.id, label: run.label, seed: run.config.seed, status: run.status };
    switch (run.status) {
      case "queued":
        if (run.epochsDone > 0) {
          return log.info(`${who} queued to resume after epoch ${run.epochsDone}`, fields);
        }
        return log.info(
          `${who} queued${run.experimentId ? ` in experiment ${run.experimentId}` : ""}`,
          { ...fields, experimentId: run.experimentId },
        );
      case "running":
        return log.info(`${who} started on ${run.backend ?? "a worker"}, data ${run.config.data}`, {
          ...fields,
          backend: run.backend,
          data: run.config.data,
        });
      case "done": {
        const took = seconds(run.startedAt, run.finishedAt);
        return log.info(
          `${who} done: ${run.epochsDone} epochs, final test acc ${
            run.last ? pct(run.last.testAcc) : "–"
          }, best on val ${
            run.best ? `epoch ${run.best.epoch} (test acc ${pct(run.best.testAcc)})` : "–"
          }` +
            (took === undefined ? "" : `, ${took.toFixed(0)} s`),
          { ...fields, epochs: run.epochsDone, testAcc: run.last?.testAcc, seconds: took },
        );
      }
      case "failed":
        return log.error(`${who} failed: ${run.error ?? "unknown error"}`, {
          ...fields,
          error: run.error,
        });
      case "cancelled":
      case "interrupted":
        return log.info(`${who} ${run.status}${run.error ? `: ${run.error}` : ""}`, fields);
    }
  };
}

function epochLine(log: Logger, m: EpochMetrics & { runId: string }): void {
  log.info(
    `run ${m.runId} epoch ${m.epoch}: train loss ${m.trainLoss.toFixed(4)}, test loss ${
      m.testLoss?.toFixed(4) ?? "–"
    }, test acc ${pct(m.testAcc)}, F1 ${m.f1?.toFixed(4) ?? "–"}, ECE ${
      m.ece?.toFixed(4) ?? "–"
    }, ` +
      `${m.epochSeconds.toFixed(1)} s, ${Math.round(m.trainImgPerSec)} img/s`,
    {
      runId: m.runId,
      epoch: m.epoch,
      trainLoss: m.trainLoss,
      testLoss: m.testLoss,
      testAcc: m.testAcc,
      f1: m.f1,
      ece: m.ece,
      epochSeconds: m.epochSeconds,
    },
  );
}
