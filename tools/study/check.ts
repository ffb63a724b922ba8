// `deno task study --check SETTING/LABEL/SEED`: retrains one of the study's
// runs in this process, on the cpu backend, and compares every recorded
// number of every epoch (timings aside) with what the service stored. The cpu
// backend is deterministic, so they must be equal, bit for bit.
import { initBackend } from "../../ml/backend.ts";
import type { JpegDecoderName } from "../../ml/data/jpeg.ts";
import { parseLabelFile } from "../../ml/data/label_sets.ts";
import { loadDataset } from "../../ml/data/mod.ts";
import { train } from "../../ml/trainer.ts";
import { loneRunThreads } from "../../ml/kernels/wasm/threads.ts";
import type { EpochMetrics } from "../../ml/types.ts";
import type { Api } from "./service.ts";
import type { StudySetting } from "./settings.ts";

const TIMING = new Set(["epochSeconds", "trainImgPerSec", "evalImgPerSec"]);

export async function checkRun(
  api: Api,
  spec: string,
  settings: StudySetting[],
  dataPath: string,
  /** The pixels of a setting's data set (settings.ts DATASETS). */
  decoderOf: (s: StudySetting) => JpegDecoderName,
  /** The label file, for a run on a label set. */
  labels?: string,
): Promise<number> {
  // SETTING/LABEL/SEED: a label may hold "/" (a searched value), so split at the ends.
  const parts = spec.split("/");
  const [id, label, seedText] = parts.length < 3
    ? parts
    : [parts[0], parts.slice(1, -1).join("/"), parts.at(-1)];
  const setting = settings.find((s) => s.id === id);
  if (!setting || !label || !seedText) {
    console.error(
      `error: --check SETTING/LABEL/SEED, e.g. clean/ce/1 or "noise/gce q=0.7 · sym noise 40%/2", ` +
        `or a tuned run by its label, "noise-tuned/gce · sym noise 40% · tuned: lr 0.1472, q 0.1423/2"`,
    );
    return 2;
  }
  const { experiments } = await api.get("/api/experiments");
  const exp = experiments.find((e: { name?: string }) => e.name === setting.name);
  if (!exp) throw new Error(`no experiment named "${setting.name}"`);
  const view = await api.get(`/api/experiments/${exp.id}`);
  const run = view.runs.find((r: { label: string; config: { seed: number } }) =>
    r.label === label && r.config.seed === Number(seedText)
  );
  if (!run) {
    const labels = [...new Set(view.runs.map((r: { label: string }) => r.label))].join(", ");
    throw new Error(`no run "${label}" with seed ${seedText}; labels: ${labels}`);
  }
  const stored: EpochMetrics[] = (await api.get(`/api/runs/${run.id}`)).epochs;
  console.error(`retraining run ${run.id} (${run.label}, seed ${run.config.seed}) here…`);
  await initBackend("cpu");
  // On every core: the kernels' threads split outputs only, so the bits are the same.
  const threads = loneRunThreads();
  // The run's pixels: its data set's decoder (settings.ts DATASETS), and its label sets.
  const jpegDecoder = decoderOf(setting);
  const data = await loadDataset(dataPath, { cacheDir: ".lossbench/cache", jpegDecoder });
  if (labels) data.train.labelSets = parseLabelFile(await Deno.readTextFile(labels), data);
  const t0 = performance.now();
  const again = await train(run.config, data);
  console.error(
    `retrained ${again.length} epochs in ${((performance.now() - t0) / 1000).toFixed(0)} s ` +
      `on ${threads} kernel thread${threads > 1 ? "s" : ""}`,
  );
  let diffs = 0;
  for (let e = 0; e < Math.max(again.length, stored.length); e++) {
    for (const [k, v] of Object.entries(stored[e] ?? {})) {
      if (TIMING.has(k)) continue;
      const w = (again[e] as unknown as Record<string, unknown>)?.[k];
      if (JSON.stringify(v) !== JSON.stringify(w)) {
        diffs++;
        if (diffs <= 10) {
          console.error(
            `epoch ${e + 1} ${k}: stored ${JSON.stringify(v)}, now ${JSON.stringify(w)}`,
          );
        }
      }
    }
  }
  const fields = Object.keys(stored[0] ?? {}).filter((k) => !TIMING.has(k)).length;
  console.log(
    diffs === 0
      ? `reproduced exactly: ${stored.length} epochs × ${fields} fields of ${run.label}, seed ${run.config.seed}`
      : `NOT reproduced: ${diffs} differing values`,
  );
  return diffs === 0 ? 0 : 1;
}
