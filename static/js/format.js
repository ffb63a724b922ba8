// Small display helpers shared by the table, the charts and the progress bars.

export const CIFAR10_CLASSES = [
  "airplane",
  "automobile",
  "bird",
  "cat",
  "deer",
  "dog",
  "frog",
  "horse",
  "ship",
  "truck",
];

export const ACTIVE = new Set(["queued", "running"]);

/** "CE", "L1", "focal γ=2": how the report names its lines. */
export function lossLabel(config) {
  if (!config) return "?";
  if (config.loss === "focal") return `focal γ=${config.gamma ?? 2}`;
  return String(config.loss).toUpperCase();
}

export function shortId(id) {
  return String(id).slice(-4);
}

/** Class names for a run: the service's if it sends them, else a best guess. */
export function classNames(run, size) {
  const given = run?.classes ?? run?.dataset?.classes;
  if (Array.isArray(given) && given.length === size) return given.map(String);
  if (run?.config?.data === "cifar10" && size === 10) return CIFAR10_CLASSES;
  return Array.from({ length: size }, (_, i) => String(i));
}

export function fixed(x, digits = 3) {
  return typeof x === "number" && Number.isFinite(x) ? x.toFixed(digits) : "–";
}

export function pct(x) {
  return typeof x === "number" && Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : "–";
}

export function int(x) {
  return typeof x === "number" && Number.isFinite(x) ? Math.round(x).toLocaleString("en") : "–";
}

/** 75 → "1m 15s", 3700 → "1h 2m". */
export function duration(seconds) {
  if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0) return "–";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

export function time(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "" : d.toLocaleString();
}

/** The settings that distinguish runs, compactly. */
export function settingsText(c) {
  if (!c) return "";
  const parts = [
    c.data,
    `${c.epochs} ep`,
    `bs ${c.batchSize}`,
    `lr ${c.lr}`,
    `mom ${c.momentum}`,
    `step ${c.stepSize}×${c.stepGamma}`,
    `seed ${c.seed}`,
  ];
  if (c.trainLimit) parts.push(`train ${c.trainLimit}`);
  if (c.testLimit) parts.push(`test ${c.testLimit}`);
  if (c.backend && c.backend !== "auto") parts.push(c.backend);
  return parts.join(" · ");
}

/** Creates an element: h("td", {className: "x"}, "text", child). */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k.startsWith("data-") || k.startsWith("aria-") || k === "role") el.setAttribute(k, v);
    else el[k] = v;
  }
  for (const c of children) if (c != null) el.append(c);
  return el;
}
