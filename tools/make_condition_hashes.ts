// Records the digests of prepareTrain for every existing condition
// (tests/util/condition_cases.ts) into tests/fixtures/condition_hashes.json.
// Run once, before a change to the conditions; tests/conditions_hashes.test.ts
// then asserts them.
//   deno run -A --lock=dev.lock tools/make_condition_hashes.ts
import { caseDigest, CONDITION_CASES } from "../tests/util/condition_cases.ts";

const { stdout } = new Deno.Command("git", { args: ["rev-parse", "HEAD"] }).outputSync();
const out = {
  commit: new TextDecoder().decode(stdout).trim(),
  cases: Object.fromEntries(CONDITION_CASES.map((c) => [c.name, caseDigest(c)])),
};
const path = new URL("../tests/fixtures/condition_hashes.json", import.meta.url);
await Deno.writeTextFile(path, JSON.stringify(out, null, 1) + "\n");
console.log(`${CONDITION_CASES.length} cases written`);
