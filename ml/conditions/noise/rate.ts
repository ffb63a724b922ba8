// The rate field the synthetic noise kinds share.
import { z } from "zod";

/** A noise rate: the fraction of labels flipped, in [0, 1). */
export const rate = z.number().min(0).lt(1).describe("Fraction of labels flipped, in [0, 1)")
  .meta({ examples: [0.4] });
