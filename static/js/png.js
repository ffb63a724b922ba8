// @ts-check
// Saving a canvas as a PNG file, and the white backdrop that makes the file
// readable outside the page (a bare canvas is transparent).

/** @param {string} url @param {string} filename */
export function downloadDataUrl(url, filename) {
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
}

/** "Test accuracy" → "test-accuracy". @param {unknown} text */
export function slug(text) {
  return String(text).toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

/**
 * Chart.js plugin: paint the canvas white before each draw.
 * @type {import("chart.js").Plugin<any>}
 */
export const whiteBackground = {
  id: "whiteBackground",
  beforeDraw(chart) {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.globalCompositeOperation = "destination-over";
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};
