// @ts-check
// The start form's pure helpers (tested without a browser): seed lists, the
// grid's size, a loss parameter's input attributes and name, and where each
// of the API's validation messages belongs.

/** @typedef {{name: string, title: string, params?: {properties?: Record<string, any>}}} LossSpec */
/** @typedef {{name: string, title: string, params?: number, flopsPerImage?: number, description?: string}} ModelSpec */
/** @typedef {{target: string, param?: string, text: string}} Problem */

/**
 * Used until /api/losses answers (or if it never does): the report's three.
 * @type {LossSpec[]}
 */
export const FALLBACK_LOSSES = [
  { name: "l1", title: "L1 (the report's)", params: { properties: {} } },
  { name: "ce", title: "Cross-entropy", params: { properties: {} } },
  {
    name: "focal",
    title: "Focal loss",
    params: { properties: { gamma: { default: 2, type: "number", minimum: 0, maximum: 20 } } },
  },
];
/**
 * Used until /api/conditions answers: the two stages with their first kinds.
 * @type {import("./condition-row.js").StageSpec[]}
 */
export const FALLBACK_CONDITIONS = [
  {
    key: "imbalance",
    by: "profile",
    title: "Class imbalance",
    kinds: [{
      name: "exp",
      title: "long-tailed (exp)",
      schema: {
        properties: { profile: {}, ratio: { type: "number", minimum: 1, examples: [100] } },
      },
    }],
  },
  {
    key: "labelNoise",
    by: "kind",
    title: "Label noise",
    kinds: ["symmetric", "asymmetric"].map((name) => ({
      name,
      title: `${name} noise`,
      schema: {
        properties: {
          kind: {},
          rate: { type: "number", minimum: 0, exclusiveMaximum: 1, examples: [0.4] },
        },
      },
    })),
  },
];
/** @type {ModelSpec[]} */
export const FALLBACK_MODELS = [{ name: "convnet", title: "ConvNet (the report's)" }];

/** The report's comparison: what "Start" sends when the rows are left as they come. */
export const REPORT_LOSSES = [
  { loss: "l1", params: {} },
  { loss: "ce", params: {} },
  { loss: "focal", params: { gamma: 0.5 } },
  { loss: "focal", params: { gamma: 2 } },
];

/** @type {Record<string, string>} */
const GREEK = { gamma: "γ", epsilon: "ε", alpha: "α", beta: "β" };
/** "γ" for gamma: a parameter's name on its input. @param {string} p */
export const paramName = (p) => GREEK[p] ?? p;

/**
 * A number input's attributes from a JSON Schema property: default, and the
 * bounds (an exclusive bound becomes min/max too; the API refuses the edge
 * itself with a message that names the field).
 * @param {Record<string, any>} prop
 * @returns {Record<string, string>}
 */
export function paramAttrs(prop) {
  const lo = prop.minimum ?? prop.exclusiveMinimum;
  const hi = prop.maximum ?? prop.exclusiveMaximum;
  /** @type {Record<string, string>} */
  const attrs = { type: "number", step: prop.type === "integer" ? "1" : "any" };
  if (lo !== undefined) attrs.min = String(lo);
  if (hi !== undefined) attrs.max = String(hi);
  if (prop.default !== undefined) attrs.value = String(prop.default);
  return attrs;
}

/**
 * "1, 2, 3", "1-5" or "1 2 7-9" → [1, 2, 3, …]; throws with a message on anything else.
 * @param {string} text @returns {number[]}
 */
