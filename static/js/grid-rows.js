// @ts-check
// The start form's rows: a loss row (the loss, its parameters as inputs with
// the catalog's defaults and bounds) and a condition row (label noise and/or
// class imbalance). Each row keeps its parts in `row.$`.
import { h } from "./format.js";
import { paramAttrs, paramName } from "./grid-text.js";

/** @typedef {import("./grid-text.js").LossSpec} LossSpec */
/**
 * @typedef {HTMLDivElement & {$: {select: HTMLSelectElement, params: HTMLElement,
 *   remove: HTMLButtonElement, error: HTMLElement, loss: string,
 *   values: Record<string, unknown>}}} LossRow
 * @typedef {HTMLDivElement & {$: {noise: HTMLSelectElement, rate: HTMLInputElement,
 *   set: HTMLInputElement, imbalance: HTMLSelectElement, ratio: HTMLInputElement, remove: HTMLButtonElement,
 *   error: HTMLElement}}} ConditionRow
 * @typedef {{clear: (row: LossRow | ConditionRow) => void, changed: () => void,
 *   removed: () => void}} RowHooks  an input edited (its error goes), the grid changed, a row went
 */

/**
 * @param {{loss: string, params?: Record<string, unknown>}} value
 * @param {() => LossSpec[]} catalog  the losses the server offers
 * @param {RowHooks} hooks
 * @returns {LossRow}
 */
export function lossRow(value, catalog, hooks) {
  const select = h("select", { className: "loss-name" });
  const params = h("span", { className: "params" });
  const remove = h("button", { type: "button", className: "small remove" }, "×");
  const error = h("span", { className: "error row-error" });
  const row = /** @type {LossRow} */ (
    h("div", { className: "grid-row loss-row" }, select, params, remove, error)
  );
  // The params it came with: kept for a loss the catalog hasn't described yet.
  row.$ = { select, params, remove, error, loss: value.loss, values: { ...value.params } };
  fillLossOptions(row, catalog(), value.loss);
  select.addEventListener("change", () => {
    fillParams(row, catalog(), {});
    hooks.clear(row);
    hooks.changed();
  });
  remove.addEventListener("click", () => {
    row.remove();
    hooks.removed();
  });
  params.addEventListener("input", () => hooks.clear(row));
  fillParams(row, catalog(), value.params ?? {});
  return row;
}

/** @param {LossRow} row @param {LossSpec[]} losses @param {string} want */
function fillLossOptions(row, losses, want) {
  const { select } = row.$;
  const names = losses.map((l) => l.name);
  select.replaceChildren(
    ...losses.map((l) => h("option", { value: l.name }, `${l.name} — ${l.title}`)),
  );
  // A saved loss this server doesn't have stays visible (the API will name it).
  if (want && !names.includes(want)) select.append(h("option", { value: want }, want));
  select.value = want ?? names[0];
}

/** @param {LossRow} row @param {LossSpec[]} losses @param {Record<string, unknown>} values */
function fillParams(row, losses, values) {
  const spec = losses.find((l) => l.name === row.$.select.value);
  const props = spec?.params?.properties ?? {};
  row.$.params.replaceChildren(
    ...Object.entries(props).map(([name, prop]) => {
      const input = h("input", { ...paramAttrs(prop), inputMode: "decimal" });
      input.dataset.param = name;
      if (values[name] !== undefined) input.value = String(values[name]);
      return h("label", { className: "param" }, `${paramName(name)} `, input);
    }),
  );
  if (!Object.keys(props).length) {
    row.$.params.append(h("span", { className: "hint" }, "no parameters"));
  }
}

/** The row as typed: its loss and parameters (strings, as in the inputs). @param {LossRow} row */
export function readLoss(row) {
  /** @type {Record<string, unknown>} */
  const params = row.$.select.value === row.$.loss ? { ...row.$.values } : {};
  for (const input of row.$.params.querySelectorAll("input")) {
    params[input.dataset.param ?? ""] = input.value;
  }
  return { loss: row.$.select.value, params };
}

/**
 * @param {{labelNoise?: {kind: string, rate?: number, set?: string, like?: string},
 *   imbalance?: {profile: string, ratio: number}}} value
 * @param {RowHooks} hooks
 * @returns {ConditionRow}
 */
export function conditionRow(value, hooks) {
  const noise = h(
    "select",
    { className: "noise-kind" },
    h("option", { value: "" }, "no label noise"),
    h("option", { value: "symmetric" }, "symmetric noise"),
    h("option", { value: "asymmetric" }, "asymmetric noise"),
    h("option", { value: "human" }, "human noise (a label set)"),
    h("option", { value: "matrix" }, "matrix twin of a label set"),
  );
  // Human noise and its twin name one of the data set's label sets (GET /api/datasets).
  const set = h("input", {
    type: "text",
    className: "noise-set",
    value: "worse",
    size: 8,
    spellcheck: false,
  });
  set.dataset.param = "set";
  const rate = h("input", {
    type: "number",
    className: "noise-rate",
    min: "0",
    max: "0.99",
    step: "any",
    value: "0.4",
    inputMode: "decimal",
  });
  rate.dataset.param = "rate";
  const imbalance = h(
    "select",
    { className: "imbalance-profile" },
    h("option", { value: "" }, "balanced"),
    h("option", { value: "exp" }, "long-tailed (exp)"),
    h("option", { value: "step" }, "step imbalance"),
  );
  const ratio = h("input", {
    type: "number",
    className: "imbalance-ratio",
    min: "1",
    step: "any",
    value: "100",
    inputMode: "decimal",
  });
  ratio.dataset.param = "ratio";
  const remove = h("button", { type: "button", className: "small remove" }, "×");
  const error = h("span", { className: "error row-error" });
  const row = /** @type {ConditionRow} */ (h(
    "div",
    { className: "grid-row condition-row" },
    h(
      "span",
      { className: "cond-part" },
      noise,
      h("label", { className: "param noise-rate-label" }, "rate ", rate),
      h("label", { className: "param noise-set-label" }, "set ", set),
    ),
    h(
      "span",
      { className: "cond-part" },
      imbalance,
      h("label", { className: "param" }, "ratio ", ratio),
    ),
    remove,
    error,
  ));
  row.$ = { noise, rate, set, imbalance, ratio, remove, error };
  if (value.labelNoise) {
    noise.value = value.labelNoise.kind;
    if (value.labelNoise.rate !== undefined) rate.value = String(value.labelNoise.rate);
    const name = value.labelNoise.set ?? value.labelNoise.like?.replace(/^human:/, "");
    if (name !== undefined) set.value = name;
  }
  if (value.imbalance) {
    imbalance.value = value.imbalance.profile;
    ratio.value = String(value.imbalance.ratio);
  }
  const sync = () => {
    const bySet = noise.value === "human" || noise.value === "matrix";
    rate.disabled = !noise.value || bySet;
    set.disabled = !bySet;
    /** @type {HTMLElement} */ (rate.parentElement).hidden = bySet;
    /** @type {HTMLElement} */ (set.parentElement).hidden = !bySet;
    ratio.disabled = !imbalance.value;
  };
  sync();
  for (const el of [noise, imbalance]) {
    el.addEventListener("change", () => {
      sync();
      hooks.clear(row);
      hooks.changed();
    });
  }
  for (const el of [rate, set, ratio]) el.addEventListener("input", () => hooks.clear(row));
  remove.addEventListener("click", () => {
    row.remove();
    hooks.removed();
  });
  return row;
}
