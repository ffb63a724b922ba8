// @ts-check
// The start form's condition row, built from GET /api/conditions: per stage
// (imbalance, label noise, …) a select of its kinds ("none" first) and the
// chosen kind's fields as inputs, from the kind's JSON Schema (numbers with
// their bounds, strings with an example). A new kind on the server is a new
// option here with nothing to change. The row keeps its parts in `row.$`.
import { h } from "./format.js";
import { paramAttrs } from "./grid-text.js";

/**
 * @typedef {{name: string, title: string, description?: string,
 *   schema: {properties?: Record<string, any>, required?: string[]}}} KindSpec
 * @typedef {{key: string, by: string, title: string, kinds: KindSpec[]}} StageSpec
 * @typedef {Record<string, Record<string, unknown>>} ConditionValue  {labelNoise: {kind, rate}, …}
 * @typedef {{spec: StageSpec, select: HTMLSelectElement, fields: HTMLElement,
 *   typed: Record<string, string>}} StagePart
 * @typedef {HTMLDivElement & {$: {stages: StagePart[], remove: HTMLButtonElement,
 *   error: HTMLElement, value: ConditionValue}}} ConditionRow
 */

/** A kind's fields besides the discriminator: [name, JSON Schema]. @param {StagePart} part */
function fieldsOf(part) {
  const kind = part.spec.kinds.find((k) => k.name === part.select.value);
  return Object.entries(kind?.schema?.properties ?? {}).filter(([k]) => k !== part.spec.by);
}

/** @param {StagePart} part */
function fillFields(part) {
  part.fields.replaceChildren(
    ...fieldsOf(part).map(([name, prop]) => {
      const numeric = prop.type === "number" || prop.type === "integer";
      const input = numeric
        ? h("input", { ...paramAttrs(prop), inputMode: "decimal" })
        : h("input", { type: "text", size: 10, spellcheck: false });
      input.dataset.param = name;
      input.title = prop.description ?? "";
      const typed = part.typed[name] ?? prop.examples?.[0];
      if (typed !== undefined) input.value = String(typed);
      return h("label", { className: "param" }, `${name} `, input);
    }),
  );
}

/**
 * @param {ConditionValue} value  the row's condition, e.g. {labelNoise: {kind: "symmetric", rate: 0.4}}
 * @param {StageSpec[]} stages  the catalog's stages, in composition order
 * @param {import("./grid-rows.js").RowHooks} hooks
 * @returns {ConditionRow}
 */
export function conditionRow(value, stages, hooks) {
  const remove = h("button", { type: "button", className: "small remove" }, "×");
  const error = h("span", { className: "error row-error" });
  const parts = stages.map((spec) => {
    const select = h(
      "select",
      { className: "cond-kind" },
      h("option", { value: "" }, `no ${spec.title.toLowerCase()}`),
      ...spec.kinds.map((k) => h("option", { value: k.name, title: k.description ?? "" }, k.title)),
    );
    select.dataset.stage = spec.key;
    const fields = h("span", { className: "cond-fields" });
    /** @type {StagePart} */
    const part = { spec, select, fields, typed: {} };
    const given = value[spec.key];
    if (given) {
      const kind = String(given[spec.by] ?? "");
      // A kind this server doesn't have stays visible (the API will name it).
      if (!spec.kinds.some((k) => k.name === kind)) {
        select.append(h("option", { value: kind }, kind));
      }
      select.value = kind;
      for (const [k, v] of Object.entries(given)) if (k !== spec.by) part.typed[k] = String(v);
    }
    fillFields(part);
    select.addEventListener("change", () => {
      for (const input of fields.querySelectorAll("input")) {
        part.typed[input.dataset.param ?? ""] = input.value;
      }
      fillFields(part);
      hooks.clear(row);
      hooks.changed();
    });
    fields.addEventListener("input", () => hooks.clear(row));
    return part;
  });
  const row = /** @type {ConditionRow} */ (h(
    "div",
    { className: "grid-row condition-row" },
    ...parts.map((p) => {
      const span = h("span", { className: "cond-part" }, p.select, p.fields);
      span.dataset.stage = p.spec.key;
      return span;
    }),
    remove,
    error,
  ));
  row.$ = { stages: parts, remove, error, value };
  remove.addEventListener("click", () => {
    row.remove();
    hooks.removed();
  });
  return row;
}

/**
 * The row as typed, for saving and rebuilding: each chosen stage's kind and its
 * fields (numbers where the input holds one, else the text).
 * @param {ConditionRow} row @returns {ConditionValue}
 */
export function readCondition(row) {
  /** @type {ConditionValue} */
  const out = {};
  for (const { spec, select, fields } of row.$.stages) {
    if (!select.value) continue;
    /** @type {Record<string, unknown>} */
    const c = { [spec.by]: select.value };
    for (const input of fields.querySelectorAll("input")) {
      const v = input.value.trim();
      c[input.dataset.param ?? ""] = input.type === "number" && v !== "" ? Number(v) : v;
    }
    out[spec.key] = c;
  }
  // Stages the catalog doesn't list (yet) keep what the row came with.
  for (const [k, v] of Object.entries(row.$.value)) {
    if (!row.$.stages.some((p) => p.spec.key === k)) out[k] = v;
  }
  return out;
}