export function parseSeeds(text) {
  const out = [];
  for (const part of String(text).split(/[\s,]+/).filter(Boolean)) {
    const m = /^(\d+)(?:\s*[-–]\s*(\d+))?$/.exec(part);
    if (!m) throw new Error(`"${part}" is not a seed (whole numbers, e.g. 1, 2, 3 or 1-5)`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw new Error(`"${part}": a range goes up`);
    if (b - a >= 100) throw new Error(`"${part}": at most 100 seeds`);
    for (let s = a; s <= b; s++) out.push(s);
  }
  if (!out.length) throw new Error("give at least one seed");
  return out;
}

/** @typedef {{losses: number, conditions: number, models: number, seeds: number}} GridCounts */

/** Runs in a grid: losses × conditions × models × seeds. @param {GridCounts} n */
export function gridSize({ losses, conditions, models, seeds }) {
  return losses * conditions * models * seeds;
}

/** @param {number} n @param {string} word */
const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** "4 losses × 1 condition × 1 model × 3 seeds = 12 runs". @param {GridCounts} n */
export function gridText(n) {
  return `${plural(n.losses, "loss").replace("losss", "losses")} × ` +
    `${plural(n.conditions, "condition")} × ${plural(n.models, "model")} × ` +
    `${plural(n.seeds, "seed")} = ${plural(gridSize(n), "run")}`;
}

/**
 * Where each part of a validation message ("; "-separated) belongs:
 * [{target, param?, text}], target being a shared setting's name (when in
 * `settings`), "losses.i", "conditions.i", "models", "seeds" or "" (the form's
 * general line). Experiments name rows ("losses.0: gce: params.q: …",
 * "conditions.1.labelNoise.rate: …"); a single run names its loss
 * ("focal: params.gamma: …") and "condition.…", "model", "seed".
 * @param {string} message @param {Set<string>} settings
 * @returns {Problem[]}
 */
export function errorTargets(message, settings) {
  /** @type {Problem[]} */
  const out = [];
  for (const part of String(message).split("; ")) {
    // "unknown loss "x"; use one of: …": the hint belongs to the message before it.
    if (/^use one of: /.test(part) && out.length) {
      out[out.length - 1].text += `; ${part}`;
      continue;
    }
    let m;
    if ((m = /^losses\.(\d+)(?:\.(\w+))?: (.*)$/s.exec(part))) {
      const p = /^\w+: params\.(\w+): (.*)$/s.exec(m[3]);
      out.push(
        p
          ? { target: `losses.${m[1]}`, param: p[1], text: `${paramName(p[1])}: ${p[2]}` }
          : { target: `losses.${m[1]}`, param: m[2] === "loss" ? "loss" : undefined, text: m[3] },
      );
    } else if (
      (m = /^conditions?(?:\.(\d+))?(?:\.(\w+)(?:\.(\w+))?)?: (.*)$/s
        .exec(part))
    ) {
      const param = m[3] ?? m[2];
      out.push({ target: `conditions.${m[1] ?? 0}`, param, text: m[4] });
    } else if ((m = /^models?(?:\.\d+)?: (.*)$/s.exec(part))) {
      out.push({ target: "models", text: m[1] });
    } else if ((m = /^(?:seeds?|repeats)(?:\.\d+)?: (.*)$/s.exec(part))) {
      out.push({ target: "seeds", text: part.startsWith("repeats") ? `repeats: ${m[1]}` : m[1] });
    } else if ((m = /^(\w+): (.*)$/s.exec(part)) && settings.has(m[1])) {
      out.push({ target: m[1], text: m[2] });
    } else if ((m = /^(?:(\w+): )?params\.(\w+): (.*)$/s.exec(part))) {
      out.push({ target: "losses.0", param: m[2], text: `${paramName(m[2])}: ${m[3]}` });
    } else if ((m = /^loss: (.*)$/s.exec(part))) {
      out.push({ target: "losses.0", param: "loss", text: m[1] });
    } else {
      out.push({ target: "", text: part });
    }
  }
  return out;
}

/** 9986 → "10k", 1706496 → "1.7M". @param {unknown} n */
export function compact(n) {
  if (typeof n !== "number" || !Number.isFinite(n)) return "?";
  if (n >= 1e6) return `${Number((n / 1e6).toPrecision(2))}M`;
  if (n >= 1e3) return `${Number((n / 1e3).toPrecision(2))}k`;
  return String(n);
}
