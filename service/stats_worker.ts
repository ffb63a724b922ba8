// Web Worker entry: computes an experiment's statistics (stats/experiment.ts)
// off the main thread, which serves HTTP and records every run's epochs; for a
// 200-run grid the computation takes 60–140 ms. One request at a time, in order;
// "ready" once loaded.
import { experimentStats } from "../stats/experiment.ts";

export type StatsArgs = Parameters<typeof experimentStats>;
export type StatsRequest = { id: number; args: StatsArgs };
/** `error`: experimentStats refused its input (a client's query, e.g. point=best without a split). */
export type StatsReply = { id: number; stats: unknown } | { id: number; error: string };

declare const self: {
  postMessage(m: StatsReply | "ready"): void;
  onmessage: ((e: MessageEvent<StatsRequest>) => void) | null;
};

self.onmessage = ({ data: { id, args } }) => {
  let reply: StatsReply;
  try {
    reply = { id, stats: experimentStats(...args) };
  } catch (e) {
    reply = { id, error: (e as Error).message };
  }
  self.postMessage(reply);
};

self.postMessage("ready");
