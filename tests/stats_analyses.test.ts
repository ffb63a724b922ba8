// POST /api/analyses over real HTTP (and the same rows through `deno task analyze`): the issue's
// counter-examples give the right answers for values trained elsewhere.
import { assert, assertEquals } from "./util/assert.ts";
import { contractViolations, startServer } from "./util/server.ts";

const acc = (...ks: number[]) => ks.map((k) => k / 1e4);

function rows(cell: string, values: (number | null)[], metric = "testAcc", n?: number) {
  return values.map((value, i) => ({ cell, seed: i + 1, metric, value, ...(n ? { n } : {}) }));
}

const csv = (rs: ReturnType<typeof rows>) =>
  "cell,seed,metric,value,n\n" +
  rs.map((r) => `${r.cell},${r.seed},${r.metric},${r.value ?? "NaN"},${r.n ?? ""}`).join("\n");

Deno.test("POST /api/analyses: the issue's counter-examples, over HTTP", async (t) => {
  const srv = await startServer();
  const post = async (body: unknown) => {
    const res = await fetch(new URL("api/analyses", srv.url), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
  try {
    await t.step(
      "near-tie: ±5 images tie, Wilcoxon p = 0.391 (not float rounding's 0.086)",
      async () => {
        const values = [
          ...rows("A", acc(6004, 6005, 6006, 5995, 5996, 5997, 6300, 6400), "testAcc", 10000),
          ...rows("B", acc(5999, 6000, 6001, 6000, 6001, 6002, 6290, 6388), "testAcc", 10000),
        ];
        for (const body of [{ values }, { csv: csv(values) }]) {
          const { status, body: s } = await post(body);
          assertEquals(status, 200);
          const [c] = s.comparisons;
          assertEquals(c.resolution, 1e-4);
          assert(Math.abs(c.pWilcoxon - 0.390625) < 1e-12, String(c.pWilcoxon));
          assertEquals([c.family, c.familySize, c.correction], [
            "losses within the experiment",
            1,
            "Holm",
          ]);
          assert(["equivalent", "inconclusive"].includes(c.outcome), c.outcome);
        }
      },
    );
    await t.step("a constant +1 image reads the same however the floats fall", async () => {
      const a = acc(6001, 6101, 6201, 6301, 6004, 6501);
      const b = acc(6000, 6100, 6200, 6300, 6003, 6500);
      const { body: s } = await post({
        values: [...rows("A", a, "testAcc", 10000), ...rows("B", b, "testAcc", 10000)],
      });
      const [c] = s.comparisons;
      assertEquals([c.pT, c.outcome], [null, "untested"]);
      assert(/same difference on every seed/.test(c.verdict), c.verdict);
      // Without n (no resolution) float rounding makes a "test" of it: p ≈ 1e-60.
      const raw = (await post({ values: [...rows("A", a), ...rows("B", b)] })).body.comparisons[0];
      assert(raw.pT !== null && raw.pT < 1e-10, String(raw.pT));
    });
    await t.step("zeros without ties at n = 15: SciPy's normal approximation, 9.8e-4", async () => {
      const k = Array.from({ length: 15 }, (_, i) => i);
      const { body: s } = await post({
        values: [
          ...rows("A", k.map((x) => (6000 + x) / 1e4), "testAcc", 10000),
          ...rows("B", k.map(() => 0.6), "testAcc", 10000),
        ],
      });
      assert(Math.abs(s.comparisons[0].pWilcoxon / 0.0009815397525216685 - 1) < 1e-9);
    });
    await t.step("diverged runs are counted and said, direction sets P(A better)", async () => {
      const values = [
        ...rows("gce", [1.01, 1.02, null, 1.0, 0.99, null, 1.03, 1.05], "testLoss"),
        ...rows("ce", [1.11, 1.10, 1.2, 1.15, 1.09, 1.12, 1.13, 1.14], "testLoss"),
      ];
      const { body: s } = await post({ csv: csv(values) });
      const [c] = s.comparisons;
      assertEquals([c.divergedA, c.divergedB, c.n], [2, 0, 6]);
      assert(/2 of 8 runs of gce diverged/.test(c.verdict), c.verdict);
      assertEquals(c.pImprove, 1, "every seed has the lower (better) loss");
      assertEquals(c.outcome, "A better");
    });
    await t.step("a declared one-sided claim, and families by group", async () => {
      const values = [
        ...rows("ce", acc(5671, 5702, 5650, 5733, 5601, 5690, 5711, 5644), "testAcc", 10000),
        ...rows("focal", acc(5610, 5655, 5660, 5650, 5590, 5600, 5680, 5600), "testAcc", 10000),
      ];
      const { body: s } = await post({ values, hypotheses: ["focal>ce"] });
      const [h] = s.hypotheses;
      assertEquals(h.claim, "focal beats ce on test accuracy");
      assert(h.p > 0.5 && !h.supported, JSON.stringify(h));
      const grouped = [...values, ...values.map((v) => ({ ...v, cell: v.cell + "·noise" }))]
        .map((v) => ({ ...v, group: v.cell.endsWith("noise") ? "noise" : "clean" }));
      const g = (await post({ values: grouped })).body;
      assertEquals(g.families.map((f: { size: number }) => f.size), [1, 1]);
      const all = (await post({ values: grouped, family: "all" })).body;
      assertEquals(all.families.map((f: { size: number }) => f.size), [6]);
      const ctl = (await post({ values: grouped, family: "control", control: "ce" })).body;
      assertEquals(ctl.comparisons.map((c: { b: string }) => c.b), ["ce"]);
    });
    await t.step("bad input is a 400 naming the field", async () => {
      const bad = await post({ csv: "cell,seed,metric,value\nA,x,testAcc,0.5" });
      assertEquals(bad.status, 400);
      assert(/line 2: seed/.test(bad.body.error), bad.body.error);
      const none = await post({});
      assertEquals(none.status, 400);
      assert(/values or csv/.test(none.body.error), none.body.error);
      const claim = await post({ values: rows("A", [0.5, 0.6]), hypotheses: ["A beats B"] });
      assertEquals(claim.status, 400);
    });
    assertEquals(contractViolations(srv.output().split("\n")), []);
  } finally {
    await srv.stop();
  }
});

Deno.test("deno task analyze: the same verdicts from a CSV file", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/results.csv`;
  await Deno.writeTextFile(
    file,
    csv([
      ...rows("A", acc(6004, 6005, 6006, 5995, 5996, 5997, 6300, 6400), "testAcc", 10000),
      ...rows("B", acc(5999, 6000, 6001, 6000, 6001, 6002, 6290, 6388), "testAcc", 10000),
    ]),
  );
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "tools/analyze.ts", file, "--json"],
    cwd: new URL("..", import.meta.url).pathname,
  }).output();
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
  const s = JSON.parse(new TextDecoder().decode(out.stdout));
  assert(Math.abs(s.comparisons[0].pWilcoxon - 0.390625) < 1e-12);
  const text = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "tools/analyze.ts", file],
    cwd: new URL("..", import.meta.url).pathname,
  }).output();
  const words = new TextDecoder().decode(text.stdout);
  assert(/A − B: \+0\.03 points test accuracy/.test(words), words);
  assert(/family: losses within the experiment, 1 comparison, Holm/.test(words), words);
  await Deno.remove(dir, { recursive: true });
});
