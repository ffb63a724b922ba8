// Entry point of the WebAssembly kernels module: everything exported here
// becomes an export of kernels.wasm.
export * from "./conv";
export * from "./conv_wide";
export * from "./filter_grad4";
export * from "./pool";
export * from "./pad";
export * from "./matmul";
export * from "./elementwise";
export * from "./batch_norm";
export * from "./sgd";
