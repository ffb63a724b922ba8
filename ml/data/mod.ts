// Data sources behind one entry point: `loadDataset(spec, opts)`.
//   "cifar10"              the official binary archive (CIFAR10_URL / CIFAR10_MD5 override)
//   "synthetic[:<train>]"  generated in memory
//   path or http(s) URL    an image-folder directory or .tar.gz/.tgz
import type { Dataset, Split } from "../types.ts";
import { Rng, Stream } from "../rng.ts";
import { sweepStaleTempsOnce } from "./cache.ts";
import { loadCifar10 } from "./cifar_binary.ts";
import { loadImageFolder } from "./image_folder.ts";
import type { LoadOptions } from "./options.ts";
import { parseSyntheticSpec, synthetic } from "./synthetic.ts";

export type { LoadOptions } from "./options.ts";
export { synthetic } from "./synthetic.ts";

export async function loadDataset(spec: string, opts: LoadOptions): Promise<Dataset> {
  const syn = parseSyntheticSpec(spec);
  if (syn) return synthetic(syn);
  await sweepStaleTempsOnce(opts.cacheDir, opts.onProgress);
  if (spec === "cifar10") {
    return await loadCifar10(opts, {
      url: Deno.env.get("CIFAR10_URL") || undefined,
      md5: Deno.env.get("CIFAR10_MD5") || undefined,
    });
  }
  return await loadImageFolder(spec, opts);
}

/**
 * A seeded random subset of `limit` images, in their original order. `limit`
 * undefined or at least the split's size returns the split itself.
 */
export function takeSubset(split: Split, limit: number | undefined, seed: number): Split {
  if (limit === undefined || limit >= split.count) return split;
  if (!Number.isInteger(limit) || limit < 0) {
    throw new Error(`subset limit must be a non-negative integer, got ${limit}`);
  }
  const pixels = split.images.length / split.count;
  const chosen = new Rng(seed, Stream.subset).permutation(split.count).subarray(0, limit).sort();
  const images = new Uint8Array(limit * pixels);
  const labels = new Uint8Array(limit);
  for (let i = 0; i < limit; i++) {
    const j = chosen[i];
    images.set(split.images.subarray(j * pixels, (j + 1) * pixels), i * pixels);
    labels[i] = split.labels[j];
  }
  if (!split.labelSets) return { images, labels, count: limit };
  // Label sets follow their images.
  const labelSets = Object.fromEntries(
    Object.entries(split.labelSets).map(([k, v]) => [k, Uint8Array.from(chosen, (j) => v[j])]),
  );
  return { images, labels, count: limit, labelSets };
}
