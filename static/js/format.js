// @ts-check
// Small display helpers shared by the table, the charts and the progress bars.

export const ACTIVE = new Set(["queued", "running"]);

/**
 * The run's name as the service gives it ("focal γ=2 · sym noise 40%": its
 * cell's label). The page never rebuilds it from the config.
 * @param {{label: string}} run
 */
export function runLabel(run) {
  return run.label;
}

/** A long text cut at a word boundary near `n` characters, with "…". */
/** @param {unknown} text */
export function shorten(text, n = 80) {
  const s = String(text ?? "").replace(/\s+/g, " ").trim();
  if (s.length <= n) return s;
  const cut = s.lastIndexOf(" ", n - 1);
  return `${s.slice(0, cut > n / 2 ? cut : n - 1).replace(/[\s.,;:]+$/, "")}…`;
}

/**
 * A config field's value as stored, flattened: {gamma: 2} → "gamma=2",
 * {labelNoise: {kind: "symmetric", rate: 0.4}} → "labelNoise.kind=symmetric
 * labelNoise.rate=0.4"; "" for none. The settings view, the diff and the
 * export show the values themselves; the run's label names them for people.
 * @param {unknown} value
 * @returns {string}
 */
export function fieldsText(value, prefix = "") {
  if (value === undefined || value === null) return "";
  if (typeof value !== "object") return prefix ? `${prefix}=${value}` : String(value);
  return Object.entries(value)
    .map(([k, v]) => fieldsText(v, prefix ? `${prefix}.${k}` : k))
    .filter(Boolean)
    .join(" ");
}

/** @typedef {{key: string, label: string, get: (c: Record<string, any>) => string | number, num?: boolean}} Setting */

/**
 * The hyperparameters, in the order the settings view, the diff and the CSV
 * export show them. `get` returns a string or number; "" means unset.
 */
/** @type {Setting[]} */
export const SETTINGS = [
  { key: "loss", label: "Loss", get: (c) => c.loss ?? "" },
  { key: "params", label: "Loss params", get: (c) => fieldsText(c.params) },
  { key: "condition", label: "Condition", get: (c) => fieldsText(c.condition) },
  { key: "data", label: "Data", get: (c) => c.data ?? "" },
  { key: "model", label: "Model", get: (c) => c.model ?? "" },
  { key: "epochs", label: "Epochs", get: (c) => c.epochs ?? "", num: true },
  { key: "batchSize", label: "Batch", get: (c) => c.batchSize ?? "", num: true },
  { key: "lr", label: "LR", get: (c) => c.lr ?? "", num: true },
  { key: "momentum", label: "Momentum", get: (c) => c.momentum ?? "", num: true },
  { key: "stepSize", label: "LR step", get: (c) => c.stepSize ?? "", num: true },
  { key: "stepGamma", label: "Step factor", get: (c) => c.stepGamma ?? "", num: true },
  { key: "schedule", label: "Schedule", get: (c) => c.schedule ?? "" },
  { key: "warmupEpochs", label: "Warmup", get: (c) => c.warmupEpochs ?? "", num: true },
  { key: "weightDecay", label: "Weight decay", get: (c) => c.weightDecay ?? "", num: true },
  { key: "gradClip", label: "Grad clip", get: (c) => c.gradClip ?? "", num: true },
  { key: "valFraction", label: "Val fraction", get: (c) => c.valFraction ?? "", num: true },
  { key: "seed", label: "Seed", get: (c) => c.seed ?? "", num: true },
  { key: "trainLimit", label: "Train images", get: (c) => c.trainLimit ?? "", num: true },
  { key: "testLimit", label: "Test images", get: (c) => c.testLimit ?? "", num: true },
  { key: "backend", label: "Backend", get: (c) => c.backend ?? "" },
];

/** The last 4 characters of an id. @param {string} id */
export function shortId(id) {
  return String(id).slice(-4);
}

/**
 * Class names for a run: the service's (it records them as the run starts, so every run with a
 * confusion matrix has them), else the label indices.
 */
/** @param {Record<string, any> | undefined} run @param {number} size @returns {string[]} */
export function classNames(run, size) {
  const given = run?.classes ?? run?.dataset?.classes;
  if (Array.isArray(given) && given.length === size) return given.map(String);
  return Array.from({ length: size }, (_, i) => String(i));
}

/** @param {unknown} x */
export function fixed(x, digits = 3) {
  return typeof x === "number" && Number.isFinite(x) ? x.toFixed(digits) : "–";
}

/** @param {unknown} x */
export function pct(x, digits = 1) {
  return typeof x === "number" && Number.isFinite(x) ? `${(x * 100).toFixed(digits)}%` : "–";
}

/** @param {unknown} x */
export function int(x) {
  return typeof x === "number" && Number.isFinite(x) ? Math.round(x).toLocaleString("en") : "–";
}

/** 75 → "1m 15s", 3700 → "1h 2m". @param {unknown} seconds */
export function duration(seconds) {
  if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0) return "–";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

/** @param {string | undefined} iso */
export function time(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "" : d.toLocaleString();
}

/**
 * The lr schedule, compactly: "step 10×0.5", "cosine", "cosine, warmup 2".
 * @param {Record<string, any>} c a run's config or an experiment's settings
 */
export function scheduleText(c) {
  if (c.schedule !== "cosine") return `step ${c.stepSize}×${c.stepGamma}`;
  return c.warmupEpochs ? `cosine, warmup ${c.warmupEpochs}` : "cosine";
}

/** The settings that distinguish runs, compactly. @param {Record<string, any> | undefined} c */
export function settingsText(c) {
  if (!c) return "";
  const parts = [
    c.data,
    `${c.epochs} ep`,
    `bs ${c.batchSize}`,
    `lr ${c.lr}`,
    `mom ${c.momentum}`,
    scheduleText(c),
    `seed ${c.seed}`,
  ];
  if (c.weightDecay) parts.push(`wd ${c.weightDecay}`);
  if (c.gradClip !== undefined) parts.push(`clip ${c.gradClip}`);
  if (c.trainLimit) parts.push(`train ${c.trainLimit}`);
  if (c.testLimit) parts.push(`test ${c.testLimit}`);
  if (c.backend && c.backend !== "auto") parts.push(c.backend);
  return parts.join(" · ");
}

/**
 * Creates an element: h("td", {className: "x"}, "text", child).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, any>} [props]  properties; data-*, aria-* and role as attributes
 * @param {...(Node | string | null | undefined)} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k.startsWith("data-") || k.startsWith("aria-") || k === "role") el.setAttribute(k, v);
    else Object.assign(el, { [k]: v });
  }
  for (const c of children) if (c != null) el.append(c);
  return el;
}

/**
 * The page's element `sel`, which the page always has (a missing one is a bug, said so).
 * @template {HTMLElement} [T=HTMLElement]
 * @param {string} sel @returns {T}
 */
export function $(sel) {
  const el = document.querySelector(sel);
  if (!el) throw new Error(`the page has no ${sel}`);
  return /** @type {T} */ (el);
}
