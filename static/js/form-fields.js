// @ts-check
// The start form's fields: which are numbers and which text, finding them,
// and showing the API's (or the browser's) messages beside the fields and
// rows they name.

/** @typedef {{target: string, param?: string, text: string}} Problem */
/** @typedef {ReturnType<typeof import("./grid-form.js").mountGrid>} Grid */

/**
 * The form's control named `name` (an input or a select), or null.
 * @param {HTMLFormElement} form @param {string} name
 */
export const control = (
  form,
  name,
) => /** @type {HTMLInputElement | null} */ (form.elements.namedItem(name));

/**
 * The element `sel` in `root`, which the page always has.
 * @template {HTMLElement} [T=HTMLElement]
 * @param {ParentNode} root @param {string} sel @returns {T}
 */
export function find(root, sel) {
  const el = root.querySelector(sel);
  if (!el) throw new Error(`the page has no ${sel}`);
  return /** @type {T} */ (el);
}

export const NUMBERS = new Set([
  "epochs",
  "batchSize",
  "lr",
  "momentum",
  "stepSize",
  "stepGamma",
  "warmupEpochs",
  "weightDecay",
  "gradClip",
  "trainLimit",
  "testLimit",
  "valFraction",
  "repeats",
]);
export const TEXT = new Set(["data", "backend", "schedule", "name", "seeds"]);
export const FIELDS = new Set([...NUMBERS, ...TEXT]);
/** Fields of an experiment only; a single run takes its seed from "seeds". */
export const GRID_ONLY = new Set(["name", "seeds", "repeats"]);

/** @param {HTMLFormElement} form @param {string} name @param {string} text */
export function showError(form, name, text) {
  const el = control(form, name);
  const slot = form.querySelector(`#e-${name}`);
  if (!el || !slot) return false;
  slot.textContent = text;
  if (text) el.setAttribute("aria-invalid", "true");
  else el.removeAttribute("aria-invalid");
  return true;
}

/** @param {HTMLFormElement} form @param {HTMLElement} formError @param {Grid} grid */
export function clearErrors(form, formError, grid) {
  for (const name of FIELDS) showError(form, name, "");
  grid.clearErrors();
  find(form, "#e-token").textContent = "";
  find(form, "#f-token").removeAttribute("aria-invalid");
  formError.textContent = "";
}

/**
 * [{target, param?, text}] beside their fields or rows; the rest on the form's line.
 * @param {HTMLFormElement} form @param {HTMLElement} formError @param {Grid} grid
 * @param {Problem[]} problems
 */
export function showErrors(form, formError, grid, problems) {
  /** @type {HTMLElement | null} */
  let first = null;
  /** @type {string[]} */
  const general = [];
  /** @type {Record<string, string>} */
  const fields = {};
  for (const p of problems) {
    if (p.target && FIELDS.has(p.target)) {
      fields[p.target] = fields[p.target] ? `${fields[p.target]}; ${p.text}` : p.text;
      continue;
    }
    const el = p.target ? grid.showError(p) : null;
    if (el) first ??= el;
    else general.push(p.text);
  }
  for (const [name, text] of Object.entries(fields)) {
    const el = control(form, name);
    if (el && showError(form, name, text)) {
      // Open the collapsed section so the message is actually visible.
      const details = el.closest("details");
      if (details) details.open = true;
      first ??= el;
    } else general.push(text);
  }
  formError.textContent = general.join("; ");
  first?.focus();
}
