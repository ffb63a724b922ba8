// The condition registry (ml/conditions/registry.ts): every kind's schema
// names it, every kind has a label, and for every registered noise kind (a spec
// from its schema's examples) prepareTrain's flips matrix and count are exactly
// those of the labels it returns, with and without an imbalance and a
// validation split. A new kind is covered here without a line changed.
import { z } from "zod";
import { NOISE_KINDS, prepareTrain, STAGES } from "../ml/conditions/mod.ts";
import { Rng } from "../ml/rng.ts";
import type { Condition, Split } from "../ml/types.ts";
import { assert, assertEquals } from "./util/assert.ts";
import { CIFAR } from "./util/splits.ts";

/** A spec of `kind` from its schema: the discriminator, then each field's first example. */
function exampleSpec(stage: (typeof STAGES)[number], name: string): Record<string, unknown> {
  const plugin = stage.plugins.find((p) => p.name === name)!;
  const js = z.toJSONSchema(plugin.schema, { io: "input" }) as {
    properties: Record<string, { examples?: unknown[] }>;
  };
  const spec: Record<string, unknown> = { [stage.by]: name };
  for (const [k, s] of Object.entries(js.properties)) {
    if (k !== stage.by) spec[k] = s.examples?.[0];
  }
  return spec;
}

/** Random 2×2×3 images, 10 classes of unequal size, and a label set "worse". */
function split(): Split {
  const rng = new Rng(17);
  const labels = Uint8Array.from({ length: 1200 }, (_, i) => (i * 7 + (i % 13)) % 10);
  const images = Uint8Array.from({ length: 1200 * 12 }, () => rng.int(256));
  const worse = labels.map((y) => (rng.float() < 0.3 ? (y + 1 + rng.int(9)) % 10 : y));
  return { images, labels, count: 1200, labelSets: { worse } };
}

Deno.test("registry: every kind's schema names it, and it has a label", () => {
  for (const stage of STAGES) {
    for (const p of stage.plugins) {
      const spec = exampleSpec(stage, p.name);
      assertEquals((p.schema.parse(spec) as Record<string, unknown>)[stage.by], p.name);
      assert(p.label(spec as never).length > 0, p.name);
    }
  }
});

Deno.test("every noise kind: the recorded flips matrix and count are the labels'", () => {
  const s = split();
  const labelsBefore = s.labels.slice();
  const noise = STAGES.find((st) => st.key === "labelNoise")!;
  for (const kind of NOISE_KINDS) {
    const labelNoise = exampleSpec(noise, kind.name);
    for (
      const [extra, val] of [[{}, 0], [{ imbalance: { profile: "exp", ratio: 4 } }, 0.1]] as const
    ) {
      const condition = { labelNoise, ...extra } as Condition;
      const p = prepareTrain(s, CIFAR, condition, val, 3);
      // Rebuild the noisy split as trained on + held out: its true labels are the mask's.
      const flips = Array.from({ length: 10 }, () => new Array(10).fill(0));
      let flipped = 0;
      for (let i = 0; i < p.train.count; i++) if (p.flippedMask![i]) flipped++;
      const kept = p.record.imbalanceCounts.reduce((a, b) => a + b, 0);
      assertEquals(p.record.flips.flat().reduce((a, b) => a + b, 0), kept, kind.name);
      for (let t = 0; t < 10; t++) {
        for (let g = 0; g < 10; g++) flips[t][g] = p.record.flips[t][g];
        assertEquals(flips[t].reduce((a, b) => a + b, 0), p.record.imbalanceCounts[t]);
      }
      const off = flips.flat().reduce((a, b) => a + b, 0) - flips.reduce((a, r, i) => a + r[i], 0);
      assertEquals(p.record.flipped, off, kind.name);
      if (val === 0) assertEquals(flipped, off, `${kind.name}: the mask counts every flip`);
      // Given labels by class, as trained on, match the recorded counts.
      const given = new Array(10).fill(0);
      for (const y of p.train.labels) given[y]++;
      assertEquals(p.record.trainCounts, given);
    }
  }
  assertEquals(s.labels, labelsBefore, "input labels untouched");
});
