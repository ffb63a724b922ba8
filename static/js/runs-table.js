// The runs table as a workspace: runs grouped by experiment, filtered by data,
// loss, status and free text, sorted by any column, shown with their results
// ("Metrics") or their hyperparameters as columns ("Settings"). The ticked
// runs are the figures' lines; two ticked runs are diffed below the toolbar,
// and any number export as one CSV. Rows are kept per run and updated in
// place, so a live update never steals keyboard focus from a row's buttons.
import { api } from "./api.js";
import { isCifarUnavailable } from "./banner.js";
import { downloadText, runsCsv } from "./export.js";
import {
  ACTIVE,
  fixed,
  h,
  int,
  pct,
  runLabel,
  SETTINGS,
  settingsText,
  shorten,
  shortId,
  time,
} from "./format.js";
import { styleOf } from "./series.js";
import { epochList, runList, setPlotted, state, togglePlotted, unplot } from "./state.js";

/** Errors longer than this are cut in the table; the full text is one click away. */
const ERROR_CHARS = 90;
const STATUS_ORDER = ["running", "queued", "failed", "interrupted", "cancelled", "done"];
const UI_KEY = "lossbench.table";

const ui = {
  search: "",
  data: "",
  loss: "",
  status: "",
  group: true,
  mode: "metrics",
  sort: { key: "created", dir: -1 },
  collapsed: new Set(),
  ...loadUi(),
};

function loadUi() {
  try {
    const v = JSON.parse(localStorage.getItem(UI_KEY) ?? "null");
    if (!v || typeof v !== "object") return {};
    return {
      group: v.group !== false,
      mode: v.mode === "settings" ? "settings" : "metrics",
    };
  } catch {
    return {};
  }
}

function saveUi() {
  try {
    localStorage.setItem(UI_KEY, JSON.stringify({ group: ui.group, mode: ui.mode }));
  } catch {
    // Not remembered; harmless.
  }
}

// --- columns ----------------------------------------------------------------
const num = (x) => (typeof x === "number" && Number.isFinite(x) ? x : undefined);

const PLOT_COL = { key: "plot", label: "Plot" };
const RUN_COL = { key: "run", label: "Run", sort: (r) => runLabel(r).toLowerCase() };
const STATUS_COL = { key: "status", label: "Status", sort: (r) => STATUS_ORDER.indexOf(r.status) };
const ACTIONS_COL = { key: "actions", label: "Actions" };

const METRIC_COLS = [
  {
    key: "epochs",
    label: "Epochs",
    num: true,
    sort: (r) => r.epochsDone ?? 0,
    text: (r) => `${int(r.epochsDone ?? 0)}${r.config?.epochs ? ` / ${r.config.epochs}` : ""}`,
  },
  {
    key: "best",
    label: "Acc @ best val",
    num: true,
    sort: (r) => num(r.best?.testAcc),
    text: (r) => (r.best ? pct(r.best.testAcc) : "–"),
    sub: (r) => (r.best ? ` ep ${r.best.epoch}` : ""),
    title: (r) =>
      r.best
        ? `test accuracy at epoch ${r.best.epoch}, the best on validation ` +
          `(${pct(r.best.valAcc)}); F1 ${fixed(r.best.f1)}`
        : "no validation split: no best epoch (never chosen on the test set)",
  },
  {
    key: "acc",
    label: "Final acc",
    num: true,
    sort: (r) => num(r.last?.testAcc),
    text: (r) => (r.last ? pct(r.last.testAcc) : "–"),
  },
  {
    key: "f1",
    label: "F1",
    num: true,
    sort: (r) => num(r.last?.f1),
    text: (r) => (r.last ? fixed(r.last.f1) : "–"),
  },
  {
    key: "testLoss",
    label: "Test loss",
    num: true,
    sort: (r) => num(r.last?.testLoss),
    text: (r) => (r.last ? fixed(r.last.testLoss, 4) : "–"),
  },
];

const SETTING_COLS = SETTINGS.filter((s) => s.key !== "loss").map((s) => ({
  key: `cfg.${s.key}`,
  label: s.label,
  num: s.num,
  sort: (r) => {
    const v = r.config ? s.get(r.config) : "";
    return v === "" ? undefined : v;
  },
  text: (r) => {
    const v = r.config ? s.get(r.config) : "";
    return v === "" ? "–" : String(v);
  },
}));

/** Settings columns that some run has a value for (e.g. no "Condition" column without one). */
let usedSettings = new Set(SETTING_COLS.map((c) => c.key));

