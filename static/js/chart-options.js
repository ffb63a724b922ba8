// @ts-check
// Chart.js options the dashboard's figures share (plain data, no Chart.js needed).

/**
 * Every figure is drawn at once (live data redraws often: animating each update costs CPU on the
 * small machines this runs on and leaves screenshots mid-transition) and fills its box.
 */
export const SIZED = /** @type {const} */ ({
  animation: false,
  responsive: true,
  maintainAspectRatio: false,
});

/**
 * The legend under a figure, each series with its point marker; datasets for which `hidden` is
 * true (bands, single seeds, raw copies under smoothed lines) stay out of it.
 * @param {(dataset: any) => unknown} hidden
 * @param {Record<string, any>} [labels]  more label options
 */
export function bottomLegend(hidden, labels = {}) {
  return {
    position: /** @type {const} */ ("bottom"),
    labels: {
      usePointStyle: true,
      boxWidth: 8,
      boxHeight: 8,
      ...labels,
      filter: (
        /** @type {import("chart.js").LegendItem} */ item,
        /** @type {import("chart.js").ChartData} */ data,
      ) => !hidden(data.datasets[item.datasetIndex ?? 0]),
    },
  };
}
