// The CLI's options, derived from the run schema (ml/config.ts): one flag per
// field (kebab-case), with its type, bounds and default read from the schema's
// JSON Schema, so a new field becomes an option without touching this file.
// Only the one-line meanings live here (the schema has no descriptions yet).
import { z } from "zod";
import { runFieldsSchema } from "../config.ts";
import { editDistance } from "../suggest.ts";
import { variantsOf } from "./variants.ts";

/** A bad command line: exit status 2, message printed as `error: <message>`. */
export class UsageError extends Error {
  override name = "UsageError";
}

type Json = Record<string, unknown>;

export type OptionKind =
  | "number" // a numeric field
  | "string" // a string or enum field
  | "param" // --param NAME=VALUE into `params`, repeatable
  | "variant" // --noise KIND:VALUE, --imbalance PROFILE:RATIO: a condition stage's kinds (a oneOf)
  | "json" // a field of a shape this file doesn't know: the value is JSON
  | "out" // CLI only: a file's path (--out, the CSV; --labels, a label file)
  | "help";

export interface OptionSpec {
  /** Without the dashes: "batch-size". */
  flag: string;
  /** Where the value goes in the run's fields: ["batchSize"], ["condition", "labelNoise"]. */
  path: string[];
  kind: OptionKind;
  /** The value's placeholder in the help: "N", "X", "NAME", "KIND:RATE". */
  metavar: string;
  /** One line: what it does. */
  meaning: string;
  /** From the schema: type, bounds, choices and default. */
  detail: string;
  /** For "variant": the discriminator; each kind's value key, its JSON Schema, whether a number. */
  by?: string;
  variants?: { kinds: string[]; key: string; numeric: boolean; schema: Json }[];
}

/** What each schema field means, keyed by its path. The help says "(no description)" without one. */
export const MEANINGS: Record<string, string> = {
  loss: "the loss function (see Losses below)",
  params: "a parameter of the loss, repeatable (see Losses below for each loss's)",
  gamma: "focal's γ, as before (the same as --param gamma=X)",
  model: "the network (see Models below)",
  epochs: "training epochs",
  batchSize: "images per SGD step",
  lr: "initial learning rate (SGD with momentum)",
  momentum: "SGD momentum",
  stepSize: "epochs between learning-rate decays (StepLR)",
  stepGamma: "factor the learning rate is multiplied by at each decay",
  weightDecay: "L2 weight decay added to the gradient before momentum (PyTorch's SGD weight_decay)",
  schedule: "learning-rate schedule: StepLR, or cosine from lr to 0 over the run",
  warmupEpochs: "cosine only: linear warmup, epoch e < W at lr·(e+1)/(W+1)",
  gradClip: "clip the gradients' global L2 norm to this (PyTorch's clip_grad_norm_)",
  seed: "seeds weights, shuffling, augmentation, subsets and conditions",
  data: "data set: cifar10, synthetic[:N], or a path or URL of an image folder or .tar.gz",
  trainLimit: "train on a seeded random subset of this many images",
  testLimit: "evaluate on a seeded random subset of this many images",
  valFraction: "hold out this fraction of the (conditioned) train split for validation",
  backend: "where to train: auto picks WebGPU on a real GPU, else cpu",
  "condition.labelNoise": "label noise on the train split",
  "condition.imbalance": "long-tailed train split (the test split stays as it is)",
};

/** Defaults the schema can't state (optional fields without one). */
const DEFAULT_TEXT: Record<string, string> = {
  trainLimit: "the whole split",
  testLimit: "the whole split",
  params: "the loss's defaults",
  gamma: "focal's default",
  gradClip: "off",
};

/** Flags that read better than the field's own name. */
const FLAG_NAMES: Record<string, string> = {
  params: "param",
  "condition.labelNoise": "noise",
};

const METAVARS: Record<string, string> = {
  loss: "NAME",
  model: "NAME",
  data: "SPEC",
  params: "NAME=VALUE",
};

export const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** "[0, 1)", "(0, 10]", "≥ 1" from a JSON Schema number. */
function bounds(s: Json): string {
  const lo = s.exclusiveMinimum ?? s.minimum;
  const hi = s.exclusiveMaximum ?? s.maximum;
  if (lo === undefined && hi === undefined) return "";
  if (hi === undefined) return `${s.exclusiveMinimum !== undefined ? ">" : "≥"} ${lo}`;
  if (lo === undefined) return `${s.exclusiveMaximum !== undefined ? "<" : "≤"} ${hi}`;
  return `${s.exclusiveMinimum !== undefined ? "(" : "["}${lo}, ${hi}${
    s.exclusiveMaximum !== undefined ? ")" : "]"
  }`;
}

