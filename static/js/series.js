// Each run's colour, dash and marker, kept for as long as the run exists:
// ticking or unticking others never changes it. A "key" is what one line
// stands for: an experiment's cell (its runs, e.g. seeds, share a look) or a
// single run. Keys get slots in the order they first appear, oldest first, and
// the slots are remembered in this browser, so deleting a run recolours nothing.
import { SERIES } from "./palette.js";
import { runLabel } from "./format.js";

const SLOTS_KEY = "lossbench.series";
let slots = load();

function load() {
  try {
    const v = JSON.parse(localStorage.getItem(SLOTS_KEY) ?? "null");
    return v && typeof v === "object" && !Array.isArray(v) ? v : {};
  } catch {
    return {};
  }
}

function save() {
  try {
    localStorage.setItem(SLOTS_KEY, JSON.stringify(slots));
  } catch {
    // Not remembered: the order of creation still gives the same slots.
  }
}

/** What a run's line stands for. */
export function seriesKey(run) {
  return run.experimentId ? `${run.experimentId}|${runLabel(run)}` : run.id;
}

/**
 * Gives every key among `runs` a slot (new keys after all known ones, oldest
 * run first) and forgets keys no run has any more. Call with all runs.
 */
export function assignSlots(runs) {
  const byAge = [...runs].sort((a, b) => String(a.id).localeCompare(String(b.id)));
  const live = new Set();
  let next = Math.max(-1, ...Object.values(slots)) + 1;
  let dirty = false;
  for (const run of byAge) {
    const key = seriesKey(run);
    live.add(key);
    if (!(key in slots)) {
      slots[key] = next++;
      dirty = true;
    }
  }
  for (const key of Object.keys(slots)) {
    if (!live.has(key)) {
      delete slots[key];
      dirty = true;
    }
  }
  if (dirty) save();
}

/**
 * The look of slot `i`: the first eight pair colours with their own dash and
 * marker; after that the pairing shifts, so 64 slots all look different.
 */
export function styleOfSlot(i) {
  const n = SERIES.length;
  const c = SERIES[i % n];
  const d = SERIES[(i + Math.floor(i / n)) % n];
  return { color: c.color, dash: d.dash, point: d.point };
}

/** A run's look (after assignSlots has seen it). */
export function styleOf(run) {
  const slot = slots[seriesKey(run)];
  return styleOfSlot(Number.isInteger(slot) ? slot : 0);
}

/** For tests: forget every slot. */
export function resetSlots() {
  slots = {};
  save();
}
