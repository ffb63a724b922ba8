// Step imbalance (Buda et al. 2018): the first ⌈K/2⌉ classes keep n_max
// images, the rest ⌊n_max/ρ⌋.
import { z } from "zod";
import { imbalanceProfile } from "../plugin.ts";
import { floorCount } from "../sample.ts";
import { ratio } from "./ratio.ts";

export const step = imbalanceProfile({
  name: "step",
  title: "step imbalance",
  description: "The first ⌈K/2⌉ classes keep n_max images, the rest ⌊n_max/ρ⌋ (Buda et al. 2018).",
  schema: z.strictObject({ profile: z.literal("step"), ratio }),
  label: (s) => `LT step ρ=${s.ratio}`,
  targets: (counts, { ratio }) => {
    const nMax = Math.max(0, ...counts);
    return counts.map((_, i) => i < Math.ceil(counts.length / 2) ? nMax : floorCount(nMax / ratio));
  },
});
