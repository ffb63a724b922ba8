// @ts-check
// The start form: an experiment (losses × conditions × models × seeds on
// shared settings), the report's comparison with 5 seeds in one click, or one
// run (the first row of each). The API is the one validator: its messages
// ("epochs: Too big: …", "losses.0: gce: params.q: …") are shown beside the
// fields and rows they name, so the page never disagrees with the service.
// The inputs carry the bounds the catalog gives, so the browser catches the
// plain mistakes before a request is sent.
import { api, setToken } from "./api.js";
import { errorTargets, gridText, mountGrid, parseSeeds } from "./grid-form.js";
import {
  clearErrors,
  control,
  FIELDS,
  find,
  GRID_ONLY,
  NUMBERS,
  showError,
  showErrors,
} from "./form-fields.js";
import { loadPrefs, savePrefs } from "./prefs.js";

/** @typedef {import("./form-fields.js").Problem} Problem */
/** @typedef {import("./form-fields.js").Grid} Grid */

const SAVED_KEY = "lossbench.form";
/** The report's comparison is repeated over this many seeds by its one-click button. */
export const REPORT_REPEATS = 5;

/**
 * The data set a first run should use: one the operator registered (a local
 * copy, so it loads offline), else cifar10 if the server says it is ready,
 * else the synthetic set, which is generated in memory and always works.
 * Reads `health.datasetInfo` ([{name, ready}]) when the server sends it, else
 * `health.datasets` (names; cifar10 and synthetic are always listed there).
 * @param {Record<string, any> | null | undefined} health
 * @returns {string}
 */
export function preferredData(health) {
  const builtin = (/** @type {string} */ n) => n === "cifar10" || /^synthetic(:|$)/.test(n);
  const info = Array.isArray(health?.datasetInfo) ? health.datasetInfo : null;
  if (info) {
    const ready = info.filter((/** @type {any} */ d) => d && d.ready === true)
      .map((/** @type {any} */ d) => String(d.name));
    return ready.find((n) => !builtin(n)) ?? (ready.includes("cifar10") ? "cifar10" : "synthetic");
  }
  const names = Array.isArray(health?.datasets) ? health.datasets.map(String) : [];
  return names.find((n) => !builtin(n)) ?? "synthetic";
}

/**
 * onStarted({runs, experiment}) is called with what the API created. Returns
 * {applyHealth(health), useData(name), setCatalog({losses, models})}: the
 * first fills the data field with preferredData() unless the user chose one
 * (now or in an earlier visit).
 * @param {HTMLFormElement} form
 * @param {{onStarted: (started: {runs: import("./state.js").Run[],
 *   experiment: import("./state.js").Experiment | null}) => void}} hooks
 */
export function mountForm(form, { onStarted }) {
  const formError = find(form, "#form-error");
  const data = /** @type {HTMLInputElement} */ (control(form, "data"));
  const sizeLine = form.querySelector("#grid-size");
  const grid = mountGrid({
    lossRows: find(form, "#loss-rows"),
    addLoss: find(form, "#add-loss"),
    conditionRows: find(form, "#condition-rows"),
    addCondition: find(form, "#add-condition"),
    models: find(form, "#model-boxes"),
  }, () => updateSize());

  function seedCount() {
    const repeats = control(form, "repeats")?.value.trim();
    if (repeats) return Math.max(0, Math.floor(Number(repeats)) || 0);
    try {
      return parseSeeds(control(form, "seeds")?.value ?? "").length;
    } catch {
      return 0;
    }
  }
  function updateSize() {
    if (sizeLine) sizeLine.textContent = gridText({ ...grid.counts(), seeds: seedCount() });
  }

  let dataChosen = restore(form, grid);
  data.addEventListener("input", () => (dataChosen = true));

  // Saved as soon as it is typed, so Cancel and Delete can use it too.
  const tokenField = /** @type {HTMLInputElement} */ (find(form, "#f-token"));
  tokenField.addEventListener("change", () => setToken(tokenField.value.trim()));

  // Editing a field clears its stale error.
  form.addEventListener("input", (ev) => {
    const name = /** @type {HTMLInputElement} */ (ev.target).name;
    if (FIELDS.has(name)) showError(form, name, "");
    if (name === "seeds" || name === "repeats") updateSize();
  });

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const mode = /** @type {HTMLButtonElement | null} */ (ev.submitter)?.value ?? "compare";
    clearErrors(form, formError, grid);
    const tokenInput = tokenField;
    if (tokenInput.value) setToken(tokenInput.value.trim());
    const { body, problems } = collect(form, grid, mode);
    if (problems.length) return showErrors(form, formError, grid, problems);
    const buttons = form.querySelectorAll("button[type=submit]");
    /** @param {boolean} on */
    const disable = (on) =>
      buttons.forEach((b) => (/** @type {HTMLButtonElement} */ (b).disabled = on));
    disable(true);
    form.setAttribute("aria-busy", "true");
    try {
      if (mode === "run") {
        const run = await api.startRun(body);
        onStarted({ runs: [run], experiment: null });
      } else {
        const exp = await api.startExperiment(body);
        onStarted({ runs: exp.runs ?? [], experiment: exp });
      }
      save(form, grid);
    } catch (err) {
      const e = /** @type {{status?: number, message: string}} */ (err);
      if (e.status === 401) {
        // The server wants a bearer token: ask for it right here.
        setToken(null);
        find(form, ".token-field").hidden = false;
        find(form, "#e-token").textContent = e.message;
        tokenInput.setAttribute("aria-invalid", "true");
        tokenInput.focus();
      } else if (e.status && e.status < 500) {
        showErrors(form, formError, grid, errorTargets(e.message, FIELDS));
      } else {showErrors(form, formError, grid, [{
          target: "",
          text: `Could not start: ${e.message}`,
        }]);}
    } finally {
      disable(false);
      form.removeAttribute("aria-busy");
    }
  });

  updateSize();
  return {
    /** @param {Record<string, any> | null} health */
    applyHealth(health) {
      if (!dataChosen && health) data.value = preferredData(health);
    },
    /** @param {string} name */
    useData(name) {
      data.value = name;
      dataChosen = true;
      showError(form, "data", "");
      data.focus();
    },
    /** @param {Parameters<Grid["setCatalog"]>[0]} catalog */
    setCatalog: (catalog) => grid.setCatalog(catalog),
  };
}

