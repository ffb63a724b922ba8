// @ts-check
// The start form's loss row: the loss, its parameters as inputs with the
// catalog's defaults and bounds (the condition row is js/condition-row.js).
// The row keeps its parts in `row.$`.
import { h } from "./format.js";
import { paramAttrs, paramName } from "./grid-text.js";

/** @typedef {import("./grid-text.js").LossSpec} LossSpec */
/**
 * @typedef {HTMLDivElement & {$: {select: HTMLSelectElement, params: HTMLElement,
 *   remove: HTMLButtonElement, error: HTMLElement, loss: string,
 *   values: Record<string, unknown>}}} LossRow
 * @typedef {import("./condition-row.js").ConditionRow} ConditionRow
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
