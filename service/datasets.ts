// The data sets a request may name, and one decoded, shared copy of each per
// process. Requests only ever name a data set: the paths and URLs behind the
// names come from the operator (LOSSBENCH_DATASETS), never from a request.
// Load errors end up in a run's `error` (an API response), so they name the
// data set and paths within it, never server paths; the log keeps the detail.
import { classCounts } from "../ml/conditions/mod.ts";
import { decodedCachePath } from "../ml/data/cache.ts";
import { CIFAR10_FILE, CIFAR10_MD5 } from "../ml/data/cifar_binary.ts";
import { JPEG_DECODERS, type JpegDecoderName } from "../ml/data/jpeg.ts";
import {
  disagreement,
  parseLabelFile,
  parseLabelHeader,
  readHeaderLineSync,
} from "../ml/data/label_sets.ts";
import { loadDataset } from "../ml/data/mod.ts";
import { MAX_LABELS } from "../ml/data/options.ts";
import { shareDataset } from "../ml/protocol.ts";
import type { Dataset } from "../ml/types.ts";
import { redactPaths } from "./redact.ts";

export const BUILTIN_DATASETS = [
  "cifar10",
  "synthetic",
  "synthetic:easy",
  "synthetic:hard",
] as const;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Most classes a service run may have: a 100×100 confusion matrix still fits one KV value. */
export const MAX_CLASSES = 100;
const CLASS_LIMIT = {
  max: MAX_CLASSES,
  why: "the service records each epoch's confusion matrix in one KV value; the CLI takes up to " +
    `${MAX_LABELS}`,
};

/**
 * Parses `name[@decoder]=path-or-url,name2=...` (LOSSBENCH_DATASETS): the
 * sources, and the JPEG decoder of each entry that names one
 * (`cifar10jpg@jpeg-js=…`). Throws on a malformed or duplicate entry.
 */
export function parseDatasetEntries(env: string | undefined): {
  sources: Map<string, string>;
  decoders: Map<string, JpegDecoderName>;
} {
  const sources = new Map<string, string>();
  const decoders = new Map<string, JpegDecoderName>();
  for (const part of (env ?? "").split(",").map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf("=");
    const [name, decoder] = (eq > 0 ? part.slice(0, eq).trim() : "").split("@");
    const spec = eq > 0 ? part.slice(eq + 1).trim() : "";
    if (!NAME.test(name) || !spec) {
      throw new Error(`LOSSBENCH_DATASETS: expected name[@decoder]=path-or-url, got "${part}"`);
    }
    if ((BUILTIN_DATASETS as readonly string[]).includes(name) || sources.has(name)) {
      throw new Error(`LOSSBENCH_DATASETS: data set name "${name}" is already taken`);
    }
    sources.set(name, spec);
    if (decoder !== undefined) {
      if (!(JPEG_DECODERS as readonly string[]).includes(decoder)) {
        throw new Error(
          `LOSSBENCH_DATASETS: ${name}@${decoder}: the decoder must be one of ` +
            `${JPEG_DECODERS.join(", ")}`,
        );
      }
      decoders.set(name, decoder as JpegDecoderName);
    }
  }
  return { sources, decoders };
}

/** The sources of LOSSBENCH_DATASETS by name (parseDatasetEntries). */
export function parseDatasetList(env: string | undefined): Map<string, string> {
  return parseDatasetEntries(env).sources;
}

/**
 * Parses LOSSBENCH_LABEL_SETS, `dataset=labels.csv,...`: a label file (local)
 * per data set, each of `known`. Throws naming the variable.
 */
export function parseLabelSetList(env: string | undefined, known: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (env ?? "").split(",").map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf("=");
    const name = eq > 0 ? part.slice(0, eq).trim() : "";
    const path = eq > 0 ? part.slice(eq + 1).trim() : "";
    if (!name || !path) {
      throw new Error(`LOSSBENCH_LABEL_SETS: expected dataset=labels.csv, got "${part}"`);
    }
    if (!known.includes(name)) {
      throw new Error(
        `LOSSBENCH_LABEL_SETS: "${name}" is not a data set (${known.join(", ")})`,
      );
    }
    if (out.has(name)) throw new Error(`LOSSBENCH_LABEL_SETS: "${name}" is given twice`);
    out.set(name, path);
  }
  return out;
}

/** The label sets a label file's header names; throws naming LOSSBENCH_LABEL_SETS. */
export function labelSetNamesOf(name: string, path: string): string[] {
  try {
    return parseLabelHeader(readHeaderLineSync(path)).sets;
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound ? "no such file" : (e as Error).message;
    throw new Error(`LOSSBENCH_LABEL_SETS: ${name}=${path}: ${why}`);
  }
}

/** A label set as GET /api/datasets shows it. */
export interface LabelSetInfo {
  name: string;
  /** Fraction of train labels that differ from the data set's own; null until it loads. */
  disagreement: number | null;
}

export class Datasets {
  #loaded = new Map<string, Promise<Dataset>>();
  #classes = new Map<string, string[]>();
  #trainCounts = new Map<string, number[]>();
  /** Label set names by data set, from each label file's header (read at start). */
  #setNames = new Map<string, string[]>();
  #disagreement = new Map<string, Map<string, number>>();

