// A separate process that writes to a shared KV file through the Store, for
// tests/scaleout_store.test.ts: `deno run -A kv_writer.ts <kv> <batches> <size>`
// queues `batches` × `size` runs, one atomic write per batch, then prints "ok".
import { queuedRun } from "./runs.ts";
import { Store } from "../../service/store.ts";
import type { Run } from "../../service/types.ts";
import type { TrainConfig } from "../../ml/types.ts";

const [path, batches, size] = [Deno.args[0], Number(Deno.args[1]), Number(Deno.args[2])];
const store = await Store.open(path, { maxQueue: 100_000 });
const config = { loss: "ce", data: "synthetic", backend: "auto", epochs: 1 } as TrainConfig;
for (let b = 0; b < batches; b++) {
  const runs: Run[] = Array.from({ length: size }, () => queuedRun(config));
  await store.createRuns(runs);
}
await store.close();
console.log("ok");
