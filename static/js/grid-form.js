// @ts-check
// The grid part of the start form: loss rows (each loss's parameters from
// /api/losses, defaults filled, bounds on the inputs; js/grid-rows.js),
// condition rows (each stage's kinds and fields from /api/conditions;
// js/condition-row.js) and model checkboxes (from /api/models). The rows are
// read and marked by js/grid-values.js; the pure helpers the form and its tests
// share (seed lists, the grid's size, where the API's messages belong) are
// js/grid-text.js.
import { h } from "./format.js";
import { conditionRow, readCondition } from "./condition-row.js";
import { lossRow, readLoss } from "./grid-rows.js";
import { markRow, rowValues } from "./grid-values.js";
import {
  compact,
  FALLBACK_CONDITIONS,
  FALLBACK_LOSSES,
  FALLBACK_MODELS,
  paramName,
  REPORT_LOSSES,
} from "./grid-text.js";

export {
  compact,
  errorTargets,
  FALLBACK_CONDITIONS,
  FALLBACK_LOSSES,
  FALLBACK_MODELS,
  gridSize,
  gridText,
  paramAttrs,
  paramName,
  parseSeeds,
  REPORT_LOSSES,
} from "./grid-text.js";

/** @typedef {import("./grid-text.js").LossSpec} LossSpec */
/** @typedef {import("./grid-text.js").ModelSpec} ModelSpec */
/** @typedef {import("./grid-text.js").Problem} Problem */
/** @typedef {import("./grid-rows.js").LossRow} LossRow */
/** @typedef {import("./condition-row.js").ConditionRow} ConditionRow */
/** @typedef {import("./condition-row.js").StageSpec} StageSpec */
/** @typedef {import("./condition-row.js").ConditionValue} ConditionValue */

/**
 * Mounts the loss and condition rows and the model boxes in their containers.
 * Returns {setCatalog, values, setValues, counts, showError, clearErrors}.
 * `onChange` is called after any edit (the form updates its grid size line).
 * @param {{lossRows: HTMLElement, addLoss: HTMLElement, conditionRows: HTMLElement,
 *   addCondition: HTMLElement, models: HTMLElement}} parts
 * @param {() => void} [onChange]
 */