function columns() {
  const middle = ui.mode === "settings"
    ? SETTING_COLS.filter((c) => usedSettings.has(c.key))
    : METRIC_COLS;
  return [PLOT_COL, RUN_COL, STATUS_COL, ...middle, ACTIONS_COL];
}

/** Recomputes usedSettings; true when the settings view's columns changed. */
function syncUsedSettings(all) {
  const used = new Set(
    SETTING_COLS.filter((c) => all.some((r) => c.sort(r) !== undefined)).map((c) => c.key),
  );
  const same = used.size === usedSettings.size && [...used].every((k) => usedSettings.has(k));
  usedSettings = used;
  return !same && ui.mode === "settings";
}

// --- mounting ---------------------------------------------------------------
let els = null;
let actions = null;
let rows = new Map(); // id → row
const groups = new Map(); // group key → {tbody, head…}

/**
 * handlers: {cancel(id), remove(id), confusion(id), ensureEpochs(id) → Promise}.
 * `parts`: the table, its empty note, the toolbar and diff containers.
 */
export function mountRunsTable(table, empty, handlers, { toolbar, selection, diff } = {}) {
  els = { table, empty, toolbar, selection, diff };
  actions = handlers;
  buildToolbar();
  buildSelection();
  buildHeader();
}

function buildToolbar() {
  const t = els.toolbar;
  if (!t) return;
  const search = h("input", {
    type: "search",
    id: "runs-search",
    placeholder: "Filter: label, id, setting, error…",
    autocomplete: "off",
    spellcheck: false,
  });
  search.setAttribute("aria-label", "Filter runs by text");
  const select = (id, label) => {
    const el = h("select", { id });
    el.setAttribute("aria-label", label);
    return el;
  };
  const data = select("runs-filter-data", "Filter by data set");
  const loss = select("runs-filter-loss", "Filter by loss");
  const status = select("runs-filter-status", "Filter by status");
  const group = h("input", { type: "checkbox", id: "runs-group", checked: ui.group });
  const metrics = h(
    "button",
    { type: "button", className: "small seg", id: "view-metrics" },
    "Metrics",
  );
  const settings = h(
    "button",
    { type: "button", className: "small seg", id: "view-settings" },
    "Settings",
  );
  const count = h("span", { className: "hint", id: "runs-count", role: "status" });
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
  els.filters = { search, data, loss, status, group, metrics, settings, count };
  search.addEventListener("input", () => {
    ui.search = search.value;
    renderRunsTable();
  });
  for (const [el, k] of [[data, "data"], [loss, "loss"], [status, "status"]]) {
    el.addEventListener("change", () => {
      ui[k] = el.value;
      renderRunsTable();
    });
  }
  group.addEventListener("change", () => {
    ui.group = group.checked;
    saveUi();
    renderRunsTable();
  });
  for (const [btn, mode] of [[metrics, "metrics"], [settings, "settings"]]) {
    btn.addEventListener("click", () => {
      if (ui.mode === mode) return;
      ui.mode = mode;
      if (ui.sort.key !== "created" && !columns().some((c) => c.key === ui.sort.key)) {
        ui.sort = { key: "created", dir: -1 };
      }
      saveUi();
      buildHeader();
      renderRunsTable();
    });
  }
}

function buildSelection() {
  const s = els.selection;
  if (!s) return;
  const count = h("span", { id: "ticked-count" });
  const exportBtn = h(
    "button",
    { type: "button", className: "small", id: "export-csv" },
    "Export CSV",
  );
  const tickShown = h(
    "button",
    { type: "button", className: "small", id: "tick-shown" },
    "Tick shown",
  );
  const untick = h(
    "button",
    { type: "button", className: "small", id: "untick-all" },
    "Untick all",
  );
  s.append(count, exportBtn, tickShown, untick);
  els.sel = { count, exportBtn, tickShown, untick };
  exportBtn.addEventListener("click", () => exportTicked());
  tickShown.addEventListener("click", () => setPlotted(visibleRuns().map((r) => r.id)));
  untick.addEventListener("click", () => unplot([...state.plotted]));
}

async function exportTicked() {
  const runs = [...state.plotted].map((id) => state.runs.get(id)).filter(Boolean);
  if (!runs.length) return;
  const btn = els.sel.exportBtn;
  btn.disabled = true;
  try {
    await Promise.all(runs.map((r) => actions.ensureEpochs(r.id)));
    const csv = runsCsv(runs, (id) => epochList(id));
    downloadText(csv, `lossbench-${runs.length}-runs.csv`);
  } finally {
    btn.disabled = false;
  }
}

