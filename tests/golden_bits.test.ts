// The published study's bits: three training steps of the ConvNet and the MLP with several
// losses must give exactly the weights, eval logits and losses that the code which trained
// the study gave (tests/fixtures/golden_bits.json, recorded at that commit by
// tools/make_golden_bits.ts). Speed work may reorder nothing that rounds differently.
import { setupCpu } from "../ml/kernels/testing.ts";
import { GOLDEN_CASES, goldenDigest } from "./util/golden_steps.ts";
import { assertEquals } from "./util/assert.ts";

await setupCpu();

const fixture = JSON.parse(
  await Deno.readTextFile(new URL("./fixtures/golden_bits.json", import.meta.url)),
) as {
  results:
    ({ weights: string; evalLogits: string; losses: number[] } & typeof GOLDEN_CASES[number])[];
};

Deno.test("golden bits: the fixture covers every case", () => {
  assertEquals(
    fixture.results.map((r) => [r.model, r.loss]),
    GOLDEN_CASES.map((c) => [c.model, c.loss]),
  );
});

for (const c of GOLDEN_CASES) {
  Deno.test(`golden bits: ${c.model} with ${c.loss} trains to the study code's exact weights`, async () => {
    const want = fixture.results.find((r) => r.model === c.model && r.loss === c.loss)!;
    const got = await goldenDigest(c);
    assertEquals(got.losses, want.losses);
    assertEquals(got.weights, want.weights);
    assertEquals(got.evalLogits, want.evalLogits);
  });
}
