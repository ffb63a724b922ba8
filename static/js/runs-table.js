// The runs table. Rows are kept per run and updated in place, so a live
// update never steals keyboard focus from a row's buttons.
import { api } from "./api.js";
import { seriesOf } from "./charts.js";
import { ACTIVE, fixed, h, int, lossLabel, pct, settingsText, shortId, time } from "./format.js";
import { runList, state, togglePlotted } from "./state.js";

const rows = new Map(); // id → {tr, cells…}
let tbody, emptyNote, actions;

/** actions: {cancel(id), remove(id), confusion(id)} */
export function mountRunsTable(table, empty, handlers) {
  tbody = table.tBodies[0];
  emptyNote = empty;
  actions = handlers;
}

function makeRow(run) {
  const plot = h("input", { type: "checkbox" });
  plot.addEventListener("change", () => togglePlotted(run.id, plot.checked));
  const swatch = h("span", { className: "swatch", "aria-hidden": "true" });
  const name = h("strong", {});
  const sub = h("span", { className: "sub" });
  const status = h("span", { className: "badge" });
  const error = h("span", { className: "sub run-error" });
  const settings = h("span", { className: "settings" });
  const num = () => h("td", { className: "num" });
  const cells = { epochs: num(), best: num(), acc: num(), f1: num(), loss: num() };
  const cmBtn = h("button", { type: "button", className: "small" }, "Matrix");
  cmBtn.addEventListener("click", () => actions.confusion(run.id));
  const csv = h("a", { className: "button small", href: api.csvUrl(run.id) }, "CSV");
  const cancel = h("button", { type: "button", className: "small" }, "Cancel");
  cancel.addEventListener("click", () => actions.cancel(run.id));
  const del = h("button", { type: "button", className: "small danger" }, "Delete");
  del.addEventListener("click", () => actions.remove(run.id));
  const tr = h(
    "tr",
    {},
    h("td", { "data-label": "Plot" }, h("label", { className: "plot" }, plot, swatch)),
    // Each cell's content sits in one element: on phones cells become grids.
    h("td", { className: "run-cell", "data-label": "Run" }, h("div", {}, name, sub, settings)),
    h("td", { "data-label": "Status" }, h("div", {}, status, error)),
  );
  const labelled = [
    ["epochs", "Epochs"],
    ["best", "Best test acc"],
    ["acc", "Final acc"],
    ["f1", "Final F1"],
    ["loss", "Final test loss"],
  ];
  for (const [k, label] of labelled) {
    cells[k].dataset.label = label;
    tr.append(cells[k]);
  }
  tr.append(
    h(
      "td",
      { className: "actions-cell", "data-label": "Actions" },
      h("div", { className: "row-actions" }, cmBtn, csv, cancel, del),
    ),
  );
  return { tr, plot, swatch, name, sub, status, error, settings, cells, cmBtn, csv, cancel, del };
}

export function renderRunsTable() {
  if (!tbody) return;
  const runs = runList();
  emptyNote.hidden = runs.length > 0;
  const keep = new Set(runs.map((r) => r.id));
  for (const [id, row] of rows) {
    if (!keep.has(id)) {
      row.tr.remove();
      rows.delete(id);
    }
  }
  let prev = null;
  for (const run of runs) {
    let row = rows.get(run.id);
    if (!row) {
      row = makeRow(run);
      rows.set(run.id, row);
    }
    fill(row, run);
    // Keep DOM order = newest first, moving only rows that are out of place.
    const want = prev ? prev.nextSibling : tbody.firstChild;
    if (want !== row.tr) tbody.insertBefore(row.tr, want);
    prev = row.tr;
  }
}

function fill(row, run) {
  const label = lossLabel(run.config);
  const plotted = state.plotted.has(run.id);
  row.plot.checked = plotted;
  row.plot.setAttribute("aria-label", `Plot ${label} #${shortId(run.id)} in the figures`);
  const s = seriesOf(run.id);
  row.swatch.style.background = s ? s.color : "transparent";
  row.swatch.classList.toggle("off", !s);
  row.name.textContent = label;
  row.sub.textContent = ` #${shortId(run.id)}`;
  row.name.parentElement.title = `${run.id}, created ${time(run.createdAt)}`;
  row.status.textContent = run.status;
  row.status.dataset.status = run.status;
  row.error.textContent = run.error ? ` ${run.error}` : "";
  row.settings.textContent = settingsText(run.config);
  const last = run.last ?? null;
  const total = run.config?.epochs;
  row.cells.epochs.textContent = `${int(run.epochsDone ?? 0)}${total ? ` / ${total}` : ""}`;
  row.cells.best.textContent = run.best ? pct(run.best.testAcc) : "–";
  row.cells.best.title = run.best ? `epoch ${run.best.epoch}, F1 ${fixed(run.best.f1)}` : "";
  if (run.best) row.cells.best.append(h("span", { className: "sub" }, ` ep ${run.best.epoch}`));
  row.cells.acc.textContent = last ? pct(last.testAcc) : "–";
  row.cells.f1.textContent = last ? fixed(last.f1) : "–";
  row.cells.loss.textContent = last ? fixed(last.testLoss, 4) : "–";
  const active = ACTIVE.has(run.status);
  const hasEpochs = (run.epochsDone ?? 0) > 0;
  row.cancel.hidden = !active;
  row.del.hidden = active;
  row.csv.hidden = !hasEpochs;
  row.cmBtn.hidden = !hasEpochs;
  row.csv.setAttribute("download", `lossbench-${run.config?.loss ?? "run"}-${shortId(run.id)}.csv`);
  for (
    const [el, verb] of [[row.cmBtn, "Show the confusion matrix of"], [
      row.csv,
      "Download the CSV of",
    ], [
      row.cancel,
      "Cancel",
    ], [row.del, "Delete"]]
  ) {
    el.setAttribute("aria-label", `${verb} ${label} #${shortId(run.id)}`);
  }
}