/** "integer in [1, 500]", "auto|cpu|webgpu", "number > 0". */
export function describeType(s: Json): string {
  if (Array.isArray(s.enum)) return s.enum.join("|");
  const b = bounds(s);
  if (s.type === "integer" || s.type === "number") return `${s.type}${b ? ` in ${b}` : ""}`;
  return String(s.type ?? "value");
}

function defaultText(key: string, s: Json, required: boolean): string {
  if (s.default !== undefined) {
    const d = s.default;
    return typeof d === "object" ? "none" : String(d);
  }
  return required ? "required" : DEFAULT_TEXT[key] ?? "none";
}

function withDefault(type: string, key: string, s: Json, required: boolean): string {
  const d = defaultText(key, s, required);
  return d === "required" ? `${type}, required` : `${type}, default ${d}`;
}

/** The options, in the schema's field order, then --out and --help. */
export function buildOptions(): OptionSpec[] {
  const schema = z.toJSONSchema(runFieldsSchema, { io: "input" }) as Json;
  const props = schema.properties as Record<string, Json>;
  const required = new Set(schema.required as string[]);
  const out: OptionSpec[] = [];
  const add = (key: string, path: string[], s: Json, req: boolean) => {
    const flag = FLAG_NAMES[key] ?? kebab(path[path.length - 1]);
    const meaning = MEANINGS[key] ??
      (typeof s.description === "string" ? s.description : "(no description)");
    const props = s.properties as Record<string, Json> | undefined;
    if (key === "params") {
      out.push({
        flag,
        path,
        kind: "param",
        metavar: METAVARS.params,
        meaning,
        detail: `numbers, default ${DEFAULT_TEXT.params}`,
      });
    } else if (s.type === "number" || s.type === "integer") {
      out.push({
        flag,
        path,
        kind: "number",
        metavar: s.type === "integer" ? "N" : "X",
        meaning,
        detail: withDefault(describeType(s), key, s, req),
      });
    } else if (s.type === "string") {
      const metavar = Array.isArray(s.enum) ? s.enum.join("|") : METAVARS[key] ?? "TEXT";
      const d = defaultText(key, s, req);
      const detail = d === "required" ? d : `default ${d}`;
      out.push({ flag, path, kind: "string", metavar, meaning, detail });
    } else if (s.type === "object" && props && path.length === 1 && key === "condition") {
      for (const [sub, ss] of Object.entries(props)) {
        add(`${key}.${sub}`, [...path, sub], ss, false);
      }
    } else if (Array.isArray(s.oneOf) && variantsOf(s.oneOf as Json[])) {
      // A stage's kinds → --noise KIND:VALUE, --imbalance PROFILE:RATIO.
      const { by, variants } = variantsOf(s.oneOf as Json[])!;
      const keys = new Set(variants.map((v) => v.key));
      const metavar = `${by.toUpperCase()}:${
        keys.size === 1 ? [...keys][0].toUpperCase() : "VALUE"
      }`;
      // Kinds whose values read alike share a piece: "symmetric|asymmetric:RATE [0, 1)".
      const pieces = new Map<string, string[]>();
      for (const { kinds, key, numeric, schema: vs } of variants) {
        const b = numeric ? describeType(vs).replace(/^(number|integer) (in )?/, " ") : "";
        const value = `${typeof vs.metavar === "string" ? vs.metavar : key.toUpperCase()}${b}`;
        pieces.set(value, [...(pieces.get(value) ?? []), ...kinds]);
      }
      const detail = `${[...pieces].map(([v, ks]) => `${ks.join("|")}:${v}`).join(", ")}, ` +
        "default none";
      out.push({ flag, path, kind: "variant", metavar, meaning, detail, by, variants });
    } else {
      out.push({ flag, path, kind: "json", metavar: "JSON", meaning, detail: "a JSON value" });
    }
  };
  // What a study varies first, then the shared settings in the schema's order.
  const first = ["loss", "params", "gamma", "model", "condition"].filter((k) => k in props);
  const keys = [...first, ...Object.keys(props).filter((k) => !first.includes(k))];
  for (const key of keys) add(key, [key], props[key], required.has(key));
  out.push({
    flag: "out",
    path: [],
    kind: "out",
    metavar: "FILE",
    meaning: "write the per-epoch CSV here (rewritten after every epoch)",
    detail: "default none",
  });
  out.push({
    flag: "labels",
    path: [],
    kind: "out",
    metavar: "FILE",
    meaning: "a label file for --data (CSV; its sets are what --noise human:SET names)",
    detail: "default none",
  });
  out.push({
    flag: "help",
    path: [],
    kind: "help",
    metavar: "",
    meaning: "show this help",
    detail: "",
  });
  return out;
}

export const OPTIONS: readonly OptionSpec[] = buildOptions();

