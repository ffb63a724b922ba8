// What a lossbench CE run draws, written for tools/parity_probe.py to replay in
// PyTorch piece by piece: the data set's decoded pixels, each seed's initial
// ConvNet weights in PyTorch's layout, and each epoch's sample order and
// augmentation (crop offset and flip per sample, in the order fillBatch draws
// them), plus a few batches exactly as fillBatch fills them, to check the
// augmentation against torchvision on the same images.
//
//   deno run -A --lock=dev.lock tools/parity_dump_plan.ts ARCHIVE OUTDIR EPOCHS SEED...
//
// OUTDIR gets train_x.u8 (N·32·32·3), train_y.u8, test_x.u8, test_y.u8,
// init-s<seed>.f32 (conv1.w [4,3,3,3], conv1.b, conv2.w [8,4,3,3], conv2.b,
// fc1.w [32, 288 in CHW order], fc1.b, fc2.w [10,32], fc2.b, concatenated),
// plan-s<seed>-e<epoch>.i32 (per sample in step order: index, dy, dx, flip),
// fill-s<seed>.f32 (epoch 0's first 256 samples as fillBatch writes them, NHWC)
// and meta.json.
import { fillBatch, normalizationFor, normalizationTable, PAD } from "../ml/augment.ts";
import { loadDataset } from "../ml/data/mod.ts";
import { getModel } from "../ml/models/registry.ts";
import type { ParamShape } from "../ml/models/plugin.ts";
import { epochPlan } from "../ml/trainer.ts";

/** [kh, kw, in, out] → [out, in, kh, kw]. */
function convToTorch(w: Float32Array, [kh, kw, ci, co]: number[]): Float32Array {
  const t = new Float32Array(w.length);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let i = 0; i < ci; i++) {
        for (let o = 0; o < co; o++) {
          t[((o * ci + i) * kh + y) * kw + x] = w[((y * kw + x) * ci + i) * co + o];
        }
      }
    }
  }
  return t;
}

/** Dense [in, out] with `in` in HWC order (h, w, c) → PyTorch's [out, in] with `in` in CHW order. */
function denseToTorch(w: Float32Array, [inN, outN]: number[], hwc?: number[]): Float32Array {
  const t = new Float32Array(w.length);
  for (let i = 0; i < inN; i++) {
    let j = i;
    if (hwc) {
      const [h, ww, c] = hwc;
      const y = Math.floor(i / (ww * c)), x = Math.floor(i / c) % ww, ch = i % c;
      j = (ch * h + y) * ww + x;
    }
    for (let o = 0; o < outN; o++) t[o * inN + j] = w[i * outN + o];
  }
  return t;
}

/** ConvNet weights in PyTorch's layout and parameter order, concatenated. */
export function torchLayout(shapes: ParamShape[], w: Record<string, Float32Array>): Float32Array {
  const side = Math.sqrt(shapes[4].shape[0] / 8);
  const parts: Float32Array[] = [];
  for (const p of shapes) {
    const v = w[p.name];
    if (p.shape.length === 4) parts.push(convToTorch(v, p.shape));
    else if (p.name === "fc1.weight") parts.push(denseToTorch(v, p.shape, [side, side, 8]));
    else if (p.shape.length === 2) parts.push(denseToTorch(v, p.shape));
    else parts.push(v);
  }
  const all = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) all.set(p, at), at += p.length;
  return all;
}

export const writeView = (path: string, a: ArrayBufferView) =>
  Deno.writeFile(path, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));

if (import.meta.main) await main();

async function main() {
  const [archive, out, epochsArg, ...seedArgs] = Deno.args;
  if (!archive || !out || !epochsArg || seedArgs.length === 0) {
    console.error("usage: parity_dump_plan.ts ARCHIVE OUTDIR EPOCHS SEED...");
    Deno.exit(2);
  }
  await Deno.mkdir(out, { recursive: true });
  const data = await loadDataset(archive, { cacheDir: ".lossbench/cache" });
  const { height: H, width: W, channels: C } = data;
  const write = (name: string, a: ArrayBufferView) => writeView(`${out}/${name}`, a);
  await write("train_x.u8", data.train.images);
  await write("train_y.u8", data.train.labels);
  await write("test_x.u8", data.test.images);
  await write("test_y.u8", data.test.labels);

  const spec = { height: H, width: W, channels: C, classes: data.classes.length };
  const plugin = getModel("convnet");
  const shapes = plugin.paramShapes(spec);
  const seeds = seedArgs.map(Number);
  const epochs = Number(epochsArg);
  const n = data.train.count;
  const lut = normalizationTable(normalizationFor(C));
  for (const seed of seeds) {
    await write(`init-s${seed}.f32`, torchLayout(shapes, plugin.initialWeights(spec, seed)));

    for (let e = 0; e < epochs; e++) {
      // fillBatch's draws, in its order: per sample dy, dx (int(2·PAD+1) − PAD), then the flip.
      const { order, augRng } = epochPlan(seed, e, n);
      const plan = new Int32Array(4 * n);
      for (let i = 0; i < n; i++) {
        const dy = augRng.int(2 * PAD + 1) - PAD;
        const dx = augRng.int(2 * PAD + 1) - PAD;
        const flip = augRng.float() < 0.5 ? 1 : 0;
        plan.set([order[i], dy, dx, flip], 4 * i);
      }
      await write(`plan-s${seed}-e${e}.i32`, plan);
    }
    // fillBatch itself on epoch 0's first 256 samples, with a fresh stream: the plan must match it.
    const { order, augRng } = epochPlan(seed, 0, n);
    const m = 256;
    const xs = new Float32Array(m * H * W * C);
    fillBatch(
      data.train,
      order,
      0,
      m,
      { height: H, width: W, channels: C },
      lut,
      xs,
      new Int32Array(m),
      augRng,
    );
    await write(`fill-s${seed}.f32`, xs);
  }
  await Deno.writeTextFile(
    `${out}/meta.json`,
    JSON.stringify({
      classes: data.classes,
      height: H,
      width: W,
      channels: C,
      train: n,
      test: data.test.count,
      seeds,
      epochs,
    }),
  );
  console.log(`wrote ${out}`);
}
