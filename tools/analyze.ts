// `deno task analyze results.csv [--metric M] [--family losses|control|all] [--control C]
//  [--delta D] [--hypothesis "A>B"]… [--json]`: an experiment's statistics for per-seed values
// trained elsewhere (CSV: cell,seed,metric,value[,n][,group]), as POST /api/analyses gives them.
import { AnalysisInputError, analyze, parseCsv } from "../stats/analysis.ts";
import { familyOptions } from "../routes/stats_query.ts";
import { isFraction } from "../stats/metric_info.ts";
import { formatValue } from "../stats/verdict.ts";

function main(args: string[]): number {
  const flags: Record<string, string[]> = {};
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--json") flags.json = ["1"];
    else if (a.startsWith("--")) (flags[a.slice(2)] ??= []).push(args[++i] ?? "");
    else files.push(a);
  }
  if (files.length !== 1) {
    console.error(
      "usage: deno task analyze results.csv [--metric M] [--family losses|control|all]" +
        ' [--control C] [--delta D] [--hypothesis "A>B"]… [--json]',
    );
    return 2;
  }
  try {
    const rows = parseCsv(Deno.readTextFileSync(files[0]));
    const fam = familyOptions({
      family: (flags.family?.[0] ?? "losses") as "losses" | "control" | "all",
      control: flags.control?.[0],
      hypothesis: flags.hypothesis,
    });
    const delta = flags.delta ? Number(flags.delta[0]) : undefined;
    if (delta !== undefined && !(delta > 0)) throw new AnalysisInputError("--delta: a number > 0");
    const s = analyze(rows, { metric: flags.metric?.[0], ...fam, delta });
    if (flags.json) {
      console.log(JSON.stringify(s, null, 1));
      return 0;
    }
    for (const c of s.cells) {
      const m = c.summary[s.metric];
      console.log(
        `${c.label}: n = ${m.n}, mean ${
          m.mean === null ? "–" : formatValue(m.mean, s.metric, false)
        }` +
          (m.sd === null ? "" : ` ± ${formatValue(m.sd, s.metric, false)} (sd)`),
      );
    }
    const unit = isFraction(s.metric) ? " points" : "";
    const margin = s.delta === null ? "none" : `±${formatValue(s.delta, s.metric, false)}${unit}`;
    console.log(`δ = ${margin}, α = ${s.alpha}`);
    for (const c of s.comparisons) console.log(c.verdict);
    for (const h of s.hypotheses) console.log(h.verdict);
    return 0;
  } catch (e) {
    if (
      e instanceof AnalysisInputError || e instanceof Deno.errors.NotFound || e instanceof Error
    ) {
      console.error(`error: ${(e as Error).message}`);
      return 1;
    }
    throw e;
  }
}

Deno.exit(main(Deno.args));
