// A tuned setting's part of the study page (issue 19): every loss at its own tuned settings next
// to the shared defaults on the same seeds. The protocol, the chosen configurations and both
// comparisons side by side (tuned.ts), the test accuracy curves of both, the isolation plot and
// the budget curves (the figure page's views), the tuning's cost next to the comparison it paid
// for, and the findings (tuned_findings.ts). Every number comes from
// GET /api/experiments/:id?comparison=defaults|tuned and GET /api/experiments/:id/tuning.
import { hours, NAMES, type Shot, type Throughput, throughput } from "./compute.ts";
import type { Api } from "./service.ts";
import type { StudySetting } from "./settings.ts";
import {
  bothTable,
  chosenTable,
  claimsTable,
  COMPARISON,
  finalTables,
  noisyVal,
  sym,
  type TunedData,
  valueText,
} from "./tuned.ts";
import { tunedFindings } from "./tuned_findings.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

/** The figures' titles (the figure page's metric titles). */
const FIGURE_TITLE: Record<string, string> = {
  testAcc: "Test accuracy (%)",
  trainAccNoisy: "Train accuracy on flipped labels (%)",
};

const SAMPLER: Record<string, string> = { sobol: "Sobol", halton: "Halton", random: "random" };

/** How a searched setting is drawn: "log-uniform on [0.001, 0.3]". */
export function rangeText(v: Json): string {
  const [kind, arg] = Object.entries(v)[0] ?? [];
  const list = (xs: unknown[]) => xs.map(valueText).join(", ");
  switch (kind) {
    case "logUniform":
      return `log-uniform on [${list(arg as unknown[])}]`;
    case "uniform":
      return `uniform on [${list(arg as unknown[])}]`;
    case "int":
      return `an integer in [${list(arg as unknown[])}]`;
    case "choice":
      return `one of ${list(arg as unknown[])}`;
    default:
      return JSON.stringify(v);
  }
}

/** The tuning's cost, said next to the comparison it paid for. */
export function costParagraph(d: TunedData, trials: Throughput, tuned: Throughput): string {
  const c = d.tuning.cost;
  const asha = d.exp.tune.pruner?.asha;
  const ratio = tuned.computeSeconds > 0 ? trials.computeSeconds / tuned.computeSeconds : null;
  return `**What the tuned comparison cost.** Its ${tuned.runs} runs were paid for by the tuning: ` +
    `${c.runs} trial runs (${d.exp.cells.length} losses × ${d.exp.tune.trials} trials × ` +
    `${d.tuning.seeds.length} tuning seed${d.tuning.seeds.length > 1 ? "s" : ""}), ` +
    `${c.epochs} epochs, ${(c.images / 1e6).toFixed(2)} M images, ` +
    `${hours(1000 * trials.computeSeconds)} of run time (${hours(trials.wallMs)} of wall time)` +
    (ratio === null ? "" : `, ${ratio.toFixed(1)}× the tuned comparison's own run time`) +
    (asha && c.savedFraction !== null
      ? `. Successive halving (η = ${asha.reduction}, rungs at ${
        d.tuning.rungs.join(", ")
      } epochs) trained ${c.epochs} of the ${c.epochsWithoutPruning} epochs every trial would ` +
        `have trained to the end: it saved ${(100 * c.savedFraction).toFixed(0)}% of the images.`
      : ".");
}