/**
 * The request body for `mode` ("compare": the grid; "report": the report's
 * losses over 5 seeds; "run": one run of the first rows), and the problems
 * the browser can already see. Empty fields are left to the API's defaults.
 * @param {HTMLFormElement} form @param {Grid} grid @param {string} mode
 */
function collect(form, grid, mode) {
  /** @type {Record<string, unknown>} */
  const body = {};
  /** @type {Problem[]} */
  const problems = [];
  for (const name of FIELDS) {
    const el = control(form, name);
    if (!el || el.disabled || GRID_ONLY.has(name)) continue;
    if (NUMBERS.has(name)) {
      if (el.validity?.badInput) {
        problems.push({ target: name, text: "not a number" });
        continue;
      }
      if (el.value.trim() === "") continue;
      body[name] = Number(el.value);
    } else if (el.value.trim() !== "") {
      body[name] = el.value.trim();
    }
  }
  const name = control(form, "name")?.value.trim() ?? "";
  const repeats = /** @type {HTMLInputElement} */ (control(form, "repeats"));
  let seeds = null;
  if (mode !== "report" && repeats.value.trim() === "") {
    try {
      seeds = parseSeeds(control(form, "seeds")?.value ?? "");
    } catch (e) {
      problems.push({ target: "seeds", text: /** @type {Error} */ (e).message });
    }
  }
  if (mode === "report") {
    body.repeats = REPORT_REPEATS;
    body.name = name || `the report's comparison, ${REPORT_REPEATS} seeds`;
    return { body, problems };
  }
  const g = grid.values();
  problems.push(...g.problems);
  if (mode === "run") {
    body.loss = g.losses[0].loss;
    body.params = g.losses[0].params;
    body.condition = g.conditions[0];
    if (g.models[0]) body.model = g.models[0];
    body.seed = seeds?.[0] ?? 1;
    return { body, problems };
  }
  Object.assign(body, { losses: g.losses, conditions: g.conditions, models: g.models });
  if (seeds) body.seeds = seeds;
  else if (repeats.validity.badInput) {
    problems.push({ target: "seeds", text: "repeats: not a number" });
  } else body.repeats = Number(repeats.value);
  if (name) body.name = name;
  return { body, problems };
}

/** Remembers the submitted values for the next visit. @param {HTMLFormElement} form @param {Grid} grid */
function save(form, grid) {
  /** @type {Record<string, unknown>} */
  const values = {};
  for (const name of FIELDS) {
    const el = control(form, name);
    if (el) values[name] = el.value;
  }
  values.grid = grid.saved();
  savePrefs(SAVED_KEY, values);
}

/**
 * Fills the form from the last submitted values; true when they named a data set.
 * @param {HTMLFormElement} form @param {Grid} grid
 */
function restore(form, grid) {
  /** @type {Record<string, any>} */
  const values = loadPrefs(SAVED_KEY, (v) => v);
  grid.setValues(values.grid && typeof values.grid === "object" ? values.grid : {});
  for (const name of FIELDS) {
    const el = control(form, name);
    if (el && typeof values[name] === "string") el.value = values[name];
  }
  return typeof values.data === "string" && values.data !== "";
}
