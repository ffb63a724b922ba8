// @ts-check
// Each run's colour, dash and marker, kept for as long as the run exists:
// ticking or unticking others never changes it. A "key" is what one line
// stands for: an experiment's cell (its runs, e.g. seeds, share a look) or a
// single run. A new key takes the lowest free slot (oldest run first), and the
// slots are remembered in this browser, so deleting a run recolours nothing.
// Runs that ended without an epoch draw no line and take no slot.
import { SERIES } from "./palette.js";
import { runLabel } from "./format.js";
import { loadPrefs, savePrefs } from "./prefs.js";

/** @typedef {{id: string, label: string, experimentId?: string, status?: string, epochsDone?: number}} SeriesRun */

const SLOTS_KEY = "lossbench.series";
/** series key → slot (not remembered: the order of creation still gives the same slots) */
/** @type {Record<string, number>} */
let slots = loadPrefs(SLOTS_KEY, (v) => (Array.isArray(v) ? {} : v));

const save = () => savePrefs(SLOTS_KEY, slots);

/** What a run's line stands for. @param {SeriesRun} run */
export function seriesKey(run) {
  return run.experimentId ? `${run.experimentId}|${runLabel(run)}` : run.id;
}

/**
 * Gives every key among `runs` a slot (new keys after all known ones, oldest
 * run first) and forgets keys no run has any more. Call with all runs.
 * @param {SeriesRun[]} runs
 */
export function assignSlots(runs) {
  const byAge = [...runs].sort((a, b) => String(a.id).localeCompare(String(b.id)));
  const live = new Set();
  for (const run of byAge) {
    if (!TERMINAL.has(run.status ?? "") || (run.epochsDone ?? 0) > 0) live.add(seriesKey(run));
  }
  let dirty = false;
  for (const key of Object.keys(slots)) {
    if (!live.has(key)) {
      delete slots[key];
      dirty = true;
    }
  }
  const used = new Set(Object.values(slots));
  let free = 0;
  for (const key of live) {
    if (key in slots) continue;
    while (used.has(free)) free++;
    slots[key] = free;
    used.add(free);
    dirty = true;
  }
  if (dirty) save();
}

const TERMINAL = new Set(["done", "failed", "cancelled", "interrupted", "pruned"]);

/**
 * The look of slot `i`: the first eight pair colours with their own dash and
 * marker; after that the pairing shifts, so 64 slots all look different.
 * @param {number} i
 * @returns {import("./bands.js").Style}
 */
export function styleOfSlot(i) {
  const n = SERIES.length;
  const c = SERIES[i % n];
  const d = SERIES[(i + Math.floor(i / n)) % n];
  return { color: c.color, dash: d.dash, point: d.point };
}

/** A run's look (after assignSlots has seen it); null for a run that draws no line. @param {SeriesRun} run */
export function styleOf(run) {
  const slot = slots[seriesKey(run)];
  return Number.isInteger(slot) ? styleOfSlot(slot) : null;
}

/** For tests: forget every slot. */
export function resetSlots() {
  slots = {};
  save();
}