/** The flag `typed` is probably a typo of (camelCase and case forgiven), if any. */
export function suggestFlag(typed: string, flags: readonly string[]): string | undefined {
  const norm = kebab(typed).toLowerCase().replace(/_/g, "-");
  let best: string | undefined, bestDist = Infinity;
  for (const f of flags) {
    if (norm === f) return f;
    const d = editDistance(norm, f);
    if (d < bestDist) [best, bestDist] = [f, d];
  }
  if (best !== undefined && bestDist <= Math.max(1, Math.floor(typed.length / 3))) return best;
  // A unique prefix ("--val" → "--val-fraction").
  const pre = flags.filter((f) => norm.length >= 2 && f.startsWith(norm));
  return pre.length === 1 ? pre[0] : undefined;
}

/** A finite number, or a UsageError naming the option. "" and "0x10" are refused. */
function number(text: string, where: string): number {
  const t = text.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) {
    throw new UsageError(`${where}: not a number: ${JSON.stringify(text)}`);
  }
  return Number(t);
}

export interface ParsedArgs {
  /** The run's fields as the API would take them (not yet validated). */
  fields: Record<string, unknown>;
  out?: string;
  /** --labels: a label file for the data set (ml/data/label_sets.ts). */
  labels?: string;
  help: boolean;
}

function setPath(obj: Record<string, unknown>, path: string[], value: unknown): void {
  let o = obj;
  for (const k of path.slice(0, -1)) o = (o[k] ??= {}) as Record<string, unknown>;
  o[path[path.length - 1]] = value;
}

/**
 * Turns argv into the run's fields. Numbers are parsed here; everything else
 * (bounds, names, a loss's parameters) is left to the schema, so the CLI and the
 * API give the same messages. Throws UsageError.
 */
export function parseArgs(args: readonly string[], options = OPTIONS): ParsedArgs {
  const byFlag = new Map(options.map((o) => [o.flag, o]));
  const flags = options.map((o) => o.flag);
  const fields: Record<string, unknown> = {};
  const params: Record<string, number> = {};
  const seen = new Set<string>();
  let out: string | undefined, labels: string | undefined;
  let help = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "-h") {
      help = true;
      continue;
    }
    if (!arg.startsWith("--") || arg === "--") {
      if (arg.startsWith("-") && arg.length > 1) {
        throw new UsageError(`unknown option ${arg}; options start with --`);
      }
      throw new UsageError(`${JSON.stringify(arg)}: unexpected argument (options start with --)`);
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const opt = byFlag.get(name);
    if (!opt) {
      const close = suggestFlag(name, flags);
      throw new UsageError(
        `unknown option --${name}${close ? `; did you mean --${close}?` : ""}`,
      );
    }
    if (opt.kind === "help") {
      if (eq >= 0) throw new UsageError(`--help: takes no value`);
      help = true;
      continue;
    }
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      const next = args[i + 1];
      if (next === undefined || (next.startsWith("--") && next.length > 2)) {
        throw new UsageError(`--${name}: needs a value (--${name} ${opt.metavar})`);
      }
      value = next;
      i++;
    }
    if (opt.kind !== "param") {
      if (seen.has(name)) throw new UsageError(`--${name}: given twice`);
      seen.add(name);
    }
    switch (opt.kind) {
      case "number":
        setPath(fields, opt.path, number(value, `--${name}`));
        break;
      case "string":
        setPath(fields, opt.path, value);
        break;
      case "out":
        if (name === "labels") labels = value;
        else out = value;
        break;
      case "param": {
        const m = /^([^=\s]+)=(.*)$/.exec(value);
        if (!m) {
          throw new UsageError(`--${name}: expected NAME=VALUE, got ${JSON.stringify(value)}`);
        }
        if (m[1] in params) throw new UsageError(`--${name} ${m[1]}: given twice`);
        params[m[1]] = number(m[2], `--${name} ${m[1]}`);
        break;
      }
      case "variant": {
        // The kind is up to the first colon, so "matrix:human:worse" keeps its value whole.
        const at = value.indexOf(":");
        if (at < 0) {
          throw new UsageError(
            `--${name}: expected ${opt.metavar} (${opt.detail.replace(/, default none$/, "")}), ` +
              `got ${JSON.stringify(value)}`,
          );
        }
        const kind = value.slice(0, at);
        // An unknown kind takes the first variant's shape, so the schema names the kind.
        const v = opt.variants!.find((x) => x.kinds.includes(kind)) ?? opt.variants![0];
        const text = value.slice(at + 1);
        setPath(fields, opt.path, {
          [opt.by!]: kind,
          [v.key]: v.numeric ? number(text, `--${name} ${v.key.toUpperCase()}`) : text,
        });
        break;
      }
      case "json":
        try {
          setPath(fields, opt.path, JSON.parse(value));
        } catch {
          throw new UsageError(`--${name}: not valid JSON: ${JSON.stringify(value)}`);
        }
        break;
    }
  }
  if (Object.keys(params).length) fields.params = params;
  return { fields, out, labels, help };
}
