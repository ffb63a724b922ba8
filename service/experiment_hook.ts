// One process-wide hook that looks at an experiment when its runs change: looks are coalesced
// (one at a time per experiment; an event during a look asks for one more), and at start every
// experiment still in progress is looked at once, for runs that ended while no process was
// listening. It hears the store's events (`onEvent`), not the SSE bus, so it is no subscriber in
// /api/health. Used by `until` (service/until.ts) and tuning (service/tuning.ts).
import type { Scheduler } from "./scheduler.ts";
import type { Store } from "./store.ts";
import type { DurableEvent, Experiment } from "./types.ts";

export interface ExperimentHookSpec {
  /** Prefix of logged failures (`<name>: experiment <id>: …`). */
  name: string;
  /** One look at the experiment. */
  look(store: Store, scheduler: Scheduler, id: string): Promise<void>;
  /** The experiment an event asks to be looked at, if any. */
  wants(e: DurableEvent): string | undefined;
  /** Whether an experiment is still in progress (looked at once at start). */
  inProgress(e: Experiment): boolean;
}

export function experimentHook(spec: ExperimentHookSpec, log: (m: string) => void) {
  let deps: { store: Store; scheduler: Scheduler } | null = null;
  const again = new Map<string, boolean>();
  const poke = (id: string) => {
    if (!deps) return;
    const { store, scheduler } = deps;
    if (again.has(id)) return void again.set(id, true);
    again.set(id, false);
    void (async () => {
      do {
        again.set(id, false);
        await spec.look(store, scheduler, id)
          .catch((e) => log(`${spec.name}: experiment ${id}: ${(e as Error).message}`));
      } while (again.get(id));
      again.delete(id);
    })();
  };
  return {
    onEvent(e: DurableEvent): void {
      const id = spec.wants(e);
      if (id) poke(id);
    },
    start(store: Store, scheduler: Scheduler): void {
      deps = { store, scheduler };
      void store.listExperiments().then((list: Experiment[]) => {
        for (const e of list) if (spec.inProgress(e)) poke(e.id);
      }).catch((e) => log(`${spec.name}: ${(e as Error).message}`));
    },
  };
}
