// `deno task study`: reproduces the published study with lossbench itself.
// It starts a service (or uses --url), starts each setting's experiment unless
// one with the same name is already there, waits for every run, and writes
// docs/results.md with its figures (screenshots of the service's own
// figure page). `--check clean/ce/1` retrains one run in this process and
// compares every recorded number with what the service stored.
//
//   deno task study [--data ../shared/data/cifar10-jpg.tar.gz] [--url http://127.0.0.1:8000/]
//                   [--labels ../shared/data/cifar10n-labels.csv]
//                   [--only clean,lt,noise,asym,noise-tuned,capacity,human,...] [--out docs]
//                   [--no-wait | --start-only] [--check SETTING/LABEL/SEED]
//                   [--decoder jpeg-js|libjpeg-turbo]
//
// The service gets the archive twice (settings.ts DATASETS): cifar10jpg with
// --decoder (default the published study's, jpeg-js, so its runs check bit for
// bit) and cifar10pil with libjpeg-turbo (PIL's pixels), each with the CIFAR-10N
// label sets of --labels. --only takes setting ids and group names ("human").
import { parseArgs } from "node:util";
import { type JpegDecoderName, parseJpegDecoder } from "../../ml/data/jpeg.ts";
import { type Api, apiClient, startService } from "./service.ts";
import { renderResults } from "./report.ts";
import { DATASETS, PUBLISHED_DECODER, SETTINGS, type StudySetting } from "./settings.ts";
import { checkRun } from "./check.ts";

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    data: { type: "string", default: "../shared/data/cifar10-jpg.tar.gz" },
    labels: { type: "string", default: "../shared/data/cifar10n-labels.csv" },
    url: { type: "string" },
    only: { type: "string" },
    out: { type: "string", default: "docs" },
    kv: { type: "string", default: ".lossbench/study/study.kv" },
    "no-wait": { type: "boolean", default: false },
    "start-only": { type: "boolean", default: false },
    check: { type: "string" },
    decoder: { type: "string", default: PUBLISHED_DECODER },
    help: { type: "boolean", short: "h", default: false },
  },
});

if (args.help) {
  console.log(
    "usage: deno task study [--data PATH] [--labels CSV] [--url URL] [--only IDS,GROUPS] [--out DIR]\n" +
      "                       [--kv PATH] [--no-wait | --start-only] [--check SETTING/LABEL/SEED]\n" +
      `                       [--decoder jpeg-js|libjpeg-turbo] (default ${PUBLISHED_DECODER}, the published study's)`,
  );
  Deno.exit(0);
}

let jpegDecoder: JpegDecoderName;
try {
  jpegDecoder = parseJpegDecoder(args.decoder, "--decoder");
} catch (e) {
  console.error(`error: ${(e as Error).message}`);
  Deno.exit(2);
}
const only = args.only?.split(",");
const settings = SETTINGS.filter((s) =>
  !only || only.includes(s.id) || (s.group !== undefined && only.includes(s.group))
);
const known = new Set(SETTINGS.flatMap((s) => [s.id, s.group ?? s.id]));
if (only?.some((o) => !known.has(o))) {
  console.error(`error: --only: known settings and groups are ${[...known].join(", ")}`);
  Deno.exit(2);
}
const labelsThere = await Deno.stat(args.labels!).then(() => true, () => false);
const onLabelSet = (s: StudySetting) => /"kind":"(human|matrix)"/.test(JSON.stringify(s.body));
if (!labelsThere && settings.some(onLabelSet)) {
  console.error(`error: --labels ${args.labels}: no such file (the human-noise settings need it)`);
  Deno.exit(2);
}
const decoderOf = (s: StudySetting) => s.data === "cifar10pil" ? DATASETS.cifar10pil : jpegDecoder;

const service = args.url ? null : await startService({
  kvPath: args.kv!,
  datasets: `cifar10jpg@${jpegDecoder}=${args.data},cifar10pil@${DATASETS.cifar10pil}=${args.data}`,
  labelSets: labelsThere ? `cifar10jpg=${args.labels},cifar10pil=${args.labels}` : undefined,
  log: (l) => console.error(`  service: ${l}`),
  // Checking a run retrains it here: the service only answers questions.
  ...(args.check ? { workers: 0 } : {}),
});
const api: Api = apiClient(args.url ?? service!.url);

// Deno.exit would skip `finally`, and the service (holding our stdout and stderr) would outlive us.
let code = 0;
try {
  code = args.check
    ? await checkRun(
      api,
      args.check,
      settings,
      args.data!,
      decoderOf,
      labelsThere ? args.labels : undefined,
    )
    : await study();
} finally {
  await service?.stop();
}
Deno.exit(code);

async function study(): Promise<number> {
  const experiments = new Map<StudySetting, string>();
  for (const s of settings) experiments.set(s, await ensureExperiment(s));
  if (args["start-only"]) return 0;
  if (!args["no-wait"]) await waitAll([...experiments.values()]);
  await renderResults(
    api,
    experiments,
    args.out!,
    service?.url ?? args.url!,
    jpegDecoder,
    only,
  );
  return 0;
}

/** The experiment named like the setting, started if there is none. */
async function ensureExperiment(s: StudySetting): Promise<string> {
  const { experiments } = await api.get("/api/experiments");
  const found = experiments.find((e: { name?: string; seeds: number[] }) => e.name === s.name);
  if (found) {
    console.error(`${s.id}: experiment ${found.id} (${found.runIds.length} runs) already started`);
    // A setting given more repeats since: the experiment gets the missing seeds (1..repeats).
    const repeats = typeof s.body.repeats === "number" ? s.body.repeats : 0;
    const have = new Set<number>(found.seeds);
    const missing = Array.from({ length: repeats }, (_, i) => i + 1).filter((n) => !have.has(n));
    if (missing.length) {
      const added = await api.post(`/api/experiments/${found.id}/seeds`, { seeds: missing });
      console.error(
        `${s.id}: added seeds ${missing.join(", ")} (${added.added.length} runs queued)`,
      );
    }
    return found.id;
  }
  const exp = await api.post("/api/experiments", {
    name: s.name,
    data: s.data ?? "cifar10jpg",
    ...s.body,
  });
  console.error(`${s.id}: started experiment ${exp.id} with ${exp.runIds.length} runs`);
  return exp.id;
}

/** Polls until no run of these experiments is queued or running. */
async function waitAll(ids: string[]): Promise<void> {
  let last = "";
  while (true) {
    const views = await Promise.all(ids.map((id) => api.get(`/api/experiments/${id}`)));
    const runs = views.flatMap((v) => v.runs);
    // A tuning stage's trials pause between rungs; its confirmation runs come after it.
    const active = runs.filter((r: { status: string }) =>
      ["queued", "running", "paused"].includes(r.status)
    );
    const tuning = views.some((v) => v.tuning?.status === "tuning");
    const line = `${runs.length - active.length}/${runs.length} runs finished`;
    if (line !== last) console.error(`${new Date().toISOString().slice(11, 19)} ${line}`);
    last = line;
    if (active.length === 0 && !tuning) return;
    await new Promise((r) => setTimeout(r, 10_000));
  }
}
