// The long-tailed profile of CIFAR-10-LT (Cui et al. 2019): class i keeps
// ⌊n_max · ρ^(−i/(K−1))⌋ images (with ρ = 100: 5000 … 50).
import { z } from "zod";
import { imbalanceProfile } from "../plugin.ts";
import { floorCount } from "../sample.ts";
import { ratio } from "./ratio.ts";

export const exp = imbalanceProfile({
  name: "exp",
  title: "long-tailed (exp)",
  description: "Class i keeps ⌊n_max·ρ^(−i/(K−1))⌋ images: CIFAR-10-LT (Cui et al. 2019).",
  schema: z.strictObject({ profile: z.literal("exp"), ratio }),
  label: (s) => `LT exp ρ=${s.ratio}`,
  targets: (counts, { ratio }) => {
    const k = counts.length;
    const nMax = Math.max(0, ...counts);
    return counts.map((_, i) => k === 1 ? nMax : floorCount(nMax * Math.pow(ratio, -i / (k - 1))));
  },
});
