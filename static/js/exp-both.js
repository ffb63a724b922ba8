// @ts-check
// Both comparisons of a tuned experiment side by side: one row per pair of
// cells, its verdict at the shared defaults and at each cell's tuned settings
// (the difference, the Holm-consistent CI that decided it, the outcome), and
// whether tuning changed the answer. The tuning's cost heads the column it
// paid for.
import { h } from "./format.js";
import { isFraction, metricTitle } from "./metrics.js";
import { pointText } from "./exp-summary.js";
import { costText } from "./exp-trials.js";
import { diffText, entryColor, formatStat, matrixEntry } from "./stats-view.js";

/** What each comparison is called on the page. */
export const COMPARISON_TITLE = {
  defaults: "at the shared defaults",
  tuned: "at tuned settings",
};

/** @param {Record<string, any>} c  a comparison @param {string} metric */
function ciText(c, metric) {
  const ci = c.ciFamily?.ci ?? c.ci95;
  if (!Array.isArray(ci)) return "";
  const f = (/** @type {number} */ x) => {
    const t = formatStat(x, metric, isFraction(metric) ? 2 : 4);
    return t.startsWith("-") ? `−${t.slice(1)}` : t;
  };
  return `[${f(ci[0])}, ${f(ci[1])}]`;
}

/** "ce better", "equivalent": the outcome in the pair's names. @param {Record<string, any>} c */
function outcomeText(c) {
  if (c.outcome === "A better") return `${c.labelA} better`;
  if (c.outcome === "B better") return `${c.labelB} better`;
  return c.outcome ?? "–";
}

/** @param {Record<string, any>[]} comps @param {Record<string, any> | undefined} c @param {string} metric */
function verdictCell(comps, c, metric) {
  if (!c) return h("td", { className: "both-entry" }, "not yet");
  const e = matrixEntry(comps, c.a, c.b);
  const { fill, ink } = entryColor(e);
  const td = h(
    "td",
    { className: "both-entry", title: c.verdict },
    h(
      "span",
      { className: "both-diff", style: `background:${fill};color:${ink}` },
      diffText(c.diff, metric),
    ),
    " ",
    h("span", { className: "sub" }, ciText(c, metric)),
    h("span", { className: "both-outcome" }, outcomeText(c)),
  );
  td.dataset.outcome = c.outcome ?? "";
  return td;
}

/**
 * The side-by-side table, or null until both answers are here.
 * @param {Record<string, Record<string, any> | undefined>} answers  comparison → GET /api/experiments/:id?comparison=…
 * @param {Record<string, any> | null} tv  GET …/tuning (for the cost)
 */
export function bothTable(answers, tv) {
  const d = answers.defaults, t = answers.tuned;
  if (!d?.stats || !t?.stats) return null;
  const metric = t.stats.metric;
  /** @type {Record<string, any>[]} */
  const dc = d.stats.comparisons ?? [];
  /** @type {Record<string, any>[]} */
  const tc = t.stats.comparisons ?? [];
  const key = (/** @type {Record<string, any>} */ c) => `${c.a}\n${c.b}`;
  const pairs = [...dc, ...tc.filter((c) => !dc.some((x) => key(x) === key(c)))];
  const unit = isFraction(metric) ? " (points)" : "";
  const head = h(
    "tr",
    {},
    h("th", { scope: "col" }, "A − B"),
    h(
      "th",
      { scope: "col" },
      `${COMPARISON_TITLE.defaults}`,
      h("span", { className: "sub" }, runsText(d)),
    ),
    h(
      "th",
      { scope: "col" },
      `${COMPARISON_TITLE.tuned}`,
      h("span", { className: "sub" }, runsText(t)),
      tv
        ? h(
          "span",
          { className: "sub both-cost" },
          `paid for by the tuning: ${costText(tv.cost, tv.status)}`,
        )
        : null,
    ),
    h("th", { scope: "col" }, "tuning changed the answer?"),
  );
  const rows = pairs.map((p) => {
    const a = dc.find((x) => key(x) === key(p));
    const b = tc.find((x) => key(x) === key(p));
    // Only two decided verdicts can differ: an untested pair has no answer yet.
    const decided = (/** @type {any} */ c) => c && c.outcome && c.outcome !== "untested";
    const changed = decided(a) && decided(b) ? a?.outcome !== b?.outcome : null;
    const tr = h(
      "tr",
      {},
      h("th", { scope: "row", className: "cell-name" }, `${p.labelA} − ${p.labelB}`),
      verdictCell(dc, a, metric),
      verdictCell(tc, b, metric),
      h(
        "td",
        { className: changed ? "changed" : "" },
        changed === null ? "not yet" : changed ? "yes" : "no",
      ),
    );
    tr.dataset.changed = String(changed);
    return tr;
  });
  return h(
    "table",
    { className: "stats-table both-table" },
    h(
      "caption",
      { className: "hint" },
      `${metricTitle(metric)} at ${
        pointText(/** @type {any} */ (t))
      }: mean difference A − B${unit}, its ` +
        "Holm-consistent CI, and the verdict of each comparison, each on its own runs (the " +
        "same comparison seeds). Hover a verdict for its full text.",
    ),
    h("thead", {}, head),
    h("tbody", {}, ...rows),
  );
}

/** "2 seeds, 4 of 4 runs finished". @param {Record<string, any>} answer */
function runsText(answer) {
  const r = answer.stats.runs;
  const seeds = answer.seeds?.length ?? 0;
  return `${seeds} seed${seeds === 1 ? "" : "s"}${
    r && typeof r.finished === "number" ? `, ${r.finished} of ${r.total} runs finished` : ""
  }`;
}
