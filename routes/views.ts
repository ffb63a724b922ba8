// The API's run object: the stored run plus its live progress while running.
import type { Scheduler } from "../service/scheduler.ts";
import type { Run, RunProgress } from "../service/types.ts";

export type RunView = Run & { progress?: RunProgress };

export function viewRun(run: Run, scheduler: Scheduler): RunView {
  const progress = run.status === "running" ? scheduler.progress(run.id) : undefined;
  return progress ? { ...run, progress } : run;
}
