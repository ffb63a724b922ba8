// @ts-check
// The experiment view's cell figures: the chosen cell's reliability diagram
// and per-class bars, its finished seeds' final epochs pooled (js/details.js).
import { mountDetails } from "./details.js";
import { classNames, h } from "./format.js";
import { styleOfSlot } from "./series.js";
import { state } from "./state.js";

/** @type {HTMLSelectElement | null} */
let select = null;
/** @type {ReturnType<typeof mountDetails> | null} */
let details = null;

/**
 * @param {HTMLSelectElement} pick  the cell chooser
 * @param {HTMLElement} figs  where the two figures go
 */
export function mountCell(pick, figs) {
  select = pick;
  details = mountDetails(figs, "cell");
  details.hide();
  pick.addEventListener("change", () => {
    state.experiment.cell = Number(pick.value) || 0;
    drawCell();
  });
}

export function drawCell() {
  const data = state.experiment.data;
  if (!data || !select || !details) return;
  /** @type {Record<string, any>[]} */
  const cells = data.stats.cells;
  const key = cells.map((c) => c.key).join("\n");
  if (select.dataset.key !== key) {
    select.dataset.key = key;
    select.replaceChildren(
      ...cells.map((c, i) => h("option", { value: String(i) }, `${i + 1} · ${c.label}`)),
    );
    if (state.experiment.cell >= cells.length) state.experiment.cell = 0;
  }
  const index = state.experiment.cell;
  select.value = String(index);
  const cell = cells[index];
  /** @type {Record<string, any>[]} */
  const runs = (data.runs ?? []).filter((
    /** @type {Record<string, any>} */ r,
  ) => r.cellKey === cell?.key && r.status === "done" && r.last?.reliability);
  if (!runs.length) {
    details.hide();
    return;
  }
  const k = runs[0].last.perClass?.f1?.length ?? 0;
  details.show(runs.map((r) => r.last), {
    names: classNames(runs[0], k),
    color: styleOfSlot(index).color,
    what: `${cell.label}, final epoch`,
  });
}
