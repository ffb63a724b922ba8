// @ts-check
// The runs table's two bars: the toolbar (text filter, data/loss/status
// filters, grouping, the Metrics/Settings columns, the count) and the
// selection bar (how many runs are ticked; export, tick shown, untick all).
import { downloadText, runsCsv } from "./export.js";
import { h } from "./format.js";
import { savePrefs } from "./prefs.js";
import { columns, visibleRuns } from "./runs-columns.js";
import { epochList, setPlotted, state, unplot } from "./state.js";

export const UI_KEY = "lossbench.table";
const ui = state.table;

/**
 * @typedef {{search: HTMLInputElement, data: HTMLSelectElement, loss: HTMLSelectElement,
 *   status: HTMLSelectElement, group: HTMLInputElement, metrics: HTMLElement,
 *   settings: HTMLElement, count: HTMLElement}} Filters
 * @typedef {{count: HTMLElement, exportBtn: HTMLButtonElement, tickShown: HTMLElement,
 *   untick: HTMLButtonElement}} Selection
 */

/** @type {Filters | null} */
let filters = null;
/** @type {Selection | null} */
let sel = null;

const saveUi = () => savePrefs(UI_KEY, { group: ui.group, mode: ui.mode });

/** @param {string} id @param {string} label */
function select(id, label) {
  const el = /** @type {HTMLSelectElement} */ (h("select", { id }));
  el.setAttribute("aria-label", label);
  return el;
}

/**
 * Fills the toolbar; `changed(columns)` redraws the table (with new columns when true).
 * @param {HTMLElement} t @param {(columns: boolean) => void} changed
 */
export function buildToolbar(t, changed) {
  const search = /** @type {HTMLInputElement} */ (h("input", {
    type: "search",
    id: "runs-search",
    placeholder: "Filter: label, id, setting, error…",
    autocomplete: "off",
    spellcheck: false,
  }));
  search.setAttribute("aria-label", "Filter runs by text");
  const data = select("runs-filter-data", "Filter by data set");
  const loss = select("runs-filter-loss", "Filter by loss");
  const status = select("runs-filter-status", "Filter by status");
  const group = /** @type {HTMLInputElement} */ (h("input", {
    type: "checkbox",
    id: "runs-group",
    checked: ui.group,
  }));
  /** @param {string} id @param {string} text */
  const seg = (id, text) => h("button", { type: "button", className: "small seg", id }, text);
  const metrics = seg("view-metrics", "Metrics");
  const settings = seg("view-settings", "Settings");
  const count = h("span", {
    className: "hint",
    id: "runs-count",
    role: "status",
  });
  t.append(
    search,
    data,
    loss,
    status,
    h("label", { className: "check" }, group, " group by experiment"),
    h(
      "span",
      { className: "segmented", role: "group", "aria-label": "Columns" },
      metrics,
      settings,
    ),
    count,
  );
  filters = { search, data, loss, status, group, metrics, settings, count };
  search.addEventListener("input", () => {
    ui.search = search.value;
    changed(false);
  });
  for (
    const [el, k] of /** @type {const} */ ([[data, "data"], [loss, "loss"], [
      status,
      "status",
    ]])
  ) {
    el.addEventListener("change", () => {
      ui[k] = el.value;
      changed(false);
    });
  }
  group.addEventListener("change", () => {
    ui.group = group.checked;
    saveUi();
    changed(false);
  });
  for (
    const [btn, mode] of /** @type {const} */ ([[metrics, "metrics"], [settings, "settings"]])
  ) {
    btn.addEventListener("click", () => {
      if (ui.mode === mode) return;
      ui.mode = mode;
      if (
        ui.sort.key !== "created" &&
        !columns().some((c) => c.key === ui.sort.key)
      ) {
        ui.sort = { key: "created", dir: -1 };
      }
      saveUi();
      changed(true);
    });
  }
}

/**
 * @param {HTMLSelectElement} el @param {string[]} values @param {string} all  the "any" option
 * @param {string} current
 */
