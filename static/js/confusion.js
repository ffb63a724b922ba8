// @ts-check
// A run's confusion matrix as a heatmap (rows: true class, columns: predicted),
// drawn on a plain canvas: Chart.js has no matrix chart without a plugin.
import { ramp } from "./palette.js";
import { epochList, plottedRuns, runList, state } from "./state.js";
import { classNames, h, pct, runLabel, shortId } from "./format.js";
import { metricText, metricTitle } from "./metrics.js";
import { downloadDataUrl, slug } from "./png.js";
import { mountDetails } from "./details.js";
import { styleOf } from "./series.js";
import { SERIES } from "./palette.js";

/**
 * @typedef {{run: HTMLSelectElement, epoch: HTMLSelectElement, norm: HTMLInputElement,
 *   canvas: HTMLCanvasElement, save: HTMLButtonElement, empty: HTMLElement, box: HTMLElement,
 *   card: HTMLElement, controls: HTMLElement, details: ReturnType<typeof mountDetails>}} Els
 */
/** @type {Els | null} */
let els = null;
/** run id, or null for "the obvious one" @type {string | null} */
let selected = null;
let optionsKey = "";
/** @type {(id: string) => unknown} */
let needEpochs = () => undefined;

/**
 * @param {HTMLElement} grid
 * @param {{ensureEpochs: (id: string) => unknown}} hooks
 */
export function mountConfusion(grid, { ensureEpochs }) {
  needEpochs = ensureEpochs;
  const run = h("select", { id: "cm-run" });
  const epoch = h("select", { id: "cm-epoch" });
  const norm = h("input", { type: "checkbox", id: "cm-norm", checked: true });
  const canvas = h("canvas", {
    id: "cm-canvas",
    role: "img",
    "aria-label": "No confusion matrix yet",
  });
  const save = h("button", { type: "button", className: "small" }, "Save PNG");
  save.setAttribute("aria-label", "Save the confusion matrix as PNG");
  const empty = h("p", { className: "hint" }, "Appears after a run's first epoch.");
  const box = h("div", { className: "cm-box" }, canvas);
  const controls = h(
    "div",
    { className: "cm-controls" },
    h("label", {}, "Run ", run),
    h("label", {}, "Epoch ", epoch),
    h("label", { className: "check" }, norm, " colour by row share"),
  );
  const card = h(
    "figure",
    { className: "card cm-card", id: "confusion" },
    h("figcaption", {}, h("h3", {}, "Confusion matrix"), save),
    controls,
    empty,
    box,
  );
  grid.append(card);
  // The same run and epoch's calibration and per-class results, beside it.
  const details = mountDetails(grid, "run");
  els = { run, epoch, norm, canvas, save, empty, box, card, controls, details };
  run.addEventListener("change", () => {
    selected = run.value || null;
    epoch.value = "";
    renderConfusion();
  });
  epoch.addEventListener("change", draw);
  norm.addEventListener("change", draw);
  save.addEventListener("click", () => {
    const r = state.runs.get(currentRun() ?? "");
    downloadDataUrl(
      canvas.toDataURL("image/png"),
      `lossbench-confusion-${slug(r ? runLabel(r) : "run")}-${shortId(r?.id ?? "")}.png`,
    );
  });
  new ResizeObserver(() => draw()).observe(box);
}

/** Shows a run's matrix (from the runs table) and brings the card into view. @param {string} id */
export function showConfusion(id) {
  selected = id;
  if (els) els.epoch.value = "";
  renderConfusion();
  els?.card.scrollIntoView({ behavior: "smooth", block: "nearest" });
  els?.run.focus({ preventScroll: true });
}

function candidates() {
  return runList().filter((r) => (r.epochsDone ?? 0) > 0 || state.epochs.get(r.id)?.size);
}

function currentRun() {
  const ids = candidates().map((r) => r.id);
  if (selected && ids.includes(selected)) return selected;
  // Default: the plotted run with the best final accuracy (the most telling
  // matrix), else the newest run with epochs.
  const plotted = plottedRuns().filter((r) => ids.includes(r.id));
  const acc = (/** @type {import("./state.js").Run} */ r) => r.last?.testAcc ?? -1;
  const best = plotted.reduce((a, b) => (acc(b) > acc(a) ? b : a), plotted[0]);
  return best?.id ?? ids[0] ?? null;
}

export function renderConfusion() {
  if (!els) return;
  const runs = candidates();
  const id = currentRun();
  const key = runs.map((r) => `${r.id}:${r.status}`).join(",");
  if (key !== optionsKey) {
    optionsKey = key;
    els.run.replaceChildren(
      ...runs.map((r) =>
        h("option", { value: r.id }, `${runLabel(r)} #${shortId(r.id)} (${r.status})`)
      ),
    );
  }
  if (id) els.run.value = id;
  if (id && !state.loaded.has(id)) needEpochs(id);

  const epochs = id ? epochList(id).filter((e) => Array.isArray(e.confusion)) : [];
  const want = els.epoch.value;
  const epochKey = epochs.map((e) => e.epoch).join(",");
  if (els.epoch.dataset.key !== epochKey) {
    els.epoch.dataset.key = epochKey;
    els.epoch.replaceChildren(
      h("option", { value: "" }, "latest"),
      ...epochs.map((e) => h("option", { value: String(e.epoch) }, String(e.epoch))),
    );
    els.epoch.value = epochs.some((e) => String(e.epoch) === want) ? want : "";
  }
  draw();
}

