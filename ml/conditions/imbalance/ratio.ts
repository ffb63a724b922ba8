// The ratio field the imbalance profiles share.
import { z } from "zod";

/** ρ: the largest class's size over the smallest's. */
export const ratio = z.number().min(1).max(1e6).describe("ρ: largest class over smallest, ≥ 1")
  .meta({ examples: [100] });
