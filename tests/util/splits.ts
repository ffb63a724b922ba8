// Small train splits whose images remember where they came from, for the
// conditions' tests: each image's 4 bytes hold its index in the original split.
import type { Split } from "../../ml/types.ts";

import { CIFAR10_CLASSES } from "../../ml/conditions/mod.ts";

/** CIFAR-10's class names, in label order (a fresh array: the API takes string[]). */
export const CIFAR: string[] = [...CIFAR10_CLASSES];

/** Classes interleaved as in real data; each image's 4 bytes hold its index. */
export function makeSplit(perClass: number[]): Split {
  const order: number[] = [];
  for (let r = 0; r < Math.max(...perClass); r++) {
    perClass.forEach((n, c) => r < n && order.push(c));
  }
  const count = order.length;
  const images = new Uint8Array(count * 4);
  const view = new DataView(images.buffer);
  for (let i = 0; i < count; i++) view.setUint32(i * 4, i, true);
  return { images, labels: Uint8Array.from(order), count };
}

/** The original index of a split's i-th image. */
export const origin = (s: Split, i: number) =>
  new DataView(s.images.buffer, s.images.byteOffset).getUint32(i * 4, true);
