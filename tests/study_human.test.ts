// The study's human-noise group: its settings (one data set on PIL's pixels, --only human)
// and the report's human-vs-twin table, paired by seed.
import { twinSection } from "../tools/study/human.ts";
import { DATASETS, SETTINGS, type StudySetting } from "../tools/study/settings.ts";
import { assert, assertEquals } from "./util/assert.ts";

Deno.test("study: the human group on PIL's pixels; the published settings keep jpeg-js", () => {
  const human = SETTINGS.filter((s) => s.group === "human");
  assertEquals(human.map((s) => s.id), [
    "human-worse",
    "human-worse-matrix",
    "human-aggre",
    "human-random1",
  ]);
  for (const s of human) {
    assertEquals(s.data, "cifar10pil");
    assertEquals(s.body.epochs, 20);
    assertEquals(s.body.repeats, 3);
    assertEquals(s.extraMetrics, ["trainAccNoisy", "trainAccClean"]);
  }
  assertEquals(DATASETS.cifar10pil, "libjpeg-turbo");
  assertEquals(DATASETS.cifar10jpg, "jpeg-js");
  for (const s of SETTINGS.filter((s) => !s.group)) assertEquals(s.data, undefined);
});

Deno.test("study: the twin table pairs each loss's seeds across the two experiments", () => {
  const run = (label: string, seed: number, testAcc: number) => ({
    status: "done",
    label,
    config: { seed },
    last: { testAcc },
  });
  const byId = (id: string) => SETTINGS.find((s) => s.id === id)!;
  const views = new Map<StudySetting, unknown>([
    [byId("human-worse"), {
      runs: [1, 2, 3].map((k) => run("ce · human noise: worse", k, 0.30 + k / 100)),
    }],
    [byId("human-worse-matrix"), {
      runs: [1, 2, 3].map((k) =>
        run("ce · matrix twin of human:worse", k, 0.35 + k / 100 + (k === 2 ? 0.01 : 0))
      ),
    }],
  ]);
  const md = twinSection(views).join("\n");
  const row = md.split("\n").find((l) => l.startsWith("| ce |"));
  assert(row !== undefined, md);
  // Human 31, 32, 33 → 32.00; twin 36, 38, 38 → 37.33; differences 5, 6, 5 → +5.33.
  // 95% CI: 5.33 ± t(0.975, 2)·0.577/√3 = 5.33 ± 1.43; t = 16, p = 0.0039.
  assert(row!.startsWith("| ce | 32.00 | 37.33 | +5.33 | [+3.90, +6.77] | 3 | 0.0039 |"), row);
  assert(md.includes("harder than its synthetic twin for this model?** Yes for ce."), md);
  assertEquals(twinSection(new Map([[byId("human-worse"), { runs: [] }]])), []);
});
