// The report's ConvNet under its old import path; the model itself lives in
// ./models/convnet.ts and the plug-ins are listed in ./models/registry.ts.
export type { ModelSpec } from "./models/plugin.ts";
export type { ConvNetModel as Model } from "./models/convnet.ts";
export { createModel, initialWeights, paramShapes } from "./models/convnet.ts";
/** Copies every parameter to the CPU (await: WebGPU cannot read synchronously). */
export { readVariables as readWeights } from "./models/layers.ts";
