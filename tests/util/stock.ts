// Asserts that one of the project's kernels matches the stock tfjs cpu kernel.
import type * as tf from "@tensorflow/tfjs-core";
import { compareWithStock } from "../../ml/kernels/testing.ts";
import { assert, assertEquals } from "./assert.ts";

export function checkAgainstStock(
  name: string,
  inputs: Record<string, tf.Tensor>,
  attrs: Record<string, unknown>,
  what: string,
): void {
  const c = compareWithStock(name, inputs, attrs as never);
  assertEquals(c.shape, c.stockShape, `${name} ${what} shape`);
  assert(c.maxRel < 1e-5, `${name} ${what}: max diff ${c.maxAbs} (rel ${c.maxRel})`);
}
