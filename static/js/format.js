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

/** A focal run's γ: in `params` since the loss plug-ins, at the top level before. */
export function gammaOf(config) {
  return config?.params?.gamma ?? config?.gamma;
}

/** "CE", "L1", "focal γ=2": how the report names its lines. */
export function lossLabel(config) {
  if (!config) return "?";
  if (config.loss === "focal") return `focal γ=${gammaOf(config) ?? 2}`;
  return String(config.loss).toUpperCase();
}

/** The run's name: the service's label ("focal γ=2 · noise sym 40%") when it sends one. */
export function runLabel(run) {
  return typeof run?.label === "string" && run.label ? run.label : lossLabel(run?.config);
}

/** A long text cut at a word boundary near `n` characters, with "…". */
export function shorten(text, n = 80) {
  const s = String(text ?? "").replace(/\s+/g, " ").trim();
  if (s.length <= n) return s;
  const cut = s.lastIndexOf(" ", n - 1);
  return `${s.slice(0, cut > n / 2 ? cut : n - 1).replace(/[\s.,;:]+$/, "")}…`;
}

/** A loss's parameters as text: "γ=2". Before plug-ins only focal had one. */
export function paramsText(config) {
  const p = config?.params && typeof config.params === "object"
    ? config.params
    : config?.loss === "focal" && config?.gamma !== undefined
    ? { gamma: config.gamma }
    : {};
  return Object.entries(p)
    .map(([k, v]) => `${k === "gamma" ? "γ" : k}=${v}`)
    .join(" ");
}

/** A run's train-split condition as text: "noise symmetric 40% · imbalance exp ×10". */
export function conditionText(config) {
  const c = config?.condition;
  if (!c || typeof c !== "object") return "";
  const parts = [];
  if (c.labelNoise) parts.push(`noise ${c.labelNoise.kind} ${pct(c.labelNoise.rate, 0)}`);
  if (c.imbalance) parts.push(`imbalance ${c.imbalance.profile} ×${c.imbalance.ratio}`);
  return parts.join(" · ");
}

/**
 * The hyperparameters, in the order the settings view, the diff and the CSV
 * export show them. `get` returns a string or number; "" means unset.
 */
export const SETTINGS = [
  { key: "loss", label: "Loss", get: (c) => c.loss ?? "" },
  { key: "params", label: "Loss params", get: paramsText },
  { key: "condition", label: "Condition", get: conditionText },
  { key: "data", label: "Data", get: (c) => c.data ?? "" },
  { key: "model", label: "Model", get: (c) => c.model ?? "" },
  { key: "epochs", label: "Epochs", get: (c) => c.epochs ?? "", num: true },
  { key: "batchSize", label: "Batch", get: (c) => c.batchSize ?? "", num: true },
  { key: "lr", label: "LR", get: (c) => c.lr ?? "", num: true },
  { key: "momentum", label: "Momentum", get: (c) => c.momentum ?? "", num: true },
  { key: "stepSize", label: "LR step", get: (c) => c.stepSize ?? "", num: true },
  { key: "stepGamma", label: "Step factor", get: (c) => c.stepGamma ?? "", num: true },
  { key: "valFraction", label: "Val fraction", get: (c) => c.valFraction ?? "", num: true },
  { key: "seed", label: "Seed", get: (c) => c.seed ?? "", num: true },
  { key: "trainLimit", label: "Train images", get: (c) => c.trainLimit ?? "", num: true },
  { key: "testLimit", label: "Test images", get: (c) => c.testLimit ?? "", num: true },
  { key: "backend", label: "Backend", get: (c) => c.backend ?? "" },
];

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

export function pct(x, digits = 1) {
  return typeof x === "number" && Number.isFinite(x) ? `${(x * 100).toFixed(digits)}%` : "–";
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
