// `deno task train --help`: the options (from the run schema), then every
// registered loss with its parameters and every model with its size.
import { z } from "zod";
import { STAGES } from "../conditions/registry.ts";
import { LOSSES } from "../losses/registry.ts";
import type { ModelPlugin, ModelSpec } from "../models/plugin.ts";
import { MODELS } from "../models/registry.ts";
import { describeType, OPTIONS } from "./options.ts";

/** The input the help sizes models for (the report's CIFAR-10). */
export const CIFAR10_SPEC: ModelSpec = { height: 32, width: 32, channels: 3, classes: 10 };

export const USAGE = "usage: deno task train --loss NAME [--param NAME=VALUE]... [options]";

/** Trainable parameters of `model` for inputs of `spec`. */
export function countParams(model: ModelPlugin, spec: ModelSpec): number {
  return model.paramShapes(spec).filter((p) => p.trainable !== false)
    .reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
}

/**
 * `text` in lines of at most `width` characters, the lines after the first indented by
 * `indent`. An interval such as "[0, 1)" is never split.
 */
export function wrap(text: string, width: number, indent: number): string {
  const glued = text.replace(/[[(][^\])[(]*, [^\])[(]*[\])]/g, (m) => m.replace(/ /g, "\u00a0"));
  const lines: string[] = [];
  let line = "";
  for (const w of glued.split(" ")) {
    if (line && line.length + 1 + w.length > width) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  lines.push(line);
  return lines.map((l, i) => (i === 0 ? l : " ".repeat(indent) + l)).join("\n")
    .replace(/\u00a0/g, " ");
}

export function renderHelp(width = 100): string {
  const col = 30;
  const out: string[] = [
    USAGE,
    "",
    "Trains one run. Each epoch prints one line on stdout; progress, the run's settings and its",
    "summary go to stderr (with bars and ETAs on a terminal). Every run option is a field of",
    "POST /api/runs (camelCase there) and is checked by the same schema, with the same messages.",
    "",
    "Options:",
  ];
  for (const o of OPTIONS) {
    const name = o.kind === "help" ? "-h, --help" : `--${o.flag} ${o.metavar}`;
    const text = o.detail ? `${o.meaning}; ${o.detail}` : o.meaning;
    const head = `  ${name}`;
    out.push(
      head.length + 1 > col
        ? `${head}\n${" ".repeat(col)}${wrap(text, width - col, col)}`
        : head.padEnd(col) + wrap(text, width - col, col),
    );
  }
  out.push("", "Losses (--loss NAME; parameters with --param NAME=VALUE):");
  const lw = Math.max(...LOSSES.map((l) => l.name.length)) + 4;
  for (const l of LOSSES) {
    out.push(
      `  ${l.name.padEnd(lw)}${wrap(`${l.title}: ${l.description}`, width - lw - 2, lw + 2)}`,
    );
    const js = z.toJSONSchema(l.params, { io: "input" }) as {
      properties?: Record<string, Record<string, unknown>>;
    };
    for (const [p, s] of Object.entries(js.properties ?? {})) {
      out.push(`${" ".repeat(lw + 4)}${p}: ${describeType(s)}, default ${s.default ?? "none"}`);
    }
  }
  const flags = OPTIONS.filter((o) => o.kind === "variant").map((o) => `--${o.flag} ${o.metavar}`);
  out.push(
    "",
    wrap(
      `Conditions (${flags.join(", ")}), applied in this order, each from its own seeded ` +
        "stream, then --val-fraction:",
      width,
      0,
    ),
  );
  const cw = Math.max(...STAGES.flatMap((st) => st.plugins.map((p) => p.name.length))) + 4;
  for (const st of STAGES) {
    out.push(`  ${st.title}:`);
    for (const p of st.plugins) {
      out.push(`    ${p.name.padEnd(cw)}${wrap(p.description, width - cw - 4, cw + 4)}`);
    }
  }
  out.push("", `Models (--model NAME; sizes for ${specText(CIFAR10_SPEC)} input):`);
  const mw = Math.max(...MODELS.map((m) => m.name.length)) + 4;
  for (const m of MODELS) {
    let size: string;
    try {
      size = `${countParams(m, CIFAR10_SPEC).toLocaleString("en-US")} parameters`;
    } catch (e) {
      size = (e as Error).message;
    }
    out.push(
      `  ${m.name.padEnd(mw)}${
        wrap(`${m.title}: ${m.description.replace(/\.$/, "")} (${size})`, width - mw - 2, mw + 2)
      }`,
    );
  }
  out.push(
    "",
    "Examples:",
    "  deno task train --loss focal --gamma 2 --epochs 20 --out focal2.csv",
    "  deno task train --loss gce --param q=0.7 --noise symmetric:0.4 --data synthetic",
    "  deno task train --loss cb_focal --imbalance exp:100 --val-fraction 0.1",
    "",
    "Exit status: 0 done, 1 the run failed, 2 bad options, 130 interrupted (Ctrl-C).",
  );
  return out.join("\n");
}

export const specText = (s: ModelSpec) =>
  `${s.height}×${s.width}×${s.channels}, ${s.classes} classes`;
