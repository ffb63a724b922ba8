// GET /api/conditions over real HTTP (the registry's stages in composition
// order, each kind's JSON Schema), and a 400 naming the field for each bad
// field of every registered kind, for a run and for an experiment's row.
import { z } from "zod";
import { NOISE_KINDS, STAGES } from "../ml/conditions/registry.ts";
import { assert, assertEquals } from "./util/assert.ts";
import { startServer } from "./util/server.ts";

let srv: Awaited<ReturnType<typeof startServer>>;
const post = async (path: string, body: unknown) => {
  const res = await fetch(`${srv.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, error: (await res.json()).error as string };
};
const run = (condition: unknown) => post("api/runs", { loss: "ce", data: "synthetic", condition });

Deno.test("conditions over HTTP", async (t) => {
  srv = await startServer();
  try {
    await t.step("GET /api/conditions", conditionsCatalog);
    await t.step("POST /api/runs: bad fields", badFields);
    await t.step("POST /api/experiments: a bad row", badRow);
  } finally {
    await srv.stop();
  }
});

/** The stages in order, each kind with its JSON Schema. */
async function conditionsCatalog() {
  const res = await fetch(`${srv.url}api/conditions`);
  assertEquals(res.status, 200);
  const body = await res.json();
  assertEquals(body.order, ["imbalance", "labelNoise", "validation"]);
  assertEquals(
    body.stages.map((s: { key: string; by: string }) => [s.key, s.by]),
    [["imbalance", "profile"], ["labelNoise", "kind"]],
  );
  STAGES.forEach((stage, i) => {
    const kinds = body.stages[i].kinds;
    assertEquals(kinds.map((k: { name: string }) => k.name), stage.plugins.map((p) => p.name));
    for (const [k, p] of kinds.map((k: never, j: number) => [k, stage.plugins[j]])) {
      assertEquals(k.schema, z.toJSONSchema(p.schema, { io: "input" }));
      assertEquals(k.schema.properties[stage.by].const, p.name);
      assertEquals(k.schema.additionalProperties, false, "strict");
      assert(k.title && k.description, p.name);
    }
  });
}

/** A 400 naming each bad field of a condition. */
async function badFields() {
  const cases: [unknown, string][] = [
    [{ labelNoise: { kind: "gaussian", rate: 0.1 } }, "condition.labelNoise.kind: unknown kind"],
    [{ labelNoise: { rate: 0.1 } }, "condition.labelNoise.kind: unknown kind"],
    [
      { labelNoise: { kind: "symmetric", rate: 0.1, extra: 1 } },
      "unknown field(s): condition.labelNoise.extra",
    ],
    [{ labelNoise: { kind: "human", set: "a b" } }, "condition.labelNoise.set: a label set's name"],
    [
      { labelNoise: { kind: "human", set: "worse" } },
      'condition.labelNoise.set: unknown label set "worse"',
    ],
    [
      { labelNoise: { kind: "matrix", like: "worse" } },
      'condition.labelNoise.like: expected "human:<label set>"',
    ],
    [
      { labelNoise: { kind: "matrix", like: "human:worse" } },
      'condition.labelNoise.like: unknown label set "worse"',
    ],
    [
      { imbalance: { profile: "log", ratio: 10 } },
      'condition.imbalance.profile: unknown profile "log"; use one of: exp, step',
    ],
    [{ imbalance: { profile: "exp", ratio: 0.5 } }, "condition.imbalance.ratio: Too small"],
    [{ imbalance: { profile: "step" } }, "condition.imbalance.ratio: Invalid input"],
    [{ shift: { kind: "x" } }, "unknown field(s): condition.shift"],
  ];
  // Every noise kind's numeric fields, out of their bounds.
  for (const kind of NOISE_KINDS) {
    const props = z.toJSONSchema(kind.schema, { io: "input" }).properties as Record<
      string,
      { type?: string; maximum?: number; exclusiveMaximum?: number }
    >;
    for (const [field, s] of Object.entries(props)) {
      if (s.type !== "number") continue;
      const hi = (s.maximum ?? s.exclusiveMaximum)!;
      cases.push([
        { labelNoise: { kind: kind.name, [field]: hi + 1 } },
        `condition.labelNoise.${field}: Too big`,
      ]);
      cases.push([
        { labelNoise: { kind: kind.name, [field]: "x" } },
        `condition.labelNoise.${field}:`,
      ]);
    }
  }
  for (const [condition, want] of cases) {
    const r = await run(condition);
    assertEquals(r.status, 400, JSON.stringify(condition));
    assert(r.error.startsWith(want), `${JSON.stringify(condition)}: ${r.error}`);
  }
  const kinds = NOISE_KINDS.map((k) => k.name).join(", ");
  assert((await run({ labelNoise: { kind: "x" } })).error.endsWith(`use one of: ${kinds}`));
}

/** A condition row's bad field names the row. */
async function badRow() {
  const r = await post("api/experiments", {
    losses: [{ loss: "ce" }],
    conditions: [{}, { labelNoise: { kind: "symmetric", rate: 2 } }],
    data: "synthetic",
  });
  assertEquals(r.status, 400);
  assert(r.error.startsWith("conditions.1.labelNoise.rate: Too big"), r.error);
}