function buildHeader() {
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
  if (els.filters) {
    els.filters.metrics.setAttribute("aria-pressed", String(ui.mode === "metrics"));
    els.filters.settings.setAttribute("aria-pressed", String(ui.mode === "settings"));
  }
}

// --- rows -------------------------------------------------------------------
function makeRow(run) {
  const plot = h("input", { type: "checkbox" });
  plot.addEventListener("change", () => togglePlotted(run.id, plot.checked));
  const swatch = h("span", { className: "swatch", "aria-hidden": "true" });
  const name = h("strong", {});
  const sub = h("span", { className: "sub" });
  const settings = h("span", { className: "settings" });
  const status = h("span", { className: "badge" });
  const error = h("div", { className: "run-error" });
  const cmBtn = h("button", { type: "button", className: "small" }, "Details");
  cmBtn.addEventListener("click", () => actions.confusion(run.id));
  const csv = h("a", { className: "button small", href: api.csvUrl(run.id) }, "CSV");
  const cancel = h("button", { type: "button", className: "small" }, "Cancel");
  cancel.addEventListener("click", () => actions.cancel(run.id));
  const del = h("button", { type: "button", className: "small danger" }, "Delete");
  del.addEventListener("click", () => actions.remove(run.id));
  const tr = h("tr", {});
  tr.dataset.id = run.id;
  const cells = {};
  for (const col of columns()) {
    let td;
    if (col.key === "plot") {
      td = h("td", { "data-label": "Plot" }, h("label", { className: "plot" }, plot, swatch));
    } else if (col.key === "run") {
      // Each cell's content sits in one element: on phones cells become grids.
      // The error goes here, in the widest cell, under the settings.
      td = h(
        "td",
        { className: "run-cell", "data-label": "Run" },
        h("div", {}, name, sub, settings, error),
      );
    } else if (col.key === "status") {
      td = h(
        "td",
        { className: "status-cell", "data-label": "Status" },
        h("div", {}, status),
      );
    } else if (col.key === "actions") {
      td = h(
        "td",
        { className: "actions-cell", "data-label": "Actions" },
        h("div", { className: "row-actions" }, cmBtn, csv, cancel, del),
      );
    } else {
      td = h("td", { className: col.num ? "num" : "", "data-label": col.label });
      cells[col.key] = td;
    }
    tr.append(td);
  }
  return { tr, plot, swatch, name, sub, settings, status, error, cells, cmBtn, csv, cancel, del };
}

function fillError(row, run) {
  const text = run.error ?? "";
  if (
    row.error.dataset.text === text && row.error.dataset.cifar === String(isCifarUnavailable(run))
  ) {
    return;
  }
  row.error.dataset.text = text;
  row.error.dataset.cifar = String(isCifarUnavailable(run));
  if (!text) return row.error.replaceChildren();
  const cut = isCifarUnavailable(run)
    ? "CIFAR-10 is not available: see the note above the table"
    : text.length > ERROR_CHARS
    ? shorten(text, ERROR_CHARS - 20)
    : null;
  if (!cut) return row.error.replaceChildren(h("span", {}, text));
  row.error.replaceChildren(
    h("details", {}, h("summary", { title: "Show the full error" }, cut), h("p", {}, text)),
  );
}

function fill(row, run) {
  const label = runLabel(run);
  const who = `${label} #${shortId(run.id)}`;
  row.plot.checked = state.plotted.has(run.id);
  row.plot.setAttribute("aria-label", `Plot ${who} in the figures`);
  // Filled: plotted in that colour; outlined: the colour it would have.
  const s = styleOf(run);
  row.swatch.style.background = row.plot.checked && s ? s.color : "transparent";
  row.swatch.style.borderColor = s ? s.color : "";
  row.swatch.classList.toggle("off", !row.plot.checked || !s);
  row.swatch.classList.toggle("none", !s);
  row.name.textContent = label;
  row.sub.textContent = ` #${shortId(run.id)}`;
  row.name.parentElement.title = `${run.id}, created ${time(run.createdAt)}`;
  row.settings.textContent = ui.mode === "metrics" ? settingsText(run.config) : "";
  row.settings.hidden = ui.mode !== "metrics";
  row.status.textContent = run.status;
  row.status.dataset.status = run.status;
  fillError(row, run);
  for (const col of columns()) {
    const td = row.cells[col.key];
    if (!td) continue;
    td.textContent = col.text(run);
    if (col.sub) {
      const sub = col.sub(run);
      if (sub) td.append(h("span", { className: "sub" }, sub));
    }
    if (col.title) td.title = col.title(run);
  }
  const active = ACTIVE.has(run.status);
  const hasEpochs = (run.epochsDone ?? 0) > 0;
  row.cancel.hidden = !active;
  row.del.hidden = active;
  row.csv.hidden = !hasEpochs;
  row.cmBtn.hidden = !hasEpochs;
  row.csv.setAttribute("download", `lossbench-${run.config?.loss ?? "run"}-${shortId(run.id)}.csv`);
  for (
    const [el, verb] of [
      [row.cmBtn, "Show the confusion matrix, calibration and per-class results of"],
      [row.csv, "Download the CSV of"],
      [row.cancel, "Cancel"],
      [row.del, "Delete"],
    ]
  ) el.setAttribute("aria-label", `${verb} ${who}`);
}

