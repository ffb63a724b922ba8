// The published study's labels: every existing condition (symmetric,
// asymmetric, human, matrix, imbalance exp/step, with and without a validation
// split) must prepare exactly the labels, subsets, flips and records that the
// code before the conditions became plug-ins prepared
// (tests/fixtures/condition_hashes.json, by tools/make_condition_hashes.ts).
import { caseDigest, CONDITION_CASES } from "./util/condition_cases.ts";
import { assertEquals } from "./util/assert.ts";

const fixture = JSON.parse(
  await Deno.readTextFile(new URL("./fixtures/condition_hashes.json", import.meta.url)),
) as { commit: string; cases: Record<string, string> };

Deno.test("condition hashes: the fixture covers every case", () => {
  assertEquals(Object.keys(fixture.cases), CONDITION_CASES.map((c) => c.name));
});

Deno.test("condition hashes: every existing condition prepares the recorded bits", () => {
  const wrong = CONDITION_CASES.filter((c) => caseDigest(c) !== fixture.cases[c.name])
    .map((c) => c.name);
  assertEquals(wrong, []);
});