export function mountGrid({ lossRows, addLoss, conditionRows, addCondition, models }, onChange) {
  let losses = FALLBACK_LOSSES;
  let modelList = FALLBACK_MODELS;
  let stages = FALLBACK_CONDITIONS;
  const changed = () => onChange?.();

  /** @type {import("./grid-rows.js").RowHooks} */
  const hooks = {
    clear: (row) => clearRow(row),
    changed,
    removed: () => {
      renumber();
      changed();
    },
  };
  /** @param {{loss: string, params?: Record<string, unknown>}} [value] */
  const newLossRow = (value = { loss: "ce", params: {} }) => lossRow(value, () => losses, hooks);
  /** @param {ConditionValue} [value] */
  const newConditionRow = (value = {}) => conditionRow(value, stages, hooks);
  const lossList = () => /** @type {LossRow[]} */ ([...lossRows.children]);
  const conditionList = () => /** @type {ConditionRow[]} */ ([...conditionRows.children]);
  const checkedModels = () =>
    [...models.querySelectorAll("input:checked")].map((b) =>
      /** @type {HTMLInputElement} */ (b).value
    );

  // Models -------------------------------------------------------------------------
  /** @param {string[]} checked */
  function fillModels(checked) {
    const want = new Set(checked);
    models.replaceChildren(
      ...modelList.map((m) => {
        const box = h("input", { type: "checkbox", value: m.name, checked: want.has(m.name) });
        box.addEventListener("change", () => {
          clearModels();
          changed();
        });
        const size = typeof m.params === "number"
          ? `${compact(m.params)} weights, ${compact(m.flopsPerImage)} MACs/image`
          : "";
        return h(
          "label",
          { className: "check model-check", title: m.description ?? "" },
          box,
          h("span", {}, h("strong", {}, m.name), h("span", { className: "sub" }, size)),
        );
      }),
    );
  }
  const modelsError = h("span", { className: "error", id: "e-models" });
  models.after(modelsError);
  function clearModels() {
    modelsError.textContent = "";
  }

  // Numbering, for labels a screen reader can tell apart -----------------------------
  function renumber() {
    lossList().forEach((row, i) => {
      row.dataset.index = String(i);
      row.$.select.setAttribute("aria-label", `Loss ${i + 1}`);
      row.$.remove.setAttribute("aria-label", `Remove loss ${i + 1}`);
      row.$.remove.disabled = lossRows.children.length === 1;
      row.$.error.id = `e-losses-${i}`;
      for (const input of row.$.params.querySelectorAll("input")) {
        input.setAttribute("aria-label", `Loss ${i + 1} ${paramName(input.dataset.param ?? "")}`);
        input.setAttribute("aria-describedby", row.$.error.id);
      }
    });
    conditionList().forEach((row, i) => {
      row.dataset.index = String(i);
      for (const { spec, select, fields } of row.$.stages) {
        select.setAttribute("aria-label", `Condition ${i + 1}: ${spec.title.toLowerCase()}`);
        for (const input of fields.querySelectorAll("input")) {
          input.setAttribute("aria-label", `Condition ${i + 1}: ${input.dataset.param}`);
        }
      }
      row.$.remove.setAttribute("aria-label", `Remove condition ${i + 1}`);
      row.$.remove.disabled = conditionRows.children.length === 1;
      row.$.error.id = `e-conditions-${i}`;
    });
  }

  /** @param {LossRow | ConditionRow} row */
  function clearRow(row) {
    row.$.error.textContent = "";
    for (const el of row.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  }

  addLoss.addEventListener("click", () => {
    const last = lossList().at(-1);
    const row = newLossRow(last ? readLoss(last) : undefined);
    lossRows.append(row);
    renumber();
    changed();
    row.$.select.focus();
  });
  addCondition.addEventListener("click", () => {
    const row = newConditionRow({ labelNoise: { kind: "symmetric", rate: 0.4 } });
    conditionRows.append(row);
    renumber();
    changed();
    row.$.stages.at(-1)?.select.focus();
  });

  /**
   * @param {{losses?: {loss: string, params?: Record<string, unknown>}[],
   *   conditions?: ConditionValue[], models?: string[]}} saved
   */
  function setValues({ losses: ls, conditions, models: ms }) {
    lossRows.replaceChildren(...(ls?.length ? ls : REPORT_LOSSES).map((l) => newLossRow(l)));
    conditionRows.replaceChildren(
      ...(conditions?.length ? conditions : [{}]).map((c) => newConditionRow(c)),
    );
    fillModels(ms?.length ? ms : ["convnet"]);
    renumber();
    changed();
  }

  /** The rows as the API wants them, with the problems seen here (js/grid-values.js). */
  const values = () => rowValues(lossList(), conditionList(), checkedModels());

  /**
   * Shows one message beside its row (and marks the named input); null if no such row.
   * @param {Problem} problem
   * @returns {HTMLElement | null}  the input to focus
   */
  function showError({ target, param, text }) {
    if (target === "models") {
      modelsError.textContent = modelsError.textContent
        ? `${modelsError.textContent}; ${text}`
        : text;
      return models.querySelector("input");
    }
    return markRow(lossList(), conditionList(), { target, param, text });
  }

  function clearErrors() {
    for (const row of [...lossList(), ...conditionList()]) clearRow(row);
    clearModels();
  }

  return {
    /**
     * @param {{losses?: LossSpec[] | null, models?: ModelSpec[] | null,
     *   conditions?: StageSpec[] | null}} catalog
     */
    setCatalog({ losses: ls, models: ms, conditions }) {
      const keep = values();
      if (Array.isArray(ls) && ls.length) losses = ls;
      if (Array.isArray(ms) && ms.length) modelList = ms;
      if (Array.isArray(conditions) && conditions.length) {
        const rows = conditionList().map(readCondition);
        stages = conditions;
        conditionRows.replaceChildren(...rows.map((c) => newConditionRow(c)));
      }
      // Rebuild with the same choices (the catalog adds options and bounds).
      const rawLosses = lossList().map(readLoss);
      lossRows.replaceChildren(...rawLosses.map((l) => newLossRow(l)));
      fillModels(keep.models.length ? keep.models : ["convnet"]);
      renumber();
      changed();
    },
    values,
    setValues,
    /** The raw rows, for saving the form as typed. */
    saved: () => ({
      losses: lossList().map(readLoss),
      conditions: conditionList().map(readCondition),
      models: checkedModels(),
    }),
    counts: () => ({
      losses: lossRows.children.length,
      conditions: conditionRows.children.length,
      models: models.querySelectorAll("input:checked").length,
    }),
    showError,
    clearErrors,
  };
}
