// Would a second core help one run? Measures the project's cpu training step
// in Web Workers: one worker at batch B, two workers at B/2 each running at
// once (the best case of splitting one run's batch across both cores: no
// gradient exchange counted), and two workers at B (two runs at once, as the
// service schedules them). Prints one JSON line; ratios only.
//   deno run -A bench/two_cores.ts [--batch 64] [--steps 150]
const num = (name: string, d: number) => {
  const i = Deno.args.indexOf(name);
  return i >= 0 ? Number(Deno.args[i + 1]) : d;
};
const B = num("--batch", 64);
const STEPS = num("--steps", 150);

async function spawn(): Promise<Worker> {
  const w = new Worker(new URL("./two_cores_worker.ts", import.meta.url), { type: "module" });
  await new Promise((r) => (w.onmessage = r));
  return w;
}

/** Aggregate img/s of `batches.length` workers stepping at once. */
async function together(workers: Worker[], batches: number[]): Promise<number> {
  const start = new Int32Array(new SharedArrayBuffer(4));
  const done = workers.map((w, i) =>
    new Promise<number>((resolve) => {
      w.onmessage = (e) => resolve(e.data.imgPerSec);
      w.postMessage({ batch: batches[i], steps: STEPS, start });
    })
  );
  await new Promise((r) => setTimeout(r, 1500)); // both warmed up and waiting
  Atomics.store(start, 0, 1);
  Atomics.notify(start, 0);
  return (await Promise.all(done)).reduce((a, b) => a + b, 0);
}

const [a, b] = [await spawn(), await spawn()];
const round = (x: number) => Math.round(x);
const one = await together([a], [B]);
const split = await together([a, b], [B / 2, B / 2]);
const two = await together([a, b], [B, B]);
const oneHalf = await together([a], [B / 2]);
a.terminate();
b.terminate();
console.log(JSON.stringify({
  batchSize: B,
  oneWorkerImgPerSec: round(one),
  oneWorkerHalfBatchImgPerSec: round(oneHalf),
  batchSplitTwoWorkersImgPerSec: round(split),
  twoRunsTwoWorkersImgPerSec: round(two),
  splitSpeedupUpperBound: Math.round((split / one) * 100) / 100,
  twoRunsSpeedup: Math.round((two / one) * 100) / 100,
}));
