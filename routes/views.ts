// The API's run object: the stored run plus its live progress while running.
import type { Scheduler } from "../service/scheduler.ts";
import type { Run, RunProgress } from "../service/types.ts";

export type RunView = Run & { progress?: RunProgress };

export function viewRun(run: Run, scheduler: Scheduler): RunView {
  // A run stored before `best` was chosen on validation carries one chosen on the test set: drop it.
  if (run.best && typeof run.best.valAcc !== "number") {
    const { best: _legacy, ...rest } = run;
    run = rest;
  }
  const progress = run.status === "running" ? scheduler.progress(run.id) : undefined;
  return progress ? { ...run, progress } : run;
}
