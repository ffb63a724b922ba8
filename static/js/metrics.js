// @ts-check
// The metric registry as the service serves it (GET /api/metrics): each
// metric's title, unit, direction, whether the statistics cover it and its CSV
// column. The page spells no metric's name or unit itself: every view asks
// here, and a metric the registry lacks is an error, not a guess.
import { api } from "./api.js";
import { fixed, pct } from "./format.js";
import { state } from "./state.js";

/**
 * @typedef {object} MetricInfo
 * @property {string} name  the epoch field, e.g. "testAcc"
 * @property {string} title  what the statistics' verdicts call it, e.g. "test accuracy"
 * @property {"fraction" | "value"} unit  fractions are shown in percent
 * @property {"higher" | "lower"} direction  which way is better
 * @property {boolean} stats  whether experiment statistics cover it
 * @property {string} csv  its column in the CSV exports
 */

/** Fetches the registry into the store (once per page). */
export async function loadMetrics() {
  setMetrics(await api.metrics());
}

/**
 * Puts GET /api/metrics's answer into the store, checking its shape.
 * @param {unknown} body
 */
export function setMetrics(body) {
  const list = /** @type {{metrics?: unknown}} */ (body ?? {}).metrics;
  if (!Array.isArray(list)) {
    throw new Error("GET /api/metrics: no metrics list");
  }
  /** @type {Map<string, MetricInfo>} */
  const map = new Map();
  for (const m of list) {
    const ok = m && typeof m.name === "string" && typeof m.title === "string" &&
      (m.unit === "fraction" || m.unit === "value") &&
      (m.direction === "higher" || m.direction === "lower") &&
      typeof m.stats === "boolean" && typeof m.csv === "string";
    if (!ok) {
      throw new Error(`GET /api/metrics: malformed entry ${JSON.stringify(m)}`);
    }
    map.set(m.name, m);
  }
  state.metrics = map;
}

/**
 * @param {string} name
 * @returns {MetricInfo}
 */
export function metric(name) {
  const m = state.metrics.get(name);
  if (!m) throw new Error(`unknown metric "${name}" (not in GET /api/metrics)`);
  return m;
}

/** Whether the registry knows `name`. @param {string} name */
export const hasMetric = (name) => state.metrics.has(name);

/** "test accuracy". @param {string} name */
export const metricTitle = (name) => metric(name).title;

/** "Test accuracy", for headings. @param {string} name */
export function metricHeading(name) {
  const t = metric(name).title;
  return t.charAt(0).toUpperCase() + t.slice(1);
}

/** Fractions (accuracies, F1) are shown in percent. @param {string} name */
export const isFraction = (name) => metric(name).unit === "fraction";

/**
 * A value in its metric's unit: "14.8%" for a fraction, "0.0437" otherwise; "–" for none.
 * @param {string} name @param {unknown} value
 */
export function metricText(name, value) {
  return isFraction(name) ? pct(value) : fixed(value, 4);
}

/** @param {string} name */
export const lowerIsBetter = (name) => metric(name).direction === "lower";

/** Names of the metrics that experiment statistics cover, in the registry's order. */
export const statMetrics = () =>
  [...state.metrics.values()].filter((m) => m.stats).map((m) => m.name);