/** The section: markdown, screenshots, and its rows of the compute table. */
export async function tunedSection(
  api: Api,
  s: StudySetting,
  id: string,
  exp: Json,
  claims: string,
  figDir: string,
): Promise<{ md: string[]; shots: Shot[]; compute: [string, Throughput][] }> {
  const read = (c: string) =>
    api.get(`/api/experiments/${id}?metric=testAcc&comparison=${c}${claims}`);
  const has = (c: string) => (exp.compare ?? []).includes(c);
  const tunedView = await read("tuned");
  const d: TunedData = {
    exp: tunedView,
    tuned: tunedView.stats,
    defaults: has("defaults") ? (await read("defaults")).stats : null,
    tuning: await api.get(`/api/experiments/${id}/tuning`),
  };
  const runs = d.exp.runs;
  const role = (r: Json) => r.tune?.role;
  const [trials, tuned, defaults] = await Promise.all([
    throughput(api, runs.filter((r: Json) => role(r) === "trial")),
    throughput(api, runs.filter((r: Json) => role(r) === "confirm")),
    throughput(api, runs.filter((r: Json) => role(r) === undefined)),
  ]);
  const t = d.exp.tune, tv = d.tuning;
  const shots: Shot[] = [];
  const figure = (file: string, query: string, alt: string, width = 900, height = 480) => {
    shots.push({ path: `${figDir}/${file}`, query: `experiment=${id}&${query}`, width, height });
    return [`![${alt}](results/${file})`, ""];
  };
  const space = Object.entries(t.space).map(([k, v]) =>
    `${k.startsWith("params.") ? sym(k.slice(7)) : k} ${rangeText(v)}`
  );
  const runsText = (st: Json | null) =>
    st ? `${st.runs.finished} of ${st.runs.total} runs finished` : "not run";
  const n = d.exp.seeds.length;
  // Both comparisons' accuracy curves on one y axis: the sd bands' extent, out to 10 points.
  const ends = [d.tuned, d.defaults].flatMap((st) =>
    (st?.cells ?? []).flatMap((c: Json) =>
      (c.perEpoch?.testAcc ?? []).flatMap((r: Json) =>
        r.mean === null ? [] : [100 * (r.mean - (r.sd ?? 0)), 100 * (r.mean + (r.sd ?? 0))]
      )
    )
  );
  const axis = ends.length
    ? `&ymin=${Math.max(0, 10 * Math.floor(Math.min(...ends) / 10))}&ymax=${
      Math.min(100, 10 * Math.ceil(Math.max(...ends) / 10))
    }`
    : "";
  const band = (c: "tuned" | "defaults", m = "testAcc") =>
    encodeURIComponent(
      `${FIGURE_TITLE[m] ?? m} ${COMPARISON[c]}: mean over ${n} seeds, band ±1 sd`,
    );
  const md = [
    `## ${s.title}`,
    "",
    `Experiment \`${id}\` (“${s.name}”): ${d.exp.cells.length} losses × seeds ${
      d.exp.seeds.join(", ")
    }, each at the shared defaults (${runsText(d.defaults)}) and at its own tuned settings ` +
    `(${runsText(d.tuned)}). Summary point: the final epoch.`,
    "",
    `**Protocol.** Every loss gets the same budget: ${t.trials} ${
      SAMPLER[t.sampler] ?? t.sampler
    } trials (trial k ` +
    `tries the same point for every loss) on a ${
      Math.round(100 * d.exp.settings.valFraction)
    }% validation split held out of the train split, tuning seed${
      tv.seeds.length > 1 ? "s" : ""
    } ` +
    `${tv.seeds.join(", ")} (disjoint from the comparison's), ${d.exp.settings.epochs} epochs` +
    (t.pruner?.asha ? `, successive halving at rungs of ${tv.rungs.join(", ")} epochs` : "") +
    `. The space: ${space.join("; ")} (a loss's own parameters only for the losses that have ` +
    `them). Trials never evaluate the test split.` +
    (noisyVal(d.exp)
      ? " The validation split is cut after the label noise is applied, so trials are scored " +
        "against noisy labels, as they would be in practice: a validation accuracy reads lower " +
        "than the clean test accuracy of the same model."
      : "") +
    ` The chosen configurations then train on the ` +
    `comparison's seeds, next to the shared defaults (lr ${valueText(d.exp.settings.lr)}, each ` +
    `loss's declared parameters) on the same seeds.`,
    "",
    ...chosenTable(d),
    ...figure(
      `${s.id}-isolation.png`,
      "tuning=isolation",
      "validation accuracy of every trial against lr, per loss",
      1200,
      760,
    ),
    ...figure(
      `${s.id}-budget.png`,
      "tuning=budget",
      "expected best validation accuracy against the number of trials",
    ),
    ...figure(
      `${s.id}-testAcc-tuned.png`,
      `metric=testAcc&band=sd&comparison=tuned${axis}&title=${band("tuned")}`,
      `test accuracy ${COMPARISON.tuned}, ${s.title}`,
    ),
    ...(d.defaults
      ? figure(
        `${s.id}-testAcc-defaults.png`,
        `metric=testAcc&band=sd&comparison=defaults${axis}&title=${band("defaults")}`,
        `test accuracy ${COMPARISON.defaults}, ${s.title}`,
      )
      : []),
    ...s.extraMetrics.slice(0, 1).flatMap((m) =>
      figure(
        `${s.id}-${m}-tuned.png`,
        `metric=${m}&band=sd&comparison=tuned&title=${band("tuned", m)}`,
        `${NAMES[m] ?? m} ${COMPARISON.tuned}, ${s.title}`,
      )
    ),
    ...finalTables(d, s.extraMetrics),
    ...bothTable(d),
    ...claimsTable(d),
    costParagraph(d, trials, tuned),
    "",
    "**What it shows.**",
    "",
    ...tunedFindings(d).map((l) => `- ${l}`),
    "",
  ];
  return {
    md,
    shots,
    compute: [
      [`${s.title}: tuning (trials)`, trials],
      [`${s.title}: ${COMPARISON.tuned}`, tuned],
      ...(d.defaults
        ? [[`${s.title}: ${COMPARISON.defaults}`, defaults] as [string, Throughput]]
        : []),
    ],
  };
}
