// Asymmetric noise: flips between similar-looking classes (Patrini et al.
// 2017's map for CIFAR-10), class-conditional with exact counts.
import { z } from "zod";
import { noiseKind, pct } from "../plugin.ts";
import { flipByMap } from "./class_map.ts";
import { rate } from "./rate.ts";

export const CIFAR10_CLASSES = [
  "airplane",
  "automobile",
  "bird",
  "cat",
  "deer",
  "dog",
  "frog",
  "horse",
  "ship",
  "truck",
] as const;

/** The usual asymmetric map for CIFAR-10 (Patrini et al. 2017): similar-looking classes. */
const CIFAR10_FLIPS: [string, string][] = [
  ["truck", "automobile"],
  ["bird", "airplane"],
  ["deer", "horse"],
  ["cat", "dog"],
  ["dog", "cat"],
];

const norm = (s: string) => s.trim().toLowerCase();

/** Whether `classes` are CIFAR-10's, in any order and case. */
export function isCifar10(classes: string[]): boolean {
  const names = new Set(classes.map(norm));
  return classes.length === 10 && CIFAR10_CLASSES.every((c) => names.has(c));
}

/**
 * Where asymmetric noise sends each class's flipped labels, by class index; −1
 * for a class that keeps its labels. CIFAR-10 (by class names): the usual map;
 * any other set: class i → (i + 1) mod K.
 */
export function asymmetricTargets(classes: string[]): number[] {
  if (isCifar10(classes)) {
    const at = new Map(classes.map((c, i) => [norm(c), i]));
    const to = classes.map(() => -1);
    for (const [from, dest] of CIFAR10_FLIPS) to[at.get(from)!] = at.get(dest)!;
    return to;
  }
  return classes.map((_, i) => (i + 1) % classes.length);
}

export const asymmetric = noiseKind({
  name: "asymmetric",
  title: "asymmetric noise",
  description: "In each mapped class, round(rate·n_c) labels go to a similar class: " +
    "Patrini et al. 2017's CIFAR-10 map truck→automobile, bird→airplane, deer→horse, cat↔dog; " +
    "on other data sets i→i+1. On CIFAR-10 the overall flipped fraction is half the rate.",
  schema: z.strictObject({ kind: z.literal("asymmetric"), rate }),
  label: (s) => `asym noise ${pct(s.rate)}`,
  apply: (spec, { truth, classes }, rng) =>
    flipByMap(truth, asymmetricTargets(classes), spec.rate, rng),
});
