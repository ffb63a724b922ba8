// Web Worker entry: computes an experiment's statistics (stats/experiment.ts)
// off the main thread, which serves HTTP and records every run's epochs; for a
// 200-run grid the computation takes 60–140 ms. One request at a time, in order;
// "ready" once loaded.
import { experimentStats, PointError } from "../stats/experiment.ts";
import { StatsOptionError } from "../stats/family.ts";

export type StatsArgs = Parameters<typeof experimentStats>;
export type StatsRequest = { id: number; args: StatsArgs };
/**
 * `pointError`: experimentStats refused the query's point (a client error, e.g.
 * point=best without a validation split); `error`: anything else (a bug).
 */
export type StatsReply =
  | { id: number; stats: unknown }
  | { id: number; pointError: string }
  | { id: number; optionError: string }
  | { id: number; error: string };

declare const self: {
  postMessage(m: StatsReply | "ready"): void;
  onmessage: ((e: MessageEvent<StatsRequest>) => void) | null;
};

self.onmessage = ({ data: { id, args } }) => {
  let reply: StatsReply;
  try {
    reply = { id, stats: experimentStats(...args) };
  } catch (e) {
    const message = (e as Error).message;
    reply = e instanceof PointError
      ? { id, pointError: message }
      : e instanceof StatsOptionError
      ? { id, optionError: message }
      : { id, error: message };
  }
  self.postMessage(reply);
};

self.postMessage("ready");
