// The data sets a request may name, and one decoded, shared copy of each per
// process. Requests only ever name a data set: the paths and URLs behind the
// names come from the operator (LOSSBENCH_DATASETS), never from a request.
// Load errors end up in a run's `error` (an API response), so they name the
// data set and paths within it, never server paths; the log keeps the detail.
import { classCounts } from "../ml/conditions/mod.ts";
import { decodedCachePath } from "../ml/data/cache.ts";
import { CIFAR10_FILE, CIFAR10_MD5 } from "../ml/data/cifar_binary.ts";
import type { JpegDecoderName } from "../ml/data/jpeg.ts";
import { loadDataset } from "../ml/data/mod.ts";
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

/** Parses `name=path-or-url,name2=...`; throws on a malformed or duplicate entry. */
export function parseDatasetList(env: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (env ?? "").split(",").map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf("=");
    const name = eq > 0 ? part.slice(0, eq).trim() : "";
    const spec = eq > 0 ? part.slice(eq + 1).trim() : "";
    if (!NAME.test(name) || !spec) {
      throw new Error(`LOSSBENCH_DATASETS: expected name=path-or-url, got "${part}"`);
    }
    if ((BUILTIN_DATASETS as readonly string[]).includes(name) || out.has(name)) {
      throw new Error(`LOSSBENCH_DATASETS: data set name "${name}" is already taken`);
    }
    out.set(name, spec);
  }
  return out;
}

export class Datasets {
  #loaded = new Map<string, Promise<Dataset>>();
  #classes = new Map<string, string[]>();
  #trainCounts = new Map<string, number[]>();

  constructor(
    readonly registered: Map<string, string>,
    private cacheDir: string,
    private log: (msg: string) => void = console.log,
    /** LOSSBENCH_JPEG_DECODER; undefined is the default (libjpeg-turbo). */
    private jpegDecoder?: JpegDecoderName,
  ) {}

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
        jpegDecoder: this.jpegDecoder,
      }).then((d) => {
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

  /**
   * A load error as a response may show it: the message with the data set's
   * source and the cache (and any other absolute path) replaced, prefixed with
   * the name when it doesn't start with it already.
   */
  publicError(name: string, e: unknown): string {
    const spec = this.registered.get(name);
    const known = spec ? [spec, spec.replace(/^file:\/\//, ""), this.cacheDir] : [this.cacheDir];
    const text = redactPaths(e instanceof Error ? e.message : String(e), known);
    return text.startsWith(`${name}:`) ? text : `${name}: ${text}`;
  }
}
