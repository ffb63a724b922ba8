// @ts-check
// One row of the runs table per run: made once with its controls, then filled
// in place on every update (so a live update never steals focus).
import { api } from "./api.js";
import { isCifarUnavailable } from "./banner.js";
import { ACTIVE, h, runLabel, settingsText, shorten, shortId, time } from "./format.js";
import { columns } from "./runs-columns.js";
import { styleOf } from "./series.js";
import { state, togglePlotted } from "./state.js";

/** @typedef {import("./state.js").Run} Run */
/** @typedef {import("./runs-table.js").Handlers} Handlers */
/**
 * @typedef {{tr: HTMLTableRowElement, plot: HTMLInputElement, swatch: HTMLElement,
 *   name: HTMLElement, sub: HTMLElement, settings: HTMLElement, status: HTMLElement,
 *   error: HTMLElement, cells: Record<string, HTMLElement>, cmBtn: HTMLElement,
 *   csv: HTMLElement, cancel: HTMLElement, del: HTMLElement}} Row
 */

/** Errors longer than this are cut in the table; the full text is one click away. */
const ERROR_CHARS = 90;
const ui = state.table;

/** @param {Run} run @param {Handlers | null} actions @returns {Row} */
export function makeRow(run, actions) {
  const plot = h("input", { type: "checkbox" });
  plot.addEventListener("change", () => togglePlotted(run.id, plot.checked));
  const swatch = h("span", { className: "swatch", "aria-hidden": "true" });
  const name = h("strong", {});
  const sub = h("span", { className: "sub" });
  const settings = h("span", { className: "settings" });
  const status = h("span", { className: "badge" });
  const error = h("div", { className: "run-error" });
  const cmBtn = h("button", { type: "button", className: "small" }, "Details");
  cmBtn.addEventListener("click", () => actions?.confusion(run.id));
  const csv = h(
    "a",
    { className: "button small", href: api.csvUrl(run.id) },
    "CSV",
  );
  const cancel = h("button", { type: "button", className: "small" }, "Cancel");
  cancel.addEventListener("click", () => actions?.cancel(run.id));
  const del = h(
    "button",
    { type: "button", className: "small danger" },
    "Delete",
  );
  del.addEventListener("click", () => actions?.remove(run.id));
  const tr = h("tr", {});
  tr.dataset.id = run.id;
  /** @type {Record<string, HTMLElement>} */
  const cells = {};
  for (const col of columns()) {
    let td;
    if (col.key === "plot") {
      td = h(
        "td",
        { "data-label": "Plot" },
        h("label", { className: "plot" }, plot, swatch),
      );
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
      td = h("td", {
        className: col.num ? "num" : "",
        "data-label": col.label,
      });
      cells[col.key] = td;
    }
    tr.append(td);
  }
  return {
    tr,
    plot,
    swatch,
    name,
    sub,
    settings,
    status,
    error,
    cells,
    cmBtn,
    csv,
    cancel,
    del,
  };
}

/** @param {Row} row @param {Run} run */
function fillError(row, run) {
  const text = run.error ?? "";
  if (
    row.error.dataset.text === text &&
    row.error.dataset.cifar === String(isCifarUnavailable(run))
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
    h(
      "details",
      {},
      h("summary", { title: "Show the full error" }, cut),
      h("p", {}, text),
    ),
  );
}

/** @param {Row} row @param {Run} run */
export function fill(row, run) {
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
  /** @type {HTMLElement} */ (row.name.parentElement).title = `${run.id}, created ${
    time(run.createdAt)
  }`;
  row.settings.textContent = ui.mode === "metrics" ? settingsText(run.config) : "";
  row.settings.hidden = ui.mode !== "metrics";
  row.status.textContent = run.status;
  row.status.dataset.status = run.status;
  fillError(row, run);
  for (const col of columns()) {
    const td = row.cells[col.key];
    if (!td) continue;
    td.textContent = col.text?.(run) ?? "";
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
  row.csv.setAttribute(
    "download",
    `lossbench-${run.config?.loss ?? "run"}-${shortId(run.id)}.csv`,
  );
  for (
    const [el, verb] of /** @type {[HTMLElement, string][]} */ ([
      [
        row.cmBtn,
        "Show the confusion matrix, calibration and per-class results of",
      ],
      [row.csv, "Download the CSV of"],
      [row.cancel, "Cancel"],
      [row.del, "Delete"],
    ])
  ) el.setAttribute("aria-label", `${verb} ${who}`);
}
