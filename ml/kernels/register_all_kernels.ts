// The project's fast cpu kernels, registered over tfjs's stock ones.
// (Filled in by the kernels work; registering nothing keeps the stock kernels.)
export function registerFastCpuKernels(): void {}