function draw() {
  if (!els) return;
  const id = currentRun();
  const run = id ? state.runs.get(id) : null;
  const epochs = id ? epochList(id).filter((e) => Array.isArray(e.confusion)) : [];
  const chosen = els.epoch.value;
  const metrics = chosen ? epochs.find((e) => String(e.epoch) === chosen) : epochs.at(-1);
  const has = Boolean(run && metrics);
  els.empty.hidden = has;
  els.box.hidden = !has;
  els.save.disabled = !has;
  els.controls.hidden = !candidates().length;
  els.epoch.disabled = !has;
  if (!run || !metrics || !metrics.reliability || !metrics.perClass) els.details.hide();
  if (!run || !metrics) return;
  const names = classNames(run, metrics.confusion.length);
  const title = `${runLabel(run)} #${shortId(run.id)} · epoch ${metrics.epoch} · ` +
    `${metricTitle("testAcc")} ${metricText("testAcc", metrics.testAcc)}`;
  drawMatrix(els.canvas, els.box.clientWidth, metrics.confusion, names, title, els.norm.checked);
  els.canvas.setAttribute(
    "aria-label",
    `${title}. Per-class recall: ${recall(metrics.confusion, names)}`,
  );
  if (metrics.reliability && metrics.perClass) {
    els.details.show([metrics], {
      names,
      color: styleOf(run)?.color ?? SERIES[0].color,
      what: `${runLabel(run)} #${shortId(run.id)}, epoch ${metrics.epoch}`,
    });
  }
}

/** "cat 81.0%, dog 64.2%, …": each true class's share predicted right. @param {number[][]} m @param {string[]} names */
function recall(m, names) {
  return m
    .map((row, i) => {
      const sum = row.reduce((a, b) => a + b, 0);
      return `${names[i]} ${sum ? pct(row[i] / sum) : "–"}`;
    })
    .join(", ");
}

/** @param {string} s */
function clip(s, n = 14) {
  return s.length > n ? s.slice(0, n - 1) + "…" : s;
}

/**
 * Draws the heatmap at the given CSS width; the height follows from square cells.
 * @param {HTMLCanvasElement} canvas @param {number} width @param {number[][]} matrix
 * @param {string[]} names @param {string} title @param {boolean} byRow  colour by row share
 */
export function drawMatrix(canvas, width, matrix, names, title, byRow) {
  const n = matrix.length;
  const dpr = globalThis.devicePixelRatio || 1;
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  /** @param {number} px */
  const font = (px, weight = "") => `${weight} ${px}px ${getComputedStyle(canvas).fontFamily}`;
  ctx.font = font(11);
  const labels = names.map((s) => clip(s));
  const labelW = Math.max(...labels.map((s) => ctx.measureText(s).width));
  const left = Math.ceil(labelW) + 26;
  const top = 30;
  const cell = Math.max(12, Math.min(44, Math.floor((width - left - 8) / n)));
  const bottom = Math.ceil(labelW * Math.SQRT1_2) + 44;
  const W = Math.max(width, left + n * cell + 8);
  const H = top + n * cell + bottom;
  canvas.width = Math.round(W * dpr);
  canvas.height = Math.round(H * dpr);
  canvas.style.width = `${W}px`;
  canvas.style.height = `${H}px`;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, W, H);

  ctx.fillStyle = "#111";
  ctx.font = font(13, "bold");
  ctx.textBaseline = "middle";
  ctx.textAlign = "left";
  ctx.fillText(title, 4, 14, W - 8);

  const total = matrix.flat().reduce((a, b) => a + b, 0) || 1;
  const max = Math.max(1, ...matrix.flat());
  const showText = cell >= 22;
  ctx.textAlign = "center";
  for (let i = 0; i < n; i++) {
    const rowSum = matrix[i].reduce((a, b) => a + b, 0) || 1;
    for (let j = 0; j < n; j++) {
      const v = matrix[i][j];
      const t = byRow ? v / rowSum : v / max;
      const c = ramp(t);
      const x = left + j * cell, y = top + i * cell;
      ctx.fillStyle = c.fill;
      ctx.fillRect(x, y, cell - 1, cell - 1);
      if (showText) {
        ctx.fillStyle = c.ink;
        ctx.font = font(Math.min(12, cell / 3.2));
        const text = byRow ? `${Math.round((v / rowSum) * 100)}` : String(v);
        ctx.fillText(text, x + cell / 2, y + cell / 2, cell - 2);
      }
    }
  }
  // The diagonal outlined, so correct predictions read without colour.
  ctx.strokeStyle = "#111";
  ctx.lineWidth = 1;
  for (let i = 0; i < n; i++) {
    ctx.strokeRect(left + i * cell + 0.5, top + i * cell + 0.5, cell - 2, cell - 2);
  }

  ctx.fillStyle = "#222";
  ctx.font = font(11);
  ctx.textAlign = "right";
  for (let i = 0; i < n; i++) ctx.fillText(labels[i], left - 5, top + i * cell + cell / 2);
  for (let j = 0; j < n; j++) {
    ctx.save();
    ctx.translate(left + j * cell + cell / 2, top + n * cell + 5);
    ctx.rotate(-Math.PI / 4);
    ctx.fillText(labels[j], 0, 0);
    ctx.restore();
  }
  ctx.font = font(11, "bold");
  ctx.textAlign = "center";
  ctx.fillText("predicted class", left + (n * cell) / 2, H - 24);
  ctx.save();
  ctx.translate(9, top + (n * cell) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText("true class", 0, 0);
  ctx.restore();
  ctx.font = font(10);
  ctx.textAlign = "left";
  ctx.fillStyle = "#555";
  const note = byRow ? "cells: % of the true class" : `cells: counts (${total} images)`;
  ctx.fillText(note, 4, H - 8);
}
