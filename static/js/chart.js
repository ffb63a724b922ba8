// @ts-check
// Chart.js, typed: the page loads its UMD build as a classic script
// (/vendor/chart.umd.min.js, from the npm package: routes/static.ts) before
// any module runs; the types are the same package's (deno.json "chart.js").
/** @type {typeof import("chart.js").Chart} */
export const Chart = /** @type {any} */ (globalThis).Chart;
