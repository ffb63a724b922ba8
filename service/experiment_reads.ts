// GET /api/experiments/:id, once per change. The answer (the experiment, its
// runs and the statistics over their epochs) changes only when one of its runs
// has an event (status or epoch) or the experiment's record changes, so it is
// built once per such change and kept, with an ETag (a hash of the body), and
// an unchanged experiment costs a lookup: reading a finished 200-run grid took
// 130–400 ms of the main thread per request, which starved training.
//
// Which runs changed is heard from the event bus (every process hears every
// run's events from the KV log), counted by a local tick: an entry built from
// what KV held at tick T stays good while none of its runs has an event after
// T. Runs that did not change are carried over with their epochs, so a live
// experiment re-reads only the runs that moved. While a run trains, its live
// progress makes the body differ between reads: then only the data and the
// statistics are kept, and the body (and its ETag) is built per request.
// (A run's `classes` and `prepared`, written as it starts without an event of
// their own, show from its first epoch event on.)
import { metricsOf } from "../ml/metrics/registry.ts";
import type { EpochMetrics } from "../ml/types.ts";
import { DomainError } from "./errors.ts";
import type { EventBus } from "./event_bus.ts";
import type { Store } from "./store.ts";
import type { Experiment, Run } from "./types.ts";

/** What the statistics read of an epoch: its number and its metrics (metricsOf). */
export type EpochPoint = Record<string, number | undefined>;

export interface ExperimentData {
  /** The experiment's runs that exist, in its order. */
  runs: Run[];
  /** Each run's epochs as the statistics read them (metricsOf), by run id. */
  epochs: Map<string, EpochPoint[]>;
  /** Each run's last epoch record whole (its test set's size is in its confusion matrix). */
  last: Map<string, EpochMetrics | undefined>;
}

interface Entry {
  /** The tick when reading began: good while none of its runs has an event after it. */
  since: number;
  exp: string;
  data: Promise<ExperimentData>;
  /** The resolved data, to carry unchanged runs over to the next entry. */
  ready?: ExperimentData;
  views: Map<string, { stats: Promise<unknown>; body?: Body }>;
}

export interface Body {
  text: string;
  /** The text as UTF-8, encoded once for every read that sends it whole. */
  bytes: Uint8Array<ArrayBuffer>;
  etag: string;
}

async function etagOf(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return `"${
    btoa(String.fromCharCode(...d.subarray(0, 18))).replace(/\+/g, "-").replace(/\//g, "_")
  }"`;
}

export class ExperimentReads {
  #tick = 0;
  /** Each run's tick of its latest event. */
  #touched = new Map<string, number>();
  #entries = new Map<string, Entry>();

  constructor(
    bus: Pick<EventBus, "tap">,
    private store: Pick<Store, "getRun" | "listEpochs">,
    private maxEntries = 8,
  ) {
    bus.tap((e) => {
      if (e.type !== "progress") this.#touched.set(e.runId, ++this.#tick);
    });
  }

  /**
   * The body for `exp` and a query: `stats` computes the statistics from the
   * data (once per change and query); `render` builds the response object.
   */
  async read(
    exp: Experiment,
    query: string,
    stats: (d: ExperimentData) => Promise<unknown>,
    render: (runs: Run[], stats: unknown) => unknown,
  ): Promise<Body> {
    const entry = this.#entry(exp);
    const data = await entry.data;
    let view = entry.views.get(query);
    if (!view) {
      const v = view = { stats: stats(data) };
      // A client's error (a bad query) is kept and refused from here; any other is tried again.
      v.stats.catch((e) => e instanceof DomainError || entry.views.delete(query));
      entry.views.set(query, v);
    }
    const s = await view.stats;
    if (view.body) return view.body;
    const text = JSON.stringify(render(data.runs, s));
    const bytes = new TextEncoder().encode(text);
    const body = { text, bytes, etag: await etagOf(bytes) };
    // A training run's progress is live: its body is built per request.
    if (!data.runs.some((r) => r.status === "running")) view.body = body;
    return body;
  }

  #entry(exp: Experiment): Entry {
    const json = JSON.stringify(exp);
    const old = this.#entries.get(exp.id);
    this.#entries.delete(exp.id); // re-inserted last: the map is in order of use
    if (old && old.exp === json && this.#unchanged(exp.runIds, old.since)) {
      this.#entries.set(exp.id, old);
      return old;
    }
    const entry: Entry = { since: this.#tick, exp: json, data: null!, views: new Map() };
    entry.data = this.#load(exp, old?.ready, old?.since ?? -1).then((d) => (entry.ready = d));
    // A failed read is not kept: the next request tries again.
    entry.data.catch(() => this.#entries.get(exp.id) === entry && this.#entries.delete(exp.id));
    this.#entries.set(exp.id, entry);
    while (this.#entries.size > this.maxEntries) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    return entry;
  }

  #unchanged(ids: string[], since: number): boolean {
    return ids.every((id) => (this.#touched.get(id) ?? 0) <= since);
  }

  /** Reads the runs (and epochs) that changed since `prev` was read at `since`; reuses the rest. */
  async #load(exp: Experiment, prev: ExperimentData | undefined, since: number) {
    const prevRuns = new Map(prev?.runs.map((r) => [r.id, r]));
    const out: ExperimentData = { runs: [], epochs: new Map(), last: new Map() };
    const loaded = await Promise.all(exp.runIds.map(async (id) => {
      const kept = prevRuns.get(id);
      if (kept && this.#unchanged([id], since)) {
        return { run: kept, epochs: prev!.epochs.get(id)!, last: prev!.last.get(id) };
      }
      const run = await this.store.getRun(id);
      if (!run) return null;
      const epochs = await this.store.listEpochs(id);
      return { run, epochs: epochs.map(metricsOf), last: epochs.at(-1) };
    }));
    for (const x of loaded) {
      if (!x) continue;
      out.runs.push(x.run);
      out.epochs.set(x.run.id, x.epochs);
      out.last.set(x.run.id, x.last);
    }
    return out;
  }
}

/** Images behind a run's hits metrics: the test set (its confusion matrix) and the validation split. */
export function sizesOf(
  run: Run,
  epochs: { confusion?: number[][] }[],
): { test?: number; val?: number } {
  const confusion = epochs.at(-1)?.confusion;
  const test = confusion?.reduce((a, row) => a + row.reduce((b, x) => b + x, 0), 0);
  return { test: test || undefined, val: run.prepared?.valCount || undefined };
}
