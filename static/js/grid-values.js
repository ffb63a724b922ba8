// @ts-check
// The start form's rows read and marked (js/grid-form.js): the values the API
// wants with the problems the browser already sees, and an API message put
// beside the row it names.
import { paramName } from "./grid-text.js";

/** @typedef {import("./grid-text.js").Problem} Problem */
/** @typedef {import("./grid-rows.js").LossRow} LossRow */
/** @typedef {import("./condition-row.js").ConditionRow} ConditionRow */
/** @typedef {import("./condition-row.js").ConditionValue} ConditionValue */

/**
 * {losses, conditions, models, problems}: the rows as the API wants them;
 * problems [{target, param, text}] for inputs the browser already knows are
 * bad (not a number, outside the input's bounds).
 * @param {LossRow[]} lossList @param {ConditionRow[]} conditionList @param {string[]} ms
 */
export function rowValues(lossList, conditionList, ms) {
  /** @type {Problem[]} */
  const problems = [];
  // True for a value to send; an empty input is left to the API's default.
  /** @param {HTMLInputElement} input @param {string} target @param {string} param */
  const check = (input, target, param) => {
    const v = input.validity;
    if (v.badInput) {
      problems.push({ target, param, text: `${paramName(param)}: not a number` });
    } else if (input.value.trim() === "") {
      return false;
    } else if (v.rangeUnderflow) {
      problems.push({ target, param, text: `${paramName(param)}: at least ${input.min}` });
    } else if (v.rangeOverflow) {
      problems.push({ target, param, text: `${paramName(param)}: at most ${input.max}` });
    } else return true;
    return false;
  };
  const ls = lossList.map((row, i) => {
    const inputs = row.$.params.querySelectorAll("input");
    // A loss the catalog hasn't described (yet): its saved params as they were.
    /** @type {Record<string, number>} */
    const params = !inputs.length && row.$.select.value === row.$.loss
      ? Object.fromEntries(Object.entries(row.$.values).map(([k, v]) => [k, Number(v)]))
      : {};
    for (const input of inputs) {
      const param = input.dataset.param ?? "";
      if (check(input, `losses.${i}`, param)) {
        params[param] = Number(input.value);
      }
    }
    return { loss: row.$.select.value, params };
  });
  const cs = conditionList.map((row, i) => {
    /** @type {ConditionValue} */
    const c = {};
    for (const { spec, select, fields } of row.$.stages) {
      if (!select.value) continue;
      /** @type {Record<string, unknown>} */
      const part = { [spec.by]: select.value };
      let ok = true;
      for (const input of fields.querySelectorAll("input")) {
        const param = input.dataset.param ?? "";
        if (input.type !== "number") {
          // Text (a label set's name): needed, the API says whether it is known.
          if (input.value.trim()) part[param] = input.value.trim();
          else {
            problems.push({
              target: `conditions.${i}`,
              param,
              text: `${param}: a value is needed`,
            });
            ok = false;
          }
        } else if (input.value.trim() === "" && !input.validity.badInput) {
          problems.push({
            target: `conditions.${i}`,
            param,
            text: `${param}: a number is needed`,
          });
          ok = false;
        } else if (check(input, `conditions.${i}`, param)) part[param] = Number(input.value);
        else ok = false;
      }
      if (ok) c[spec.key] = part;
    }
    return c;
  });
  if (!ms.length) problems.push({ target: "models", text: "tick at least one model" });
  return { losses: ls, conditions: cs, models: ms, problems };
}

/**
 * Shows `text` beside the loss or condition row `target` names ("losses.0", "conditions.1") and
 * marks the input `param` names; null if there is no such row.
 * @param {LossRow[]} lossRows @param {ConditionRow[]} conditionRows
 * @param {Problem} problem
 * @returns {HTMLElement | null}  the input to focus
 */
export function markRow(lossRows, conditionRows, { target, param, text }) {
  const m = /^(losses|conditions)\.(\d+)$/.exec(target);
  if (!m) return null;
  /** @param {HTMLElement} slot */
  const add = (
    slot,
  ) => (slot.textContent = slot.textContent ? `${slot.textContent}; ${text}` : text);
  /** @type {HTMLElement | null} */
  let input;
  if (m[1] === "losses") {
    const row = lossRows[Number(m[2])];
    if (!row) return null;
    add(row.$.error);
    input = param === "loss" || !param
      ? row.$.select
      : row.$.params.querySelector(`input[data-param="${param}"]`);
    input ??= row.$.select;
  } else {
    const row = conditionRows[Number(m[2])];
    if (!row) return null;
    add(row.$.error);
    // A stage's field ("rate"), else a stage ("labelNoise"), else the first select.
    const part = row.$.stages.find((p) => p.spec.key === param);
    input = (param && !part && row.querySelector(`input[data-param="${param}"]`)) ||
      part?.select || row.$.stages[0]?.select || row.$.remove;
  }
  input.setAttribute("aria-invalid", "true");
  return input;
}
