// @ts-check
// The runs table as a workspace: runs grouped by experiment, filtered by data,
// loss, status and free text, sorted by any column, shown with their results
// ("Metrics") or their hyperparameters as columns ("Settings"). The ticked
// runs are the figures' lines; two ticked runs are diffed below the toolbar,
// and any number export as one CSV. Rows are kept per run and updated in
// place, so a live update never steals keyboard focus from a row's buttons.
// The columns and the row order are js/runs-columns.js, the bars above the
// table js/runs-toolbar.js, the diff js/runs-diff.js; the filters and sort
// live in state.table.
import { h, settingsText, shortId, time } from "./format.js";
import { loadPrefs } from "./prefs.js";
import { columns, syncUsedSettings, visibleRuns } from "./runs-columns.js";
import { renderDiff } from "./runs-diff.js";
import { fill, makeRow } from "./runs-rows.js";
import {
  buildSelection,
  buildToolbar,
  renderSelection,
  renderToolbar,
  UI_KEY,
} from "./runs-toolbar.js";
import { runList, setPlotted, state, unplot } from "./state.js";

/** @typedef {import("./state.js").Run} Run */
/**
 * @typedef {object} Handlers
 * @property {(id: string) => void} cancel
 * @property {(id: string) => void} remove
 * @property {(id: string) => void} confusion
 * @property {(id: string) => Promise<void> | undefined} ensureEpochs
 * @property {(id: string) => void} [openExperiment]
 */
/**
 * @typedef {import("./runs-rows.js").Row} Row
 * @typedef {{tbody: HTMLElement, head: HTMLElement, th: HTMLTableCellElement,
 *   tick: HTMLInputElement, title: HTMLElement, meta: HTMLElement, toggle: HTMLElement,
 *   stats: HTMLElement, ids: string[]}} Group
 */

const ui = state.table;

/** @type {{table: HTMLTableElement, empty: HTMLElement, diff?: HTMLElement} | null} */
let els = null;
/** @type {Handlers | null} */
let actions = null;
/** id → row @type {Map<string, Row>} */
let rows = new Map();
/** group key → its tbody and head @type {Map<string, Group>} */
const groups = new Map();

/**
 * `parts`: the toolbar, selection bar and diff containers.
 * @param {HTMLTableElement} table @param {HTMLElement} empty @param {Handlers} handlers
 * @param {{toolbar?: HTMLElement, selection?: HTMLElement, diff?: HTMLElement}} [parts]
 */
export function mountRunsTable(
  table,
  empty,
  handlers,
  { toolbar, selection, diff } = {},
) {
  els = { table, empty, diff };
  actions = handlers;
  Object.assign(
    ui,
    loadPrefs(UI_KEY, (v) => ({
      group: v.group !== false,
      mode: v.mode === "settings" ? "settings" : "metrics",
    })),
  );
  if (toolbar) {
    buildToolbar(toolbar, (cols) => {
      if (cols) buildHeader();
      renderRunsTable();
    });
  }
  if (selection) buildSelection(selection, handlers.ensureEpochs);
  buildHeader();
}

function buildHeader() {
  if (!els) return;
  const thead = els.table.tHead ?? els.table.createTHead();
  const tr = h("tr");
  for (const col of columns()) {
    const th = h("th", { scope: "col" });
    if (col.num) th.className = "num";
    if (col.key === "actions") th.className = "actions-cell";
    if (col.sort) {
      const btn = h("button", { type: "button", className: "sort" }, col.label);
      btn.dataset.sort = col.key;
      btn.addEventListener("click", () => {
        const dir = ui.sort.key === col.key ? -ui.sort.dir : col.num ? -1 : 1;
        ui.sort = { key: col.key, dir };
        renderRunsTable();
      });
      th.append(btn);
    } else th.textContent = col.label;
    th.dataset.col = col.key;
    tr.append(th);
  }
  thead.replaceChildren(tr);
  // Rows have one cell per column: a new column set means new rows.
  for (const row of rows.values()) row.tr.remove();
  rows = new Map();
}

/** @param {Run} run */
function groupKey(run) {
  return ui.group && run.experimentId ? run.experimentId : "";
}

