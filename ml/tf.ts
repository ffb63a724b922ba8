// The parts of the `@tensorflow/tfjs` umbrella that lossbench runs, and no
// more: tfjs-core, its gradients and chained ops, and the cpu backend. The
// umbrella also installs layers, converter, data and webgl (about 240 MB of
// node_modules) that nothing here uses. The webgpu backend is registered by
// ml/backend.ts, where it is chosen.
import "@tensorflow/tfjs-core";
import "./vendor/tf_registrations.js";
// Types only: the chained ops' declarations on Tensor (the code is in the bundle).
import type {} from "@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.d.ts";
import "@tensorflow/tfjs-backend-cpu";

export * from "@tensorflow/tfjs-core";