  constructor(
    readonly registered: Map<string, string>,
    private cacheDir: string,
    private log: (msg: string) => void = console.log,
    /** LOSSBENCH_JPEG_DECODER; undefined is the default (libjpeg-turbo). */
    private jpegDecoder?: JpegDecoderName,
    private extra: {
      /** A data set's own decoder (LOSSBENCH_DATASETS `name@decoder=`), over jpegDecoder. */
      decoders?: Map<string, JpegDecoderName>;
      /** A data set's label file (LOSSBENCH_LABEL_SETS). */
      labelFiles?: Map<string, string>;
    } = {},
  ) {
    // A label file's header names its sets: read now, so a request naming an unknown
    // set gets a 400 before the data set loads, and a bad file stops the start.
    for (const [name, path] of extra.labelFiles ?? []) {
      this.#setNames.set(name, labelSetNamesOf(name, path));
    }
  }

  /** The label sets a condition on `name` may use (from its label file's header). */
  labelSetNames(name: string): string[] {
    return this.#setNames.get(name) ?? [];
  }

  /** Each label set with its disagreement rate once the data set has loaded. */
  labelSets(name: string): LabelSetInfo[] {
    const rates = this.#disagreement.get(name);
    return this.labelSetNames(name).map((s) => ({ name: s, disagreement: rates?.get(s) ?? null }));
  }

  /** Every name a request may use. */
  names(): string[] {
    return [...BUILTIN_DATASETS, ...this.registered.keys()];
  }

  /** Null when `name` is allowed, else the reason (naming the field). */
  check(name: string): string | null {
    if (this.names().includes(name)) return null;
    return `data: unknown data set "${name.slice(0, 100)}"; use one of: ${this.names().join(", ")}`;
  }

  /** Class names of a set already loaded in this process, else undefined. */
  loadedClasses(name: string): string[] | undefined {
    return this.#classes.get(name);
  }

  /** Train images per class of a set already loaded in this process, else undefined. */
  loadedTrainCounts(name: string): number[] | undefined {
    return this.#trainCounts.get(name);
  }

  /**
   * Whether a set loads without the network (the dashboard defaults to one
   * that does): synthetic always; a registered local path if it exists;
   * cifar10 once cached, or when CIFAR10_URL is a local file.
   */
  async ready(name: string): Promise<boolean> {
    if (name.startsWith("synthetic")) return true;
    if (this.#loaded.has(name)) return true;
    const exists = (p: string) => Deno.stat(p).then(() => true, () => false);
    const local = (spec: string) =>
      /^https?:\/\//i.test(spec) ? Promise.resolve(false) : exists(spec.replace(/^file:\/\//, ""));
    if (name === "cifar10") {
      const url = Deno.env.get("CIFAR10_URL");
      if (url && await local(url)) return true;
      if (await exists(`${this.cacheDir}/${CIFAR10_FILE}`)) return true;
      return await exists(
        decodedCachePath(
          this.cacheDir,
          "cifar10",
          Deno.env.get("CIFAR10_MD5")?.toLowerCase() || CIFAR10_MD5,
        ),
      );
    }
    const spec = this.registered.get(name);
    return spec !== undefined && await local(spec);
  }

  /** The decoded set in SharedArrayBuffers, loaded on first use and kept. */
  get(name: string): Promise<Dataset> {
    // Queued or resumed runs keep their name across restarts: a name no longer
    // registered must fail the run, never be opened as a path.
    const unknown = this.check(name);
    if (unknown) return Promise.reject(new Error(unknown));
    let p = this.#loaded.get(name);
    if (!p) {
      const spec = this.registered.get(name) ?? name;
      p = loadDataset(spec, {
        cacheDir: this.cacheDir,
        onProgress: (msg) => this.log(`data ${name}: ${msg}`),
        label: name,
        classLimit: CLASS_LIMIT,
        jpegDecoder: this.extra.decoders?.get(name) ?? this.jpegDecoder,
      }).then((d) => this.#withLabelSets(name, d)).then((d) => {
        this.#classes.set(name, d.classes);
        this.#trainCounts.set(name, classCounts(d.train.labels, d.classes.length));
        return shareDataset(d);
      }, (e) => {
        this.log(`data ${name} (${spec}): load failed: ${(e as Error)?.stack ?? e}`);
        throw new Error(this.publicError(name, e));
      });
      // A failed load is forgotten, so a later run can try again.
      p.catch(() => this.#loaded.delete(name));
      this.#loaded.set(name, p);
    }
    return p;
  }

  /** Attaches the data set's label sets (a file that doesn't match it is refused). */
  async #withLabelSets(name: string, d: Dataset): Promise<Dataset> {
    const file = this.extra.labelFiles?.get(name);
    if (!file) return d;
    try {
      d.train.labelSets = parseLabelFile(await Deno.readTextFile(file), d);
    } catch (e) {
      throw new Error(`label file: ${(e as Error).message}`, { cause: e });
    }
    const rates = new Map<string, number>();
    for (const [s, labels] of Object.entries(d.train.labelSets)) {
      rates.set(s, disagreement(labels, d.train.labels));
    }
    this.#disagreement.set(name, rates);
    this.#setNames.set(name, [...rates.keys()]);
    return d;
  }

  /**
   * A load error as a response may show it: the message with the data set's
   * source and the cache (and any other absolute path) replaced, prefixed with
   * the name when it doesn't start with it already.
   */
  publicError(name: string, e: unknown): string {
    const spec = this.registered.get(name);
    const labels = this.extra.labelFiles?.get(name);
    const known = [
      ...(spec ? [spec, spec.replace(/^file:\/\//, "")] : []),
      ...(labels ? [labels] : []),
      this.cacheDir,
    ];
    const text = redactPaths(e instanceof Error ? e.message : String(e), known);
    return text.startsWith(`${name}:`) ? text : `${name}: ${text}`;
  }
}
