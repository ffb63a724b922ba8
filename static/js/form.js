// The start form: one run, or the report's comparison with the same settings.
// The API is the one validator: its messages ("epochs: Too big: …") are shown
// beside the fields they name, so the page never disagrees with the service.
import { api, fieldErrors, setToken } from "./api.js";

const NUMBERS = new Set([
  "gamma",
  "epochs",
  "batchSize",
  "lr",
  "momentum",
  "stepSize",
  "stepGamma",
  "seed",
  "trainLimit",
  "testLimit",
]);
const TEXT = new Set(["loss", "data", "backend", "model"]);
const FIELDS = new Set([...NUMBERS, ...TEXT]);
// The comparison sets these per run itself.
const PER_RUN = new Set(["loss", "gamma"]);
const SAVED_KEY = "lossbench.form";

/**
 * The data set a first run should use: one the operator registered (a local
 * copy, so it loads offline), else cifar10 if the server says it is ready,
 * else the synthetic set, which is generated in memory and always works.
 * Reads `health.datasetInfo` ([{name, ready}]) when the server sends it, else
 * `health.datasets` (names; cifar10 and synthetic are always listed there).
 */
export function preferredData(health) {
  const builtin = (n) => n === "cifar10" || /^synthetic(:|$)/.test(n);
  const info = Array.isArray(health?.datasetInfo) ? health.datasetInfo : null;
  if (info) {
    const ready = info.filter((d) => d && d.ready === true).map((d) => String(d.name));
    return ready.find((n) => !builtin(n)) ?? (ready.includes("cifar10") ? "cifar10" : "synthetic");
  }
  const names = Array.isArray(health?.datasets) ? health.datasets.map(String) : [];
  return names.find((n) => !builtin(n)) ?? "synthetic";
}

/**
 * onStarted({runs, experiment}) is called with what the API created. Returns
 * {applyHealth(health), useData(name)}: the first fills the data field with
 * preferredData() unless the user chose one (now or in an earlier visit).
 */
export function mountForm(form, { onStarted }) {
  const formError = form.querySelector("#form-error");
  const loss = form.elements.namedItem("loss");
  const gamma = form.elements.namedItem("gamma");
  const data = form.elements.namedItem("data");
  const syncGamma = () => {
    // γ only means something for focal; a disabled field is not sent.
    gamma.disabled = loss.value !== "focal";
  };
  let dataChosen = restore(form);
  data.addEventListener("input", () => (dataChosen = true));
  loss.addEventListener("change", syncGamma);
  syncGamma();

  // Saved as soon as it is typed, so Cancel and Delete can use it too.
  const tokenField = form.querySelector("#f-token");
  tokenField.addEventListener("change", () => setToken(tokenField.value.trim()));

  // Editing a field clears its stale error.
  form.addEventListener("input", (ev) => {
    const name = ev.target.name;
    if (FIELDS.has(name)) showError(form, name, "");
  });

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const compare = ev.submitter?.value === "compare";
    clearErrors(form, formError);
    const tokenInput = form.querySelector("#f-token");
    if (tokenInput.value) setToken(tokenInput.value.trim());
    const { body, problems } = collect(form, compare);
    if (Object.keys(problems).length) return showErrors(form, formError, problems);
    const buttons = form.querySelectorAll("button[type=submit]");
    buttons.forEach((b) => (b.disabled = true));
    form.setAttribute("aria-busy", "true");
    try {
      if (compare) {
        const exp = await api.startExperiment(body);
        onStarted({ runs: exp.runs ?? [], experiment: exp });
      } else {
        const run = await api.startRun(body);
        onStarted({ runs: [run], experiment: null });
      }
      save(form);
    } catch (e) {
      if (e.status === 401) {
        // The server wants a bearer token: ask for it right here.
        setToken(null);
        form.querySelector(".token-field").hidden = false;
        form.querySelector("#e-token").textContent = e.message;
        tokenInput.setAttribute("aria-invalid", "true");
        tokenInput.focus();
      } else if (e.status && e.status < 500) {
        showErrors(form, formError, fieldErrors(e.message, FIELDS));
      } else showErrors(form, formError, { "": `Could not start: ${e.message}` });
    } finally {
      buttons.forEach((b) => (b.disabled = false));
      form.removeAttribute("aria-busy");
    }
  });

  return {
    applyHealth(health) {
      if (!dataChosen && health) data.value = preferredData(health);
    },
    useData(name) {
      data.value = name;
      dataChosen = true;
      showError(form, "data", "");
      data.focus();
    },
  };
}

/** The request body: filled fields only (the API fills its own defaults). */
function collect(form, compare) {
  const body = {};
  const problems = {};
  for (const name of FIELDS) {
    const el = form.elements.namedItem(name);
    if (!el || el.disabled || (compare && PER_RUN.has(name))) continue;
    if (NUMBERS.has(name)) {
      if (el.validity?.badInput) {
        problems[name] = "not a number";
        continue;
      }
      if (el.value.trim() === "") continue;
      body[name] = Number(el.value);
    } else if (el.value.trim() !== "") {
      body[name] = el.value.trim();
    }
  }
  return { body, problems };
}

function showError(form, name, text) {
  const el = form.elements.namedItem(name);
  const slot = form.querySelector(`#e-${name}`);
  if (!el || !slot) return false;
  slot.textContent = text;
  if (text) el.setAttribute("aria-invalid", "true");
  else el.removeAttribute("aria-invalid");
  return true;
}

function clearErrors(form, formError) {
  for (const name of FIELDS) showError(form, name, "");
  form.querySelector("#e-token").textContent = "";
  form.querySelector("#f-token").removeAttribute("aria-invalid");
  formError.textContent = "";
}

function showErrors(form, formError, errors) {
  let first = null;
  const general = [];
  for (const [name, text] of Object.entries(errors)) {
    if (name && showError(form, name, text)) {
      const el = form.elements.namedItem(name);
      // Open the collapsed section so the message is actually visible.
      const details = el.closest("details");
      if (details) details.open = true;
      first ??= el;
    } else {
      general.push(text);
    }
  }
  formError.textContent = general.join("; ");
  first?.focus();
}

function save(form) {
  const values = {};
  for (const name of FIELDS) {
    const el = form.elements.namedItem(name);
    if (el) values[name] = el.value;
  }
  try {
    localStorage.setItem(SAVED_KEY, JSON.stringify(values));
  } catch {
    // Not persisting the form is harmless.
  }
}

/** Fills the form from the last submitted values; true when they named a data set. */
function restore(form) {
  let values = null;
  try {
    values = JSON.parse(localStorage.getItem(SAVED_KEY) ?? "null");
  } catch {
    return false;
  }
  if (!values || typeof values !== "object") return false;
  for (const name of FIELDS) {
    const el = form.elements.namedItem(name);
    if (el && typeof values[name] === "string") el.value = values[name];
  }
  return typeof values.data === "string" && values.data !== "";
}