// --- filtering, sorting, grouping -------------------------------------------
function haystack(run) {
  return [
    runLabel(run),
    run.id,
    run.status,
    run.experimentId,
    run.error,
    run.config?.loss,
    ...SETTINGS.map((s) => (run.config ? `${s.label} ${s.get(run.config)}` : "")),
  ].join(" ").toLowerCase();
}

function matches(run) {
  if (ui.data && run.config?.data !== ui.data) return false;
  if (ui.loss && run.config?.loss !== ui.loss) return false;
  if (ui.status && run.status !== ui.status) return false;
  const words = ui.search.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return true;
  const text = haystack(run);
  return words.every((w) => text.includes(w));
}

/** Runs that pass the filters, in the table's sort order (groups aside). */
export function visibleRuns() {
  const col = columns().find((c) => c.key === ui.sort.key);
  const runs = runList().filter(matches);
  if (!col) return ui.sort.dir < 0 ? runs : runs.reverse();
  const dir = ui.sort.dir;
  return runs
    .map((run, i) => ({ run, i, v: col.sort(run) }))
    .sort((a, b) => {
      // Missing values last, whichever the direction.
      if (a.v === undefined || b.v === undefined) {
        return a.v === undefined ? (b.v === undefined ? a.i - b.i : 1) : -1;
      }
      const c = typeof a.v === "number" && typeof b.v === "number"
        ? a.v - b.v
        : String(a.v).localeCompare(String(b.v), "en", { numeric: true });
      return c ? c * dir : a.i - b.i;
    })
    .map((x) => x.run);
}

function syncOptions(select, values, all, current) {
  const key = values.join("\n");
  if (select.dataset.key !== key) {
    select.dataset.key = key;
    select.replaceChildren(
      h("option", { value: "" }, all),
      ...values.map((v) => h("option", { value: v }, v)),
    );
  }
  select.value = values.includes(current) ? current : "";
}

function renderToolbar(all, shown) {
  const f = els.filters;
  if (!f) return;
  const uniq = (fn) => [...new Set(all.map(fn).filter(Boolean))].sort();
  syncOptions(f.data, uniq((r) => r.config?.data), "all data", ui.data);
  syncOptions(f.loss, uniq((r) => r.config?.loss), "all losses", ui.loss);
  syncOptions(f.status, uniq((r) => r.status), "any status", ui.status);
  ui.data = f.data.value;
  ui.loss = f.loss.value;
  ui.status = f.status.value;
  f.count.textContent = shown === all.length
    ? `${all.length} runs`
    : `${shown} of ${all.length} runs`;
  for (const th of els.table.tHead.rows[0].cells) {
    const active = th.dataset.col === ui.sort.key;
    if (active) th.setAttribute("aria-sort", ui.sort.dir > 0 ? "ascending" : "descending");
    else th.removeAttribute("aria-sort");
  }
}

function groupKey(run) {
  return ui.group && run.experimentId ? run.experimentId : "";
}