function syncOptions(el, values, all, current) {
  const key = values.join("\n");
  if (el.dataset.key !== key) {
    el.dataset.key = key;
    el.replaceChildren(
      h("option", { value: "" }, all),
      ...values.map((v) => h("option", { value: v }, v)),
    );
  }
  el.value = values.includes(current) ? current : "";
}

/**
 * The filters' choices (from the runs there are), the count and the sorted column.
 * @param {import("./state.js").Run[]} all @param {number} shown @param {HTMLTableElement} table
 */
export function renderToolbar(all, shown, table) {
  for (const th of table.tHead?.rows[0].cells ?? []) {
    const active = th.dataset.col === ui.sort.key;
    if (active) {
      th.setAttribute(
        "aria-sort",
        ui.sort.dir > 0 ? "ascending" : "descending",
      );
    } else th.removeAttribute("aria-sort");
  }
  const f = filters;
  if (!f) return;
  f.metrics.setAttribute("aria-pressed", String(ui.mode === "metrics"));
  f.settings.setAttribute("aria-pressed", String(ui.mode === "settings"));
  /** @param {(r: import("./state.js").Run) => unknown} fn */
  const uniq = (fn) => [...new Set(all.map(fn).filter(Boolean).map(String))].sort();
  syncOptions(f.data, uniq((r) => r.config?.data), "all data", ui.data);
  syncOptions(f.loss, uniq((r) => r.config?.loss), "all losses", ui.loss);
  syncOptions(f.status, uniq((r) => r.status), "any status", ui.status);
  ui.data = f.data.value;
  ui.loss = f.loss.value;
  ui.status = f.status.value;
  f.count.textContent = shown === all.length
    ? `${all.length} runs`
    : `${shown} of ${all.length} runs`;
}

/**
 * Fills the selection bar.
 * @param {HTMLElement} s @param {(id: string) => Promise<void> | undefined} ensureEpochs
 */
export function buildSelection(s, ensureEpochs) {
  const count = h("span", { id: "ticked-count" });
  /** @param {string} id @param {string} text */
  const button = (
    id,
    text,
  ) => /** @type {HTMLButtonElement} */ (h("button", {
    type: "button",
    className: "small",
    id,
  }, text));
  const exportBtn = button("export-csv", "Export CSV");
  const tickShown = button("tick-shown", "Tick shown");
  const untick = button("untick-all", "Untick all");
  s.append(count, exportBtn, tickShown, untick);
  sel = { count, exportBtn, tickShown, untick };
  exportBtn.addEventListener(
    "click",
    () => exportTicked(exportBtn, ensureEpochs),
  );
  tickShown.addEventListener(
    "click",
    () => setPlotted(visibleRuns().map((r) => r.id)),
  );
  untick.addEventListener("click", () => unplot([...state.plotted]));
}

/**
 * @param {HTMLButtonElement} btn @param {(id: string) => Promise<void> | undefined} ensureEpochs
 */
async function exportTicked(btn, ensureEpochs) {
  const runs = [...state.plotted].map((id) => state.runs.get(id)).filter((r) => r !== undefined);
  if (!runs.length) return;
  btn.disabled = true;
  try {
    await Promise.all(runs.map((r) => ensureEpochs(r.id)));
    const csv = runsCsv(runs, (id) => epochList(id));
    downloadText(csv, `lossbench-${runs.length}-runs.csv`);
  } finally {
    btn.disabled = false;
  }
}

export function renderSelection() {
  if (!sel) return;
  const n = [...state.plotted].filter((id) => state.runs.has(id)).length;
  sel.count.textContent = n === 0
    ? "No run ticked: tick runs to plot, compare or export them."
    : `${n} run${n === 1 ? "" : "s"} ticked`;
  sel.exportBtn.disabled = n === 0;
  sel.untick.disabled = n === 0;
  sel.exportBtn.setAttribute(
    "aria-label",
    `Export the ${n} ticked runs as one CSV`,
  );
}
