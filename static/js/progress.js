// @ts-check
// One progress bar per queued or running run: overall progress through the
// run's epochs, with the live batch loss, images/second and ETA.
import { ACTIVE, duration, fixed, h, int, runLabel, shortId } from "./format.js";
import { runList, state } from "./state.js";

/** @typedef {{li: HTMLLIElement, bar: HTMLProgressElement, title: HTMLElement, detail: HTMLElement}} Item */
/** id → its list item @type {Map<string, Item>} */
const items = new Map();
/** @type {HTMLElement | null} */
let section = null;
/** @type {HTMLElement | null} */
let list = null;

/** @param {HTMLElement} sectionEl @param {HTMLElement} listEl */
export function mountProgress(sectionEl, listEl) {
  section = sectionEl;
  list = listEl;
}

/** Queued runs beyond this many are summed up in one line (a grid queues hundreds). */
const QUEUED_SHOWN = 3;
/** @type {HTMLLIElement | null} */
let rest = null;

export function renderProgress() {
  if (!list || !section) return;
  const active = runList().filter((r) => ACTIVE.has(r.status)).reverse(); // oldest first
  section.hidden = active.length === 0;
  const queued = active.filter((r) => r.status === "queued");
  const hidden = new Set(queued.slice(QUEUED_SHOWN).map((r) => r.id));
  const runs = active.filter((r) => !hidden.has(r.id));
  const keep = new Set(runs.map((r) => r.id));
  for (const [id, it] of items) {
    if (!keep.has(id)) {
      it.li.remove();
      items.delete(id);
    }
  }
  for (const run of runs) {
    let it = items.get(run.id);
    if (!it) {
      const title = h("span", { className: "p-title" });
      const bar = h("progress", { max: 1, value: 0 });
      const detail = h("span", { className: "p-detail" });
      const li = h("li", {}, title, bar, detail);
      it = { li, bar, title, detail };
      items.set(run.id, it);
    }
    list.append(it.li); // keeps the order; moving a node is cheap
    update(it, run, state.progress.get(run.id));
  }
  rest ??= h("li", { className: "p-rest hint" });
  rest.textContent = `and ${hidden.size} more queued`;
  if (hidden.size) list.append(rest);
  else rest.remove();
}

/**
 * @param {Item} it @param {import("./state.js").Run} run
 * @param {Record<string, any> | undefined} p  its latest progress event
 */
function update(it, run, p) {
  const label = `${runLabel(run)} #${shortId(run.id)}`;
  const epochs = run.config?.epochs ?? 1;
  const done = run.epochsDone ?? 0;
  let frac = done / epochs;
  let detail;
  if (run.status === "queued") {
    detail = "queued: waiting for a free worker";
  } else if (p && p.batches > 0) {
    // p.epoch counts from 1, like the epoch events.
    frac = Math.min(1, (p.epoch - 1 + p.batch / p.batches) / epochs);
    detail = `epoch ${p.epoch}/${epochs} · batch ${int(p.batch)}/${int(p.batches)} · ` +
      `loss ${fixed(p.loss)} · ${int(p.imgPerSec)} img/s` +
      // Cores no other run holds (kernel threads): said, since they are part of the speed.
      (p.threads > 1 ? ` on ${p.threads} threads` : "") + ` · ETA ${duration(p.etaSeconds)}`;
  } else {
    detail = `epoch ${Math.min(done + 1, epochs)}/${epochs} · starting…`;
  }
  it.title.textContent = label;
  it.bar.value = frac;
  it.bar.setAttribute("aria-label", `${label}: ${Math.round(frac * 100)}% done`);
  it.detail.textContent = detail;
}
