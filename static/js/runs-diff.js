// @ts-check
// Two ticked runs, side by side: the settings that differ (the rest in one
// line) and their results, under the runs table's toolbar.
import { h, runLabel, SETTINGS, shortId } from "./format.js";
import { metricHeading, metricText, metricTitle } from "./metrics.js";
import { styleOf } from "./series.js";
import { state } from "./state.js";

/** @typedef {import("./state.js").Run} Run */

/** The results rows: their names from the metric registry. @returns {[string, (r: Run) => string][]} */
function results() {
  return [
    [
      `${metricHeading("testAcc")} at best val epoch`,
      (r) =>
        r.best
          ? `${metricText("testAcc", r.best.testAcc)} (ep ${r.best.epoch})`
          : "– (no validation split)",
    ],
    ...["testAcc", "f1", "testLoss"].map((
      m,
    ) => /** @type {[string, (r: Run) => string]} */ ([
      `Final ${metricTitle(m)}`,
      (r) => (r.last ? metricText(m, r.last[m]) : "–"),
    ])),
  ];
}

let diffKey = "";
/** Shows the diff in `box` when exactly two runs are ticked. @param {HTMLElement} box */
export function renderDiff(box) {
  const pair = [...state.plotted].map((id) => state.runs.get(id)).filter((r) => r !== undefined);
  if (pair.length !== 2) {
    box.hidden = true;
    diffKey = "";
    return;
  }
  const [a, b] = pair;
  const key = JSON.stringify(
    [a, b].map((r) => [r.id, r.status, r.epochsDone, r.label]),
  );
  box.hidden = false;
  if (key === diffKey) return;
  diffKey = key;
  /** @param {Run} r */
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
  /** @type {[string, string, string][]} */
  const differ = [];
  /** @type {string[]} */
  const same = [];
  for (const s of SETTINGS) {
    const va = a.config ? String(s.get(a.config)) : "";
    const vb = b.config ? String(s.get(b.config)) : "";
    if (va === vb) {
      if (va !== "") same.push(`${s.label.toLowerCase()} ${va}`);
    } else differ.push([s.label, va || "–", vb || "–"]);
  }
  /** @param {string} label @param {string} va @param {string} vb */
  const row = (label, va, vb, cls = "") =>
    h(
      "tr",
      { className: cls },
      h("th", { scope: "row" }, label),
      h("td", {}, va),
      h("td", {}, vb),
    );
  const table = h(
    "table",
    { className: "diff-table", id: "diff-table" },
    h(
      "thead",
      {},
      h("tr", {}, h("th", { scope: "col" }, "Setting"), head(a), head(b)),
    ),
    h(
      "tbody",
      {},
      ...(differ.length
        ? differ.map(([l, va, vb]) => row(l, va, vb, "differs"))
        : [row("Settings", "identical", "identical")]),
      ...results().map(([l, fn]) => row(l, fn(a), fn(b), "result")),
    ),
  );
  box.replaceChildren(
    h(
      "h3",
      {},
      `Two runs ticked: ${differ.length} setting${differ.length === 1 ? " differs" : "s differ"}`,
    ),
    table,
    h(
      "p",
      { className: "hint" },
      same.length ? `Same: ${same.join(" · ")}.` : "",
    ),
    h(
      "p",
      { className: "hint" },
      "Their curves are overlaid in the figures. ",
      h("a", { href: "#figures" }, "Go to the figures"),
    ),
  );
}
