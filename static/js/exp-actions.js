// @ts-check
// The experiment view's actions: add seeds to every cell, cancel its runs,
// delete it, and the CSV exports at the view's point and metric.
import { api } from "./api.js";
import { dropFromList, leave, query, refresh, stay } from "./exp-data.js";
import { parseSeeds } from "./grid-form.js";
import { state } from "./state.js";

/**
 * @typedef {object} ActionParts
 * @property {HTMLElement} error
 * @property {HTMLInputElement} seedsInput
 * @property {HTMLButtonElement} addSeeds
 * @property {HTMLButtonElement} cancel
 * @property {HTMLButtonElement} remove
 * @property {{runs: HTMLAnchorElement, summary: HTMLAnchorElement, comparisons: HTMLAnchorElement}} csv
 */
/**
 * @typedef {object} ActionHooks
 * @property {(text: string) => void} notice
 * @property {(what: string, e: any) => void} actionFailed  e.g. a 401: ask for the token
 * @property {(runs: import("./state.js").Run[]) => void} [onRuns]  runs the action queued or changed
 * @property {() => void} changed  the list changed: redraw
 */

/** @type {ActionParts | null} */
let els = null;
/** @type {ActionHooks | null} */
let hooks = null;

/** @param {ActionParts} parts @param {ActionHooks} h */
export function mountActions(parts, h) {
  els = parts;
  hooks = h;
  parts.addSeeds.addEventListener("click", addSeeds);
  parts.seedsInput.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") addSeeds();
  });
  parts.cancel.addEventListener("click", cancelAll);
  parts.remove.addEventListener("click", removeAll);
}

/** The buttons' states and the exports' links for `exp`. @param {import("./state.js").Experiment} exp */
export function drawActions(exp) {
  if (!els) return;
  /** @type {{status: string}[]} */
  const runs = exp.runs ?? [];
  const active = runs.some((r) => r.status === "queued" || r.status === "running");
  els.cancel.hidden = !active;
  els.remove.disabled = active;
  els.remove.title = active ? "Cancel its runs first" : "Delete the experiment and its runs";
  const failed = Boolean(state.experiment.statsError);
  els.csv.runs.href = api.experimentCsvUrl(exp.id, "runs");
  els.csv.summary.href = api.experimentCsvUrl(
    exp.id,
    "summary",
    failed ? {} : query(),
  );
  els.csv.comparisons.href = api.experimentCsvUrl(
    exp.id,
    "comparisons",
    failed ? { metric: state.experimentView.metric } : query(),
  );
}

async function addSeeds() {
  const data = state.experiment.data;
  if (!data || !els || !hooks) return;
  els.error.textContent = "";
  let seeds;
  const text = els.seedsInput.value.trim();
  try {
    seeds = text ? parseSeeds(text) : [Math.max(0, ...data.seeds) + 1];
  } catch (e) {
    els.error.textContent = `Add seeds: ${/** @type {Error} */ (e).message}`;
    els.seedsInput.setAttribute("aria-invalid", "true");
    return;
  }
  els.seedsInput.removeAttribute("aria-invalid");
  els.addSeeds.disabled = true;
  try {
    const res = await api.addSeeds(data.id, seeds);
    els.seedsInput.value = "";
    hooks.notice(
      `Added seed${seeds.length === 1 ? "" : "s"} ${seeds.join(", ")}: ` +
        `${res.added?.length ?? 0} runs queued.`,
    );
    hooks.onRuns?.(res.added ?? []);
    refresh({ now: true });
  } catch (e) {
    const err = /** @type {{status?: number, message: string}} */ (e);
    if (err.status === 401) hooks.actionFailed("Adding seeds", err);
    else els.error.textContent = `Add seeds: ${err.message}`;
  } finally {
    els.addSeeds.disabled = false;
  }
}

async function cancelAll() {
  const data = state.experiment.data;
  if (!data || !els || !hooks) return;
  els.cancel.disabled = true;
  try {
    const res = await api.cancelExperiment(data.id);
    hooks.notice(`Cancelled ${res.cancelled ?? 0} runs.`);
    hooks.onRuns?.(res.runs ?? []);
    refresh({ now: true });
  } catch (e) {
    hooks.actionFailed("Cancel", e);
  } finally {
    els.cancel.disabled = false;
  }
}

async function removeAll() {
  const data = state.experiment.data;
  if (!data || !els || !hooks) return;
  const n = data.runs?.length ?? 0;
  if (!confirm(`Delete this experiment and its ${n} runs with their epochs?`)) {
    return;
  }
  await leave(data.id);
  try {
    await api.removeExperiment(data.id);
    dropFromList(data.id);
    hooks.notice("Deleted the experiment.");
    hooks.changed();
    refresh({ now: true });
  } catch (e) {
    stay();
    const err = /** @type {{status?: number, message: string}} */ (e);
    if (err.status === 409) els.error.textContent = err.message;
    else hooks.actionFailed("Delete", err);
  }
}