function groupEls(key) {
  let g = groups.get(key);
  if (g) return g;
  const tbody = h("tbody", {});
  tbody.dataset.group = key || "runs";
  const tick = h("input", { type: "checkbox" });
  const title = h("strong", {});
  const meta = h("span", { className: "sub" });
  const toggle = h("button", { type: "button", className: "small link" });
  const stats = h("button", { type: "button", className: "small link open-exp" }, "statistics");
  stats.hidden = !key;
  stats.addEventListener("click", () => actions.openExperiment?.(key));
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
    g.tick.setAttribute("aria-label", `Plot every run of experiment #${shortId(key)}`);
    g.stats.setAttribute(
      "aria-label",
      `Open the statistics of experiment #${shortId(key)} (mean, bands, comparisons)`,
    );
  } else {
    g.title.textContent = ui.group ? "Single runs" : "All runs";
    g.meta.textContent = ` · ${runs.length} run${runs.length === 1 ? "" : "s"}`;
    g.tick.setAttribute("aria-label", `Plot every run in ${g.title.textContent.toLowerCase()}`);
  }
  g.head.hidden = !ui.group;
  g.toggle.textContent = collapsed ? "show" : "hide";
  g.toggle.setAttribute("aria-expanded", String(!collapsed));
  g.toggle.setAttribute(
    "aria-label",
    `${collapsed ? "Show" : "Hide"} the runs of ${g.title.textContent}`,
  );
}

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
  renderToolbar(all, shown.length);

  // Group order: the group whose first run comes first in the sorted list.
  const order = [];
  const members = new Map();
  for (const run of shown) {
    const k = groupKey(run);
    if (!members.has(k)) {
      members.set(k, []);
      order.push(k);
    }
    members.get(k).push(run);
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
  let prevBody = els.table.tHead;
  for (const k of order) {
    const g = groupEls(k);
    const runs = members.get(k);
    fillGroup(g, k, runs, ncols);
    if (prevBody.nextSibling !== g.tbody) prevBody.after(g.tbody);
    prevBody = g.tbody;
    const collapsed = ui.group && ui.collapsed.has(k);
    let prev = g.head;
    for (const run of runs) {
      let row = rows.get(run.id);
      if (!row) {
        row = makeRow(run);
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
  renderDiff();
}

// --- the ticked runs: toolbar and diff ---------------------------------------
function renderSelection() {
  if (!els.sel) return;
  const n = [...state.plotted].filter((id) => state.runs.has(id)).length;
  els.sel.count.textContent = n === 0
    ? "No run ticked: tick runs to plot, compare or export them."
    : `${n} run${n === 1 ? "" : "s"} ticked`;
  els.sel.exportBtn.disabled = n === 0;
  els.sel.untick.disabled = n === 0;
  els.sel.exportBtn.setAttribute("aria-label", `Export the ${n} ticked runs as one CSV`);
}

const RESULTS = [
  [
    "Test acc at best val epoch",
    (r) => (r.best ? `${pct(r.best.testAcc)} (ep ${r.best.epoch})` : "– (no validation split)"),
  ],
  ["Final test acc", (r) => (r.last ? pct(r.last.testAcc) : "–")],
  ["Final F1", (r) => (r.last ? fixed(r.last.f1) : "–")],
  ["Final test loss", (r) => (r.last ? fixed(r.last.testLoss, 4) : "–")],
];

let diffKey = "";
function renderDiff() {
  const box = els.diff;
  if (!box) return;
  const pair = [...state.plotted].map((id) => state.runs.get(id)).filter(Boolean);
  if (pair.length !== 2) {
    box.hidden = true;
    diffKey = "";
    return;
  }
  const [a, b] = pair;
  const key = JSON.stringify([a, b].map((r) => [r.id, r.status, r.epochsDone, r.label]));
  box.hidden = false;
  if (key === diffKey) return;
  diffKey = key;
  const head = (r) => {
    const s = styleOf(r);
    return h(
      "th",
      { scope: "col" },
      h("span", {
        className: "swatch",
        "aria-hidden": "true",
        style: `background:${s?.color ?? "transparent"}`,
      }),
      ` ${runLabel(r)} #${shortId(r.id)}`,
    );
  };
  const differ = [];
  const same = [];
  for (const s of SETTINGS) {
    const va = a.config ? String(s.get(a.config)) : "";
    const vb = b.config ? String(s.get(b.config)) : "";
    if (va === vb) {
      if (va !== "") same.push(`${s.label.toLowerCase()} ${va}`);
    } else differ.push([s.label, va || "–", vb || "–"]);
  }
  const row = (label, va, vb, cls = "") =>
    h("tr", { className: cls }, h("th", { scope: "row" }, label), h("td", {}, va), h("td", {}, vb));
  const table = h(
    "table",
    { className: "diff-table", id: "diff-table" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Setting"), head(a), head(b))),
    h(
      "tbody",
      {},
      ...(differ.length
        ? differ.map(([l, va, vb]) => row(l, va, vb, "differs"))
        : [row("Settings", "identical", "identical")]),
      ...RESULTS.map(([l, fn]) => row(l, fn(a), fn(b), "result")),
    ),
  );
  box.replaceChildren(
    h(
      "h3",
      {},
      `Two runs ticked: ${differ.length} setting${differ.length === 1 ? " differs" : "s differ"}`,
    ),
    table,
    h("p", { className: "hint" }, same.length ? `Same: ${same.join(" · ")}.` : ""),
    h(
      "p",
      { className: "hint" },
      "Their curves are overlaid in the figures. ",
      h("a", { href: "#figures" }, "Go to the figures"),
    ),
  );
}