/** @param {string} key @returns {Group} */
function groupEls(key) {
  let g = groups.get(key);
  if (g) return g;
  const tbody = h("tbody", {});
  tbody.dataset.group = key || "runs";
  const tick = h("input", { type: "checkbox" });
  const title = h("strong", {});
  const meta = h("span", { className: "sub" });
  const toggle = h("button", { type: "button", className: "small link" });
  const stats = h("button", {
    type: "button",
    className: "small link open-exp",
  }, "statistics");
  stats.hidden = !key;
  stats.addEventListener("click", () => actions?.openExperiment?.(key));
  const th = h(
    "th",
    { scope: "rowgroup" },
    h(
      "div",
      { className: "group-line" },
      h("label", { className: "plot" }, tick),
      title,
      meta,
      stats,
      toggle,
    ),
  );
  const head = h("tr", { className: "group-head" }, th);
  tbody.append(head);
  g = { tbody, head, th, tick, title, meta, toggle, stats, ids: [] };
  tick.addEventListener("change", () => {
    if (tick.checked) setPlotted(g.ids);
    else unplot(g.ids);
  });
  toggle.addEventListener("click", () => {
    if (ui.collapsed.has(key)) ui.collapsed.delete(key);
    else ui.collapsed.add(key);
    renderRunsTable();
  });
  groups.set(key, g);
  return g;
}

/** @param {Group} g @param {string} key @param {Run[]} runs @param {number} ncols */
function fillGroup(g, key, runs, ncols) {
  g.ids = runs.map((r) => r.id);
  g.th.colSpan = ncols;
  const ticked = runs.filter((r) => state.plotted.has(r.id)).length;
  g.tick.checked = ticked === runs.length;
  g.tick.indeterminate = ticked > 0 && ticked < runs.length;
  const collapsed = ui.collapsed.has(key);
  if (key) {
    const first = runs.reduce((a, b) => (a.id < b.id ? a : b));
    g.title.textContent = `Experiment #${shortId(key)}`;
    const done = runs.filter((r) => r.status === "done").length;
    g.meta.textContent = ` · ${runs.length} run${runs.length === 1 ? "" : "s"}, ${done} done · ` +
      `${time(first.createdAt)} · ${settingsText(first.config)}`;
    g.tick.setAttribute(
      "aria-label",
      `Plot every run of experiment #${shortId(key)}`,
    );
    g.stats.setAttribute(
      "aria-label",
      `Open the statistics of experiment #${shortId(key)} (mean, bands, comparisons)`,
    );
  } else {
    g.title.textContent = ui.group ? "Single runs" : "All runs";
    g.meta.textContent = ` · ${runs.length} run${runs.length === 1 ? "" : "s"}`;
    g.tick.setAttribute(
      "aria-label",
      `Plot every run in ${g.title.textContent.toLowerCase()}`,
    );
  }
  g.head.hidden = !ui.group;
  g.toggle.textContent = collapsed ? "show" : "hide";
  g.toggle.setAttribute("aria-expanded", String(!collapsed));
  g.toggle.setAttribute(
    "aria-label",
    `${collapsed ? "Show" : "Hide"} the runs of ${g.title.textContent}`,
  );
}

/** Redraws the table from the store (rows updated in place). */
export function renderRunsTable() {
  if (!els) return;
  const all = runList();
  if (syncUsedSettings(all)) buildHeader();
  const shown = visibleRuns();
  els.empty.hidden = all.length > 0;
  if (all.length && !shown.length) {
    els.empty.hidden = false;
    els.empty.textContent = "No run matches the filters.";
  } else els.empty.textContent = "No runs yet: start one above.";
  renderToolbar(all, shown.length, els.table);

  // Group order: the group whose first run comes first in the sorted list.
  /** @type {string[]} */
  const order = [];
  /** @type {Map<string, Run[]>} */
  const members = new Map();
  for (const run of shown) {
    const k = groupKey(run);
    if (!members.has(k)) {
      members.set(k, []);
      order.push(k);
    }
    members.get(k)?.push(run);
  }
  const keepRows = new Set(shown.map((r) => r.id));
  for (const [id, row] of rows) {
    if (!keepRows.has(id)) {
      row.tr.remove();
      if (!state.runs.has(id)) rows.delete(id);
    }
  }
  for (const [k, g] of groups) {
    if (!members.has(k)) {
      g.tbody.remove();
      groups.delete(k);
    }
  }
  const ncols = columns().length;
  /** @type {Element} */
  let prevBody = /** @type {HTMLTableSectionElement} */ (els.table.tHead);
  for (const k of order) {
    const g = groupEls(k);
    const runs = members.get(k) ?? [];
    fillGroup(g, k, runs, ncols);
    if (prevBody.nextSibling !== g.tbody) prevBody.after(g.tbody);
    prevBody = g.tbody;
    const collapsed = ui.group && ui.collapsed.has(k);
    /** @type {Element} */
    let prev = g.head;
    for (const run of runs) {
      let row = rows.get(run.id);
      if (!row) {
        row = makeRow(run, actions);
        rows.set(run.id, row);
      }
      fill(row, run);
      row.tr.hidden = collapsed;
      // Keep DOM order = sort order, moving only rows that are out of place.
      if (prev.nextSibling !== row.tr) prev.after(row.tr);
      prev = row.tr;
    }
  }
  renderSelection();
  if (els.diff) renderDiff(els.diff);
}

export { visibleRuns };
